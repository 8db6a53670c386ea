#include "hl7/mllp/codec.h"

#include <algorithm>

namespace sundial::hl7::mllp {

std::string frameMessage(std::string_view message) {
  std::string framed;
  framed.reserve(message.size() + 3);
  framed += kStartBlock;
  framed += message;
  framed += kEndBlock;
  framed += kCarriageReturn;
  return framed;
}

FrameDecoder::FrameDecoder(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

std::vector<Frame> FrameDecoder::feed(std::string_view chunk) {
  std::vector<Frame> frames;
  std::size_t at = 0;
  while (at < chunk.size()) {
    switch (state_) {
      case State::AfterEnd:
        // <FS> is followed by <CR>; tolerate senders that leave it out.
        state_ = State::Idle;
        if (chunk[at] == kCarriageReturn) ++at;
        break;
      case State::Idle: {
        const std::size_t start = chunk.find(kStartBlock, at);
        const std::size_t skipped = (start == std::string_view::npos ? chunk.size() : start) - at;
        if (garbage_prefix_.size() < kOversizePrefixBytes) {
          garbage_prefix_.append(
              chunk.substr(at, std::min(skipped, kOversizePrefixBytes - garbage_prefix_.size())));
        }
        garbage_since_frame_ += skipped;
        garbage_total_ += skipped;
        if (start == std::string_view::npos) return frames;
        at = start + 1;
        state_ = State::InFrame;
        buffer_.clear();
        garbage_prefix_.clear();
        break;
      }
      case State::InFrame: {
        const std::size_t end = chunk.find(kEndBlock, at);
        const std::size_t stop = end == std::string_view::npos ? chunk.size() : end;
        const std::size_t room = max_message_bytes_ - buffer_.size();
        if (stop - at > room) {
          buffer_.append(chunk.substr(at, room));
          buffer_.resize(std::min(buffer_.size(), kOversizePrefixBytes));
          frames.push_back({FrameKind::TooLarge, std::move(buffer_), garbage_since_frame_});
          buffer_.clear();
          garbage_since_frame_ = 0;
          state_ = State::Discarding;
          at += room;
          break;
        }
        buffer_.append(chunk.substr(at, stop - at));
        if (end == std::string_view::npos) return frames;
        frames.push_back({FrameKind::Message, std::move(buffer_), garbage_since_frame_});
        buffer_.clear();
        garbage_since_frame_ = 0;
        state_ = State::AfterEnd;
        at = end + 1;
        break;
      }
      case State::Discarding: {
        const std::size_t end = chunk.find(kEndBlock, at);
        if (end == std::string_view::npos) return frames;
        state_ = State::AfterEnd;
        at = end + 1;
        break;
      }
    }
  }
  return frames;
}

}  // namespace sundial::hl7::mllp

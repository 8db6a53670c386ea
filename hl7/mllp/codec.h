#pragma once
// MLLP framing: <VT> message <FS><CR>. Pure: bytes in, messages out; no sockets here.
//
// FrameDecoder takes arbitrary chunks of a byte stream and yields complete messages. Bytes
// outside a frame (garbage before <VT>) are skipped and counted; a frame that grows past the
// maximum size is reported as TooLarge (with its first bytes, so that a NAK can name its
// control ID) and the rest of it is discarded up to its <FS>. A frame that never ends is
// bounded by the maximum size here and by the caller's idle timeout (inFrame() says one is
// open). One decoder per connection, used by one thread at a time.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sundial::hl7::mllp {

inline constexpr char kStartBlock = '\x0b';      // <VT>
inline constexpr char kEndBlock = '\x1c';        // <FS>
inline constexpr char kCarriageReturn = '\x0d';  // <CR>

// How many leading bytes of an oversized frame are kept for the NAK (the MSH is first).
inline constexpr std::size_t kOversizePrefixBytes = 4096;

// <VT> message <FS><CR>.
std::string frameMessage(std::string_view message);

enum class FrameKind {
  Message,   // `text` is the whole message, without framing bytes
  TooLarge,  // `text` is the frame's first bytes (up to kOversizePrefixBytes)
};

struct Frame {
  FrameKind kind = FrameKind::Message;
  std::string text;
  std::size_t garbage_before = 0;  // bytes skipped outside any frame since the last frame
};

class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_message_bytes);

  // Consumes every byte of `chunk`; returns the frames it completed, in order.
  std::vector<Frame> feed(std::string_view chunk);

  // A <VT> was seen and its <FS> not yet (also while an oversized frame is discarded).
  bool inFrame() const { return state_ == State::InFrame || state_ == State::Discarding; }
  // Bytes of the open frame held so far.
  std::size_t bufferedBytes() const { return buffer_.size(); }
  // Garbage skipped since the last frame (not yet reported in a Frame).
  std::size_t pendingGarbage() const { return garbage_since_frame_; }
  std::size_t totalGarbage() const { return garbage_total_; }
  // The first bytes (up to kOversizePrefixBytes) of the garbage since the last frame, and
  // the bytes of the frame still open: what a NAK for an unframed message or a frame that
  // never ended can read a control ID from.
  std::string_view garbagePrefix() const { return garbage_prefix_; }
  std::string_view openFrame() const {
    return state_ == State::InFrame ? std::string_view(buffer_) : std::string_view{};
  }

 private:
  enum class State { Idle, InFrame, Discarding, AfterEnd };

  std::size_t max_message_bytes_;
  State state_ = State::Idle;
  std::string buffer_;
  std::string garbage_prefix_;
  std::size_t garbage_since_frame_ = 0;
  std::size_t garbage_total_ = 0;
};

}  // namespace sundial::hl7::mllp

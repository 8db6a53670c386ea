#pragma once
// One HL7 v2 message: the text as received plus views into it, and an overlay for edits.
//
// parseMessage() copies the text into a buffer the Message owns and records, for every
// segment, string_views of its fields into that buffer; components, repetitions and
// subcomponents are split, and escapes decoded, only when a value is asked for. Edits go to
// an overlay (strings owned next to the buffer), so toString() of an unedited message is the
// original text byte for byte, and of an edited one the original bytes of every segment that
// was not touched. A Message is move-only (its views point into its own buffer) and, like
// any value, is used by one thread at a time.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/result.h"
#include "hl7/message/charset.h"
#include "hl7/message/delimiters.h"

namespace sundial::hl7 {

// Where a value sits inside a segment, numbered from 1 as HL7 numbers them ("PID-3[2].4.1"
// is {.field = 3, .repetition = 2, .component = 4, .subcomponent = 1}). A 0 stops the descent
// at the level above: repetition 0 is the whole field, component 0 the whole repetition,
// subcomponent 0 the whole component.
struct Position {
  std::size_t field = 0;
  std::size_t repetition = 1;
  std::size_t component = 1;
  std::size_t subcomponent = 1;
};

class Message {
 public:
  // A new message holding only an MSH with MSH-1 and MSH-2 set from `delimiters`, and
  // MSH-18 from `charset` (left empty for Unspecified). See writer.h for a full header.
  static Message create(const Delimiters& delimiters = kDefaultDelimiters,
                        Charset charset = Charset::Unspecified);

  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;
  ~Message();

  const Delimiters& delimiters() const;
  // What MSH-18 names; values are converted from it to UTF-8 on access.
  Charset charset() const;

  std::size_t segmentCount() const;
  // The segment id ("MSH", "PID", "ZDS"); segment 0 is always MSH.
  std::string_view segmentId(std::size_t segment) const;
  std::optional<std::size_t> findSegment(std::string_view id, std::size_t from = 0) const;
  std::vector<std::size_t> findSegments(std::string_view id) const;

  // The highest field number present in the segment (MSH counts MSH-1, the separator).
  std::size_t fieldCount(std::size_t segment) const;
  // How many repetitions the field holds (0 when it is empty or absent).
  std::size_t repetitionCount(std::size_t segment, std::size_t field) const;
  // How many components the repetition holds (0 when it is empty or absent).
  std::size_t componentCount(std::size_t segment, std::size_t field,
                             std::size_t repetition = 1) const;

  // The text at `position` as it stands in the message: escapes not decoded, charset not
  // converted. Empty when absent. MSH-1 and MSH-2 are never split.
  std::string_view raw(std::size_t segment, const Position& position) const;
  // The value at `position`, escapes decoded and converted to UTF-8.
  std::string value(std::size_t segment, const Position& position) const;
  // The value at `id`-`position` in the first segment with that id; nullopt when there is no
  // such segment or the value is empty.
  std::optional<std::string> firstValue(std::string_view id, const Position& position) const;

  // Sets the value at `position` from UTF-8 text: converted to the message's charset and
  // escaped, so any character is safe. Missing fields, repetitions and components are added
  // empty. MSH-1 and MSH-2 cannot be set (they define how the rest is read).
  void setValue(std::size_t segment, const Position& position, std::string_view text);
  // Replaces a whole field with text already in HL7 form (delimiters and escapes as meant).
  void setRawField(std::size_t segment, std::size_t field, std::string_view encoded);
  // Appends an empty segment with this id (three capital letters or digits) and returns its
  // index.
  std::size_t appendSegment(std::string_view id);

  // The message as HL7 text: the original bytes when nothing was edited; otherwise the
  // original bytes of untouched segments, edited segments rebuilt from their fields, and
  // new segments ended with the message's own terminator (CR for a created message).
  std::string toString() const;
  std::string_view originalText() const;
  bool edited() const;

 private:
  struct State;
  explicit Message(std::unique_ptr<State> state);
  friend Result<Message> parseMessage(std::string_view text);

  std::unique_ptr<State> state_;
};

// Parses one message. Tolerated around it: a UTF-8 byte order mark, MLLP start and end
// bytes, blank lines. Segments may end with CR, LF or CRLF. InvalidInput, naming the segment
// and field, when there is no MSH first, its encoding characters are unusable, a line is not
// a segment, MSH-9 is empty, or a second message or a batch header follows (splitMessages()
// takes a stream apart first).
Result<Message> parseMessage(std::string_view text);

}  // namespace sundial::hl7

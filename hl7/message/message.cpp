#include "hl7/message/message.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>

#include "hl7/message/escape.h"

namespace sundial::hl7 {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr char kMllpStart = '\x0B';
constexpr char kMllpEnd = '\x1C';

bool isSegmentIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isSegmentIdChar(c) || (c >= 'a' && c <= 'z'); }
bool isTerminator(char c) { return c == '\r' || c == '\n'; }
bool isPadding(char c) {
  return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == kMllpStart || c == kMllpEnd ||
         c == '\0';
}

// Segments whose field separator sits at offset 3 and whose second field is the encoding
// characters, so field 1 is the separator itself.
bool isHeaderSegment(std::string_view id) { return id == "MSH" || id == "FHS" || id == "BHS"; }

// The index1-th piece of `text` split at `separator` (empty when there are fewer pieces).
std::string_view piece(std::string_view text, char separator, std::size_t index1) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < index1; ++i) {
    const std::size_t next = text.find(separator, start);
    if (next == std::string_view::npos) return {};
    start = next + 1;
  }
  const std::size_t end = text.find(separator, start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::size_t pieceCount(std::string_view text, char separator) {
  if (text.empty()) return 0;
  std::size_t count = 1;
  for (char c : text) count += c == separator ? 1 : 0;
  return count;
}

// `text` with its index1-th piece replaced, adding empty pieces when it has fewer.
std::string replacePiece(std::string_view text, char separator, std::size_t index1,
                         std::string_view replacement) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (!text.empty()) {
    const std::size_t next = text.find(separator, start);
    if (next == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      break;
    }
    pieces.push_back(text.substr(start, next - start));
    start = next + 1;
  }
  if (pieces.size() < index1) pieces.resize(index1);
  pieces[index1 - 1] = replacement;
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) out.push_back(separator);
    out.append(pieces[i]);
  }
  return out;
}

Error invalid(std::string message, std::size_t segment, std::size_t field = 0) {
  std::string context = "segment=" + std::to_string(segment);
  if (field != 0) context += " field=" + std::to_string(field);
  return makeError(ErrorCode::InvalidInput, std::move(message), std::move(context));
}

std::string printable(std::string_view text, std::size_t max = 20) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b >= 0x20 && b < 0x7F) {
      out.push_back(c);
      continue;
    }
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += "\\x";
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  if (text.size() > max) out += "...";
  return out;
}

// Finds the next CR or LF with memchr, remembering each kind's next position so that the
// whole text is scanned once per kind however the two are mixed.
class TerminatorFinder {
 public:
  explicit TerminatorFinder(std::string_view text)
      : text_(text), next_cr_(find('\r', 0)), next_lf_(find('\n', 0)) {}

  // The position of the first CR or LF at or after `from`, or the text's size.
  std::size_t next(std::size_t from) {
    if (next_cr_ < from) next_cr_ = find('\r', from);
    if (next_lf_ < from) next_lf_ = find('\n', from);
    return next_cr_ < next_lf_ ? next_cr_ : next_lf_;
  }

 private:
  std::size_t find(char c, std::size_t from) const {
    if (from >= text_.size()) return text_.size();
    const void* hit = std::memchr(text_.data() + from, c, text_.size() - from);
    return hit == nullptr ? text_.size()
                          : static_cast<std::size_t>(static_cast<const char*>(hit) - text_.data());
  }

  std::string_view text_;
  std::size_t next_cr_;
  std::size_t next_lf_;
};

Result<Delimiters> readDelimiters(std::string_view text) {
  if (text.size() < 8) {
    return invalid("MSH is too short to hold its field separator and encoding characters", 0, 1);
  }
  Delimiters d;
  d.field = text[3];
  const auto usable = [](char c) {
    const auto b = static_cast<std::uint8_t>(c);
    return b > 0x20 && b < 0x7F && !isAlnum(c);
  };
  if (!usable(d.field)) {
    return invalid("MSH-1 field separator '" + printable(text.substr(3, 1)) +
                       "' must be a printable ASCII character other than a letter or digit",
                   0, 1);
  }
  std::size_t end = 4;
  while (end < text.size() && text[end] != d.field && !isTerminator(text[end])) ++end;
  const std::string_view chars = text.substr(4, end - 4);
  if (chars.size() != 4 && chars.size() != 5) {
    return invalid("MSH-2 must hold 4 encoding characters (component, repetition, escape, "
                   "subcomponent; a 5th for truncation), found '" + printable(chars) + "'",
                   0, 2);
  }
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (!usable(chars[i]) || chars[i] == d.field) {
      return invalid("MSH-2 encoding character '" + printable(chars.substr(i, 1)) +
                         "' must be a printable ASCII character other than a letter, digit or "
                         "the field separator",
                     0, 2);
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (chars[k] == chars[i]) {
        return invalid("MSH-2 encoding characters '" + printable(chars) + "' repeat a character",
                       0, 2);
      }
    }
  }
  d.component = chars[0];
  d.repetition = chars[1];
  d.escape = chars[2];
  d.subcomponent = chars[3];
  if (chars.size() == 5) d.truncation = chars[4];
  return d;
}

// Why a line cannot be segment `index` of one message, or nullopt when it can.
std::optional<Error> checkSegmentLine(std::string_view line, char separator, std::size_t index) {
  const bool id_ok = line.size() >= 3 && isSegmentIdChar(line[0]) && isSegmentIdChar(line[1]) &&
                     isSegmentIdChar(line[2]) && (line.size() == 3 || line[3] == separator);
  if (!id_ok) {
    return invalid("line '" + printable(line) + "' is not a segment (a segment id of three "
                   "capital letters or digits, then '" + std::string(1, separator) + "')",
                   index);
  }
  const std::string_view id = line.substr(0, 3);
  if (index > 0 && (id == "MSH" || id == "FHS" || id == "BHS" || id == "BTS" || id == "FTS")) {
    return invalid("a second message or a batch segment (" + std::string(id) +
                       ") follows; take the text apart with splitMessages()",
                   index);
  }
  return std::nullopt;
}

// Appends views of the segment id and each field of `line` to the message's flat field list
// (one vector for the whole message rather than one per segment keeps parsing to a couple of
// allocations). For the header, MSH-1 is a view of the separator itself.
void appendFields(std::string_view line, char separator, bool header,
                  std::vector<std::string_view>& fields) {
  fields.push_back(line.substr(0, 3));
  if (header) fields.push_back(line.substr(3, 1));
  if (line.size() <= 3) return;
  std::size_t start = 4;
  while (true) {
    const void* hit = std::memchr(line.data() + start, separator, line.size() - start);
    if (hit == nullptr) {
      fields.push_back(line.substr(start));
      return;
    }
    const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - line.data());
    fields.push_back(line.substr(start, at - start));
    start = at + 1;
  }
}

}  // namespace

struct Message::State {
  // Invariant: every string_view in `fields`, `segments` and `prefix`/`suffix` points into
  // `text` or into an element of `owned`; neither is changed in a way that moves bytes
  // (text is never modified after parsing, `owned` is a deque, which keeps its elements in
  // place as it grows).
  std::string text;
  std::deque<std::string> owned;

  struct Segment {
    std::uint32_t first_field = 0;  // index into `fields`
    std::uint32_t field_count = 0;  // including the id at field 0
    std::string_view raw;           // the original segment, without terminator
    std::string_view after;         // the terminator and blank lines after it
    bool edited = false;
  };
  std::vector<std::string_view> fields;
  std::vector<Segment> segments;
  std::string_view prefix;
  std::string_view suffix;
  std::string_view terminator = "\r";
  Delimiters delimiters;
  Charset charset = Charset::Unspecified;
  bool edited = false;

  std::string_view field(std::size_t segment, std::size_t field) const {
    const Segment& s = segments[segment];
    if (field >= s.field_count) return {};
    return fields[s.first_field + field];
  }

  std::string_view keep(std::string value) {
    owned.push_back(std::move(value));
    return owned.back();
  }

  // Makes room for `field` in `segment`, moving its views to the end of `fields` when it
  // must grow, and marks the segment edited.
  void prepareEdit(std::size_t segment, std::size_t field) {
    Segment& s = segments[segment];
    s.edited = true;
    edited = true;
    if (field < s.field_count) return;
    const bool at_end = s.first_field + s.field_count == fields.size();
    if (!at_end) {
      const std::size_t first = fields.size();
      for (std::size_t i = 0; i < s.field_count; ++i) fields.push_back(fields[s.first_field + i]);
      s.first_field = static_cast<std::uint32_t>(first);
    }
    while (s.field_count <= field) {
      fields.emplace_back();
      ++s.field_count;
    }
  }

  void refreshCharset() {
    if (segments.empty()) return;
    const std::string_view msh18 = field(0, 18);
    const std::string_view first_repetition = piece(msh18, delimiters.repetition, 1);
    charset = charsetFromName(piece(first_repetition, delimiters.component, 1));
  }

  void appendSegmentText(std::size_t index, std::string& out) const {
    const Segment& s = segments[index];
    if (!s.edited) {
      out.append(s.raw);
      return;
    }
    const bool header = isHeaderSegment(fields[s.first_field]);
    for (std::size_t f = 0; f < s.field_count; ++f) {
      if (header && f == 1) continue;  // MSH-1 is the separator written before MSH-2
      if (f > 0) out.push_back(delimiters.field);
      out.append(fields[s.first_field + f]);
    }
  }
};

Message::Message(std::unique_ptr<State> state) : state_(std::move(state)) {}
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;
Message::~Message() = default;

Message Message::create(const Delimiters& delimiters, Charset charset) {
  auto state = std::make_unique<State>();
  state->delimiters = delimiters;
  Message message(std::move(state));
  State& s = *message.state_;
  std::string encoding{delimiters.component, delimiters.repetition, delimiters.escape,
                       delimiters.subcomponent};
  if (delimiters.truncation != '\0') encoding.push_back(delimiters.truncation);
  s.segments.push_back({static_cast<std::uint32_t>(s.fields.size()), 3, {}, s.terminator, true});
  s.fields.push_back("MSH");
  s.fields.push_back(s.keep(std::string(1, delimiters.field)));
  s.fields.push_back(s.keep(std::move(encoding)));
  s.edited = true;
  if (charset != Charset::Unspecified && charset != Charset::Other) {
    message.setRawField(0, 18, charsetName(charset));
  }
  return message;
}

const Delimiters& Message::delimiters() const { return state_->delimiters; }
Charset Message::charset() const { return state_->charset; }
std::size_t Message::segmentCount() const { return state_->segments.size(); }

std::string_view Message::segmentId(std::size_t segment) const {
  assert(segment < state_->segments.size() && "segment index out of range");
  return state_->field(segment, 0);
}

std::optional<std::size_t> Message::findSegment(std::string_view id, std::size_t from) const {
  for (std::size_t i = from; i < state_->segments.size(); ++i) {
    if (state_->field(i, 0) == id) return i;
  }
  return std::nullopt;
}

std::vector<std::size_t> Message::findSegments(std::string_view id) const {
  std::vector<std::size_t> found;
  for (std::size_t i = 0; i < state_->segments.size(); ++i) {
    if (state_->field(i, 0) == id) found.push_back(i);
  }
  return found;
}

std::size_t Message::fieldCount(std::size_t segment) const {
  assert(segment < state_->segments.size() && "segment index out of range");
  return state_->segments[segment].field_count - 1;
}

std::size_t Message::repetitionCount(std::size_t segment, std::size_t field) const {
  return pieceCount(raw(segment, {.field = field, .repetition = 0}), state_->delimiters.repetition);
}

std::size_t Message::componentCount(std::size_t segment, std::size_t field,
                                    std::size_t repetition) const {
  return pieceCount(raw(segment, {.field = field, .repetition = repetition, .component = 0}),
                    state_->delimiters.component);
}

std::string_view Message::raw(std::size_t segment, const Position& position) const {
  assert(segment < state_->segments.size() && "segment index out of range");
  if (position.field == 0) return {};
  std::string_view text = state_->field(segment, position.field);
  if (position.field <= 2 && isHeaderSegment(state_->field(segment, 0))) return text;
  const Delimiters& d = state_->delimiters;
  if (position.repetition == 0) return text;
  text = piece(text, d.repetition, position.repetition);
  if (position.component == 0) return text;
  text = piece(text, d.component, position.component);
  if (position.subcomponent == 0) return text;
  return piece(text, d.subcomponent, position.subcomponent);
}

std::string Message::value(std::size_t segment, const Position& position) const {
  const std::string_view text = raw(segment, position);
  if (position.field <= 2 && isHeaderSegment(state_->field(segment, 0))) {
    return std::string(text);
  }
  if (text.find(state_->delimiters.escape) == std::string_view::npos) {
    return toUtf8(text, state_->charset);
  }
  return toUtf8(decodeEscapes(text, state_->delimiters), state_->charset);
}

std::optional<std::string> Message::firstValue(std::string_view id,
                                               const Position& position) const {
  const auto segment = findSegment(id);
  if (!segment) return std::nullopt;
  std::string text = value(*segment, position);
  if (text.empty()) return std::nullopt;
  return text;
}

void Message::setRawField(std::size_t segment, std::size_t field, std::string_view encoded) {
  assert(segment < state_->segments.size() && "segment index out of range");
  assert(field > 0 && "field 0 is the segment id");
  assert(!(field <= 2 && isHeaderSegment(state_->field(segment, 0))) &&
         "MSH-1 and MSH-2 define the delimiters and cannot be set");
  State& s = *state_;
  s.prepareEdit(segment, field);
  s.fields[s.segments[segment].first_field + field] = s.keep(std::string(encoded));
  if (segment == 0 && field == 18) s.refreshCharset();
}

void Message::setValue(std::size_t segment, const Position& position, std::string_view text) {
  const Delimiters& d = state_->delimiters;
  const std::string encoded = encodeEscapes(fromUtf8(text, state_->charset), d);
  if (position.repetition == 0) {
    setRawField(segment, position.field, encoded);
    return;
  }
  const std::string_view field = raw(segment, {.field = position.field, .repetition = 0});
  const std::string_view repetition =
      raw(segment, {.field = position.field, .repetition = position.repetition, .component = 0});
  std::string new_repetition = encoded;
  if (position.component != 0) {
    const std::string_view component = raw(segment, {.field = position.field,
                                                     .repetition = position.repetition,
                                                     .component = position.component,
                                                     .subcomponent = 0});
    std::string new_component = encoded;
    if (position.subcomponent != 0) {
      new_component = replacePiece(component, d.subcomponent, position.subcomponent, encoded);
    }
    new_repetition = replacePiece(repetition, d.component, position.component, new_component);
  }
  setRawField(segment, position.field,
              replacePiece(field, d.repetition, position.repetition, new_repetition));
}

std::size_t Message::appendSegment(std::string_view id) {
  assert(id.size() == 3 && isSegmentIdChar(id[0]) && isSegmentIdChar(id[1]) &&
         isSegmentIdChar(id[2]) && "a segment id is three capital letters or digits");
  State& s = *state_;
  if (!s.segments.empty() && s.segments.back().after.empty()) {
    s.segments.back().after = s.terminator;
  }
  s.segments.push_back({static_cast<std::uint32_t>(s.fields.size()), 1, {}, s.terminator, true});
  s.fields.push_back(s.keep(std::string(id)));
  s.edited = true;
  return s.segments.size() - 1;
}

std::string Message::toString() const {
  const State& s = *state_;
  if (!s.edited) return s.text;
  std::string out;
  out.reserve(s.text.size() + 256);
  out.append(s.prefix);
  for (std::size_t i = 0; i < s.segments.size(); ++i) {
    s.appendSegmentText(i, out);
    out.append(s.segments[i].after);
  }
  out.append(s.suffix);
  return out;
}

std::string_view Message::originalText() const { return state_->text; }
bool Message::edited() const { return state_->edited; }

Result<Message> parseMessage(std::string_view input) {
  if (input.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return invalid("message larger than 4 GiB", 0);
  }
  auto owned = std::make_unique<Message::State>();
  Message::State& s = *owned;
  s.text.assign(input.data(), input.size());
  const std::string_view text = s.text;

  std::size_t pos = 0;
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) pos = kByteOrderMark.size();
  while (pos < text.size() && isPadding(text[pos])) ++pos;
  s.prefix = text.substr(0, pos);
  const std::string_view body = text.substr(pos);
  if (body.substr(0, 3) != "MSH") {
    if (body.substr(0, 3) == "FHS" || body.substr(0, 3) == "BHS") {
      return invalid("text starts with a batch header (" + std::string(body.substr(0, 3)) +
                         "); take the batch apart with splitMessages()",
                     0);
    }
    return invalid("text does not start with an MSH segment (starts with '" +
                       printable(body, 12) + "')",
                   0);
  }
  auto delimiters = readDelimiters(body);
  if (!delimiters.ok()) return delimiters.error();
  s.delimiters = delimiters.value();
  const char separator = s.delimiters.field;

  // Rough guesses (a segment every ~80 bytes, a field every ~8) save most regrowth.
  s.segments.reserve(text.size() / 80 + 4);
  s.fields.reserve(text.size() / 8 + 16);
  bool terminator_known = false;
  TerminatorFinder terminators(text);
  while (pos < text.size()) {
    const std::size_t end = terminators.next(pos);
    const std::string_view line = text.substr(pos, end - pos);
    const std::size_t index = s.segments.size();
    if (auto error = checkSegmentLine(line, separator, index)) return *error;
    std::size_t after_end = end;
    while (after_end < text.size() && isTerminator(text[after_end])) ++after_end;
    if (!terminator_known && end < text.size()) {
      terminator_known = true;
      const bool crlf = text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n';
      s.terminator = crlf ? "\r\n" : text.substr(end, 1);
    }

    Message::State::Segment segment;
    segment.first_field = static_cast<std::uint32_t>(s.fields.size());
    segment.raw = line;
    appendFields(line, separator, index == 0, s.fields);
    segment.field_count = static_cast<std::uint32_t>(s.fields.size() - segment.first_field);

    segment.after = text.substr(end, after_end - end);
    s.segments.push_back(segment);

    // What follows the last segment (MLLP end bytes, trailing blank space) is the suffix.
    std::size_t rest = after_end;
    while (rest < text.size() && isPadding(text[rest])) ++rest;
    if (rest == text.size()) {
      s.suffix = text.substr(after_end);
      break;
    }
    pos = after_end;
  }

  if (s.field(0, 9).empty() ||
      piece(piece(s.field(0, 9), s.delimiters.repetition, 1), s.delimiters.component, 1).empty()) {
    return invalid("MSH-9 (message type) is empty", 0, 9);
  }
  s.refreshCharset();
  return Message(std::move(owned));
}

}  // namespace sundial::hl7

#include "hl7/message/segments.h"

#include <string_view>

#include "hl7/message/escape.h"

namespace sundial::hl7 {
namespace {

// Reads one segment's fields; `rep` selects the repetition the other helpers read.
class FieldReader {
 public:
  FieldReader(const Message& message, std::size_t segment) : m_(message), segment_(segment) {}

  std::string get(std::size_t field, std::size_t component = 1, std::size_t subcomponent = 1,
                  std::size_t repetition = 1) const {
    return m_.value(segment_, {field, repetition, component, subcomponent});
  }

  CodedElement coded(std::size_t field, std::size_t repetition = 1) const {
    return {get(field, 1, 1, repetition), get(field, 2, 1, repetition),
            get(field, 3, 1, repetition)};
  }

  // Every repetition of a CX field with an id. The field is split once: a sender's thousand
  // repetitions cost a thousand, not a million, steps.
  std::vector<PatientIdentifier> identifiers(std::size_t field) const {
    std::vector<PatientIdentifier> out;
    const Delimiters& d = m_.delimiters();
    for (const std::string_view repetition : split(rawField(field), d.repetition)) {
      const auto component = [&](std::size_t c, std::size_t sub) {
        return decode(piece(piece(repetition, d.component, c), d.subcomponent, sub));
      };
      PatientIdentifier id{component(1, 1), component(4, 1), component(4, 2), component(5, 1)};
      if (!id.id.empty()) out.push_back(std::move(id));
    }
    return out;
  }

  // XPN starting at `first` component (1 for XPN, 2 inside XCN).
  PersonName name(std::size_t field, std::size_t first = 1) const {
    return {get(field, first), get(field, first + 1), get(field, first + 2),
            get(field, first + 3), get(field, first + 4)};
  }

  Clinician clinician(std::size_t field) const { return {get(field, 1), name(field, 2)}; }

  EntityIdentifier entity(std::size_t field) const { return {get(field, 1), get(field, 2)}; }

  // Each repetition of the field: its components, each decoded, joined by '^' (trailing
  // empty components dropped). Linear in the field's length.
  std::vector<std::string> repetitionTexts(std::size_t field) const {
    std::vector<std::string> out;
    const Delimiters& d = m_.delimiters();
    for (const std::string_view repetition : split(rawField(field), d.repetition)) {
      std::string text;
      const std::vector<std::string_view> components = split(repetition, d.component);
      for (std::size_t c = 0; c < components.size(); ++c) {
        if (c > 0) text.push_back('^');
        text += decode(components[c]);
      }
      while (!text.empty() && text.back() == '^') text.pop_back();
      out.push_back(std::move(text));
    }
    return out;
  }

 private:
  std::string_view rawField(std::size_t field) const {
    return m_.raw(segment_, {.field = field, .repetition = 0});
  }

  std::string decode(std::string_view raw) const {
    if (raw.find(m_.delimiters().escape) == std::string_view::npos) {
      return toUtf8(raw, m_.charset());
    }
    return toUtf8(decodeEscapes(raw, m_.delimiters()), m_.charset());
  }

  static std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> pieces;
    if (text.empty()) return pieces;
    std::size_t start = 0;
    while (true) {
      const std::size_t next = text.find(separator, start);
      if (next == std::string_view::npos) {
        pieces.push_back(text.substr(start));
        return pieces;
      }
      pieces.push_back(text.substr(start, next - start));
      start = next + 1;
    }
  }

  static std::string_view piece(std::string_view text, char separator, std::size_t index1) {
    std::size_t start = 0;
    for (std::size_t i = 1; i < index1; ++i) {
      const std::size_t next = text.find(separator, start);
      if (next == std::string_view::npos) return {};
      start = next + 1;
    }
    const std::size_t end = text.find(separator, start);
    return text.substr(start, end == std::string_view::npos ? end : end - start);
  }

  const Message& m_;
  std::size_t segment_;
};

bool is(const Message& message, std::size_t segment, std::string_view id) {
  return segment < message.segmentCount() && message.segmentId(segment) == id;
}

}  // namespace

MessageHeader readMessageHeader(const Message& message) {
  const FieldReader f(message, 0);
  MessageHeader h;
  h.sending_application = f.get(3);
  h.sending_facility = f.get(4);
  h.receiving_application = f.get(5);
  h.receiving_facility = f.get(6);
  h.date_time = f.get(7);
  h.message_code = f.get(9, 1);
  h.trigger_event = f.get(9, 2);
  h.message_structure = f.get(9, 3);
  h.control_id = f.get(10);
  h.processing_id = f.get(11);
  h.version = f.get(12);
  h.accept_ack_type = f.get(15);
  h.application_ack_type = f.get(16);
  h.charset = f.get(18);
  return h;
}

std::optional<EventType> readEventType(const Message& message, std::size_t segment) {
  if (!is(message, segment, "EVN")) return std::nullopt;
  const FieldReader f(message, segment);
  return EventType{f.get(1), f.get(2), f.get(3), f.get(4), f.get(5), f.get(6)};
}

std::optional<PatientIdentification> readPatientIdentification(const Message& message,
                                                               std::size_t segment) {
  if (!is(message, segment, "PID")) return std::nullopt;
  const FieldReader f(message, segment);
  PatientIdentification p;
  p.identifiers = f.identifiers(3);
  p.external_id = f.get(2);
  p.name = f.name(5);
  p.birth_date = f.get(7);
  p.sex = f.get(8);
  p.account_number = f.get(18);
  return p;
}

std::optional<PatientVisit> readPatientVisit(const Message& message, std::size_t segment) {
  if (!is(message, segment, "PV1")) return std::nullopt;
  const FieldReader f(message, segment);
  PatientVisit v;
  v.patient_class = f.get(2);
  v.assigned_location = {f.get(3, 1), f.get(3, 2), f.get(3, 3), f.get(3, 4)};
  v.attending = f.clinician(7);
  v.referring = f.clinician(8);
  v.visit_number = f.get(19);
  return v;
}

std::optional<CommonOrder> readCommonOrder(const Message& message, std::size_t segment) {
  if (!is(message, segment, "ORC")) return std::nullopt;
  const FieldReader f(message, segment);
  CommonOrder o;
  o.order_control = f.get(1);
  o.placer_order_number = f.entity(2);
  o.filler_order_number = f.entity(3);
  o.order_status = f.get(5);
  o.priority = f.get(7, 6);
  o.transaction_date_time = f.get(9);
  o.ordering_provider = f.clinician(12);
  return o;
}

std::optional<ObservationRequest> readObservationRequest(const Message& message,
                                                         std::size_t segment) {
  if (!is(message, segment, "OBR")) return std::nullopt;
  const FieldReader f(message, segment);
  ObservationRequest r;
  r.set_id = f.get(1);
  r.placer_order_number = f.entity(2);
  r.filler_order_number = f.entity(3);
  r.universal_service_id = f.coded(4);
  r.priority = f.get(5);
  if (r.priority.empty()) r.priority = f.get(27, 6);
  r.requested_date_time = f.get(6);
  r.observation_date_time = f.get(7);
  r.observation_end_date_time = f.get(8);
  r.ordering_provider = f.clinician(16);
  r.placer_field_1 = f.get(18);
  r.placer_field_2 = f.get(19);
  r.filler_field_1 = f.get(20);
  r.diagnostic_service_section = f.get(24);
  r.result_status = f.get(25);
  r.reason_for_study = f.get(31, 2);
  if (r.reason_for_study.empty()) r.reason_for_study = f.get(31, 1);
  return r;
}

std::optional<Observation> readObservation(const Message& message, std::size_t segment) {
  if (!is(message, segment, "OBX")) return std::nullopt;
  const FieldReader f(message, segment);
  Observation o;
  o.set_id = f.get(1);
  o.value_type = f.get(2);
  o.identifier = f.coded(3);
  o.sub_id = f.get(4);
  o.values = f.repetitionTexts(5);
  if (!o.values.empty()) o.value = o.values.front();
  o.units = f.get(6);
  o.abnormal_flags = f.get(8);
  o.result_status = f.get(11);
  o.observation_date_time = f.get(14);
  return o;
}

std::optional<Note> readNote(const Message& message, std::size_t segment) {
  if (!is(message, segment, "NTE")) return std::nullopt;
  const FieldReader f(message, segment);
  Note n;
  n.set_id = f.get(1);
  n.source = f.get(2);
  const std::vector<std::string> lines = f.repetitionTexts(3);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) n.comment.push_back('\n');
    n.comment += lines[i];
  }
  n.comment_type = f.get(4);
  return n;
}

std::optional<MergeInformation> readMergeInformation(const Message& message,
                                                     std::size_t segment) {
  if (!is(message, segment, "MRG")) return std::nullopt;
  const FieldReader f(message, segment);
  MergeInformation m;
  m.prior_identifiers = f.identifiers(1);
  m.prior_alternate_id = f.get(2);
  m.prior_account_number = f.get(3);
  m.prior_visit_number = f.get(5);
  m.prior_name = f.name(7);
  return m;
}

std::optional<std::string> findAccessionNumber(const Message& message,
                                               std::span<const AccessionSource> sources) {
  for (const AccessionSource source : sources) {
    std::optional<std::string> found;
    switch (source) {
      case AccessionSource::Ipc1: found = message.firstValue("IPC", {.field = 1}); break;
      case AccessionSource::Obr18: found = message.firstValue("OBR", {.field = 18}); break;
      case AccessionSource::Obr19: found = message.firstValue("OBR", {.field = 19}); break;
      case AccessionSource::Obr20: found = message.firstValue("OBR", {.field = 20}); break;
      case AccessionSource::Obr3: found = message.firstValue("OBR", {.field = 3}); break;
      case AccessionSource::Orc3: found = message.firstValue("ORC", {.field = 3}); break;
    }
    if (found) return found;
  }
  return std::nullopt;
}

}  // namespace sundial::hl7

#pragma once
// Typed, decoded access to the segments Sundial uses: MSH, EVN, PID, PV1, ORC, OBR, OBX, NTE,
// MRG. Each reader takes a parsed Message and a segment index and returns plain values (UTF-8,
// escapes decoded); nullopt when the segment at that index has another id. Fields a sender
// left empty are empty strings (or nullopt where "absent" matters to the caller).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hl7/message/message.h"

namespace sundial::hl7 {

// CE / CWE: a coded value.
struct CodedElement {
  std::string identifier;
  std::string text;
  std::string coding_system;
};

// CX: an identifier with the authority that assigned it.
struct PatientIdentifier {
  std::string id;
  std::string assigning_authority;            // CX-4.1, namespace id
  std::string assigning_authority_universal;  // CX-4.2, universal id (OID)
  std::string identifier_type;                // CX-5 (MR, PI, PN, ...)
};

// XPN / XCN name parts.
struct PersonName {
  std::string family;
  std::string given;
  std::string middle;
  std::string suffix;
  std::string prefix;
};

// XCN: a clinician (attending, referring, ordering) with their id.
struct Clinician {
  std::string id;
  PersonName name;
};

// EI: an entity identifier (placer/filler order numbers).
struct EntityIdentifier {
  std::string id;
  std::string namespace_id;
};

struct MessageHeader {
  std::string sending_application;    // MSH-3.1
  std::string sending_facility;       // MSH-4.1
  std::string receiving_application;  // MSH-5.1
  std::string receiving_facility;     // MSH-6.1
  std::string date_time;              // MSH-7.1
  std::string message_code;           // MSH-9.1 (ORM, ORU, ADT, ...)
  std::string trigger_event;          // MSH-9.2
  std::string message_structure;      // MSH-9.3 (may be empty before v2.4)
  std::string control_id;             // MSH-10
  std::string processing_id;          // MSH-11.1 (P, T, D)
  std::string version;                // MSH-12.1
  std::string accept_ack_type;        // MSH-15 (AL, NE, ER, SU); empty: original mode
  std::string application_ack_type;   // MSH-16
  std::string charset;                // MSH-18, first repetition
};

struct EventType {
  std::string event_type_code;     // EVN-1
  std::string recorded_date_time;  // EVN-2
  std::string planned_date_time;   // EVN-3
  std::string reason_code;         // EVN-4
  std::string operator_id;         // EVN-5.1
  std::string occurred_date_time;  // EVN-6
};

struct PatientIdentification {
  std::vector<PatientIdentifier> identifiers;  // PID-3, every repetition
  std::string external_id;                     // PID-2.1 (pre-2.5 senders put the MRN here)
  PersonName name;                             // PID-5, first repetition
  std::string birth_date;                      // PID-7.1, as sent (YYYYMMDD[HHMM...])
  std::string sex;                             // PID-8
  std::string account_number;                  // PID-18.1
};

struct PatientLocation {
  std::string point_of_care;  // PL-1
  std::string room;           // PL-2
  std::string bed;            // PL-3
  std::string facility;       // PL-4.1
};

struct PatientVisit {
  std::string patient_class;  // PV1-2 (E, I, O, ...)
  PatientLocation assigned_location;  // PV1-3
  Clinician attending;                // PV1-7, first repetition
  Clinician referring;                // PV1-8, first repetition
  std::string visit_number;           // PV1-19.1
};

struct CommonOrder {
  std::string order_control;   // ORC-1 (NW, CA, DC, XO, SC, ...)
  EntityIdentifier placer_order_number;  // ORC-2
  EntityIdentifier filler_order_number;  // ORC-3
  std::string order_status;    // ORC-5
  std::string priority;        // ORC-7.6 (TQ priority)
  std::string transaction_date_time;  // ORC-9.1
  Clinician ordering_provider;        // ORC-12, first repetition
};

struct ObservationRequest {
  std::string set_id;                     // OBR-1
  EntityIdentifier placer_order_number;   // OBR-2
  EntityIdentifier filler_order_number;   // OBR-3
  CodedElement universal_service_id;      // OBR-4
  std::string priority;                   // OBR-5, else OBR-27.6
  std::string requested_date_time;        // OBR-6.1
  std::string observation_date_time;      // OBR-7.1
  std::string observation_end_date_time;  // OBR-8.1
  std::string reason_for_study;           // OBR-31, first repetition's text (or identifier)
  Clinician ordering_provider;            // OBR-16, first repetition
  std::string placer_field_1;             // OBR-18
  std::string placer_field_2;             // OBR-19
  std::string filler_field_1;             // OBR-20
  std::string diagnostic_service_section;  // OBR-24 (CT, MR, ...)
  std::string result_status;              // OBR-25 (P, F, C, ...)
};

struct Observation {
  std::string set_id;          // OBX-1
  std::string value_type;      // OBX-2 (ST, TX, FT, NM, CE, ED, ...)
  CodedElement identifier;     // OBX-3
  std::string sub_id;          // OBX-4
  std::string value;           // OBX-5, first repetition; components of coded types kept as
                               // sent, each decoded, joined by '^'
  std::vector<std::string> values;  // OBX-5, every repetition, as `value`
  std::string units;           // OBX-6.1
  std::string abnormal_flags;  // OBX-8
  std::string result_status;   // OBX-11
  std::string observation_date_time;  // OBX-14.1
};

struct Note {
  std::string set_id;        // NTE-1
  std::string source;        // NTE-2
  std::string comment;       // NTE-3, repetitions joined by line feeds
  std::string comment_type;  // NTE-4.1
};

struct MergeInformation {
  std::vector<PatientIdentifier> prior_identifiers;  // MRG-1, every repetition
  std::string prior_alternate_id;                    // MRG-2.1
  std::string prior_account_number;                  // MRG-3.1
  std::string prior_visit_number;                    // MRG-5.1
  PersonName prior_name;                             // MRG-7
};

// Segment 0 is always MSH, so the header is always there.
MessageHeader readMessageHeader(const Message& message);
std::optional<EventType> readEventType(const Message& message, std::size_t segment);
std::optional<PatientIdentification> readPatientIdentification(const Message& message,
                                                               std::size_t segment);
std::optional<PatientVisit> readPatientVisit(const Message& message, std::size_t segment);
std::optional<CommonOrder> readCommonOrder(const Message& message, std::size_t segment);
std::optional<ObservationRequest> readObservationRequest(const Message& message,
                                                         std::size_t segment);
std::optional<Observation> readObservation(const Message& message, std::size_t segment);
std::optional<Note> readNote(const Message& message, std::size_t segment);
std::optional<MergeInformation> readMergeInformation(const Message& message, std::size_t segment);

// Where a site puts the accession number; configured per site, tried in order.
enum class AccessionSource {
  Ipc1,   // IPC-1 (IHE radiology, v2.5.1 OMI)
  Obr18,  // OBR-18, placer field 1
  Obr19,  // OBR-19, placer field 2
  Obr20,  // OBR-20, filler field 1
  Obr3,   // OBR-3.1, filler order number
  Orc3,   // ORC-3.1, filler order number
};

// The order most sites use: IPC-1, then OBR-18, then OBR-3.
inline constexpr AccessionSource kDefaultAccessionSources[] = {
    AccessionSource::Ipc1, AccessionSource::Obr18, AccessionSource::Obr3};

// The first non-empty accession number among `sources`, looked up in the first IPC, OBR or
// ORC of the message; nullopt when none holds one.
std::optional<std::string> findAccessionNumber(
    const Message& message,
    std::span<const AccessionSource> sources = kDefaultAccessionSources);

}  // namespace sundial::hl7

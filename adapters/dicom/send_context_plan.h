#pragma once
// Which presentation contexts the forwarding SCU proposes when it opens an association.
// Pure code: no DCMTK, no I/O, so the plan is tested without a peer.

#include <cstddef>
#include <string>
#include <vector>

namespace sundial::adapters::dicom {

// DICOM allows at most 128 presentation contexts in one association request (odd ids 1..255).
inline constexpr std::size_t kMaxPresentationContexts = 128;

inline constexpr const char* kExplicitVrLittleEndianUid = "1.2.840.10008.1.2.1";
inline constexpr const char* kImplicitVrLittleEndianUid = "1.2.840.10008.1.2";

// One instance's needs: its SOP class and the transfer syntax its spool file is encoded in.
struct SendSyntaxNeed {
  std::string sop_class_uid;
  std::string transfer_syntax_uid;  // empty: unknown, only the conversion fallback is offered

  bool operator==(const SendSyntaxNeed&) const = default;
};

struct ProposedContext {
  std::string sop_class_uid;
  std::vector<std::string> transfer_syntax_uids;

  bool operator==(const ProposedContext&) const = default;
};

// For each SOP class, in order of first appearance in `needs`: one context per distinct own
// transfer syntax (sent as is when accepted) and one conversion fallback offering explicit
// then implicit VR little endian. Never more than `limit` contexts: when a SOP class does not
// fit whole, its fallback and as many of its own syntaxes as fit are kept, so that everything
// proposed can at least be sent converted. Needs without a SOP class are ignored.
std::vector<ProposedContext> planPresentationContexts(const std::vector<SendSyntaxNeed>& needs,
                                                      std::size_t limit = kMaxPresentationContexts);

// Whether the transfer syntax is one DCMTK can re-encode into the other uncompressed little
// endian syntax while streaming the value from disk (no decoding, no byte swapping).
bool isUncompressedLittleEndian(const std::string& transfer_syntax_uid);

}  // namespace sundial::adapters::dicom

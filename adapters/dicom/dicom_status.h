#pragma once
// The C-STORE statuses Sundial answers with and tells apart (PS3.4 B.2.3, PS3.7 C), defined
// once for receiving and forwarding, and the one mapping from an Error to the C-STORE status
// we answer (STYLE.md §4).

#include <cstdint>
#include <string>

#include "engine/domain/result.h"

namespace sundial::adapters::dicom::status {

inline constexpr std::uint16_t kSuccess = 0x0000;
// Refused: out of resources. The sender keeps the instance and retries later.
inline constexpr std::uint16_t kOutOfResources = 0xA700;
// Error: cannot understand (0xCxxx). Retrying the same data set will not help.
inline constexpr std::uint16_t kCannotUnderstand = 0xC000;
// Failure: processing failure, for a bug on our side.
inline constexpr std::uint16_t kProcessingFailure = 0x0110;
// Error: data set does not match SOP class (0xA9xx).
inline constexpr std::uint16_t kDataSetDoesNotMatchSopClass = 0xA900;
// Warnings: the instance was stored, with a remark.
inline constexpr std::uint16_t kWarningCoercionOfDataElements = 0xB000;
inline constexpr std::uint16_t kWarningElementsDiscarded = 0xB006;
inline constexpr std::uint16_t kWarningDataSetDoesNotMatchSopClass = 0xB007;
// A status's class is its high byte (0xA7xx, 0xA9xx, 0xCxxx ...).
inline constexpr std::uint16_t kClassMask = 0xFF00;

// InvalidInput → cannot understand; ResourceExhausted, Unavailable, Timeout and disk trouble
// → out of resources (the sender should retry); anything else → processing failure.
std::uint16_t storeStatusFor(ErrorCode code);

// "0xA700": statuses appear in logs in this one form.
std::string formatStatus(std::uint16_t status);

}  // namespace sundial::adapters::dicom::status

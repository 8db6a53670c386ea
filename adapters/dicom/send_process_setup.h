#pragma once
// Process-wide set-up the forwarding SCU needs before its first association. Idempotent and
// thread-safe (std::call_once); DicomInstanceSender calls it from its constructor, and
// `serve` may call it at start-up, before any thread exists, which is the safest moment.

namespace sundial::adapters::dicom {

// - Sets TCP_NODELAY=1 in the environment unless it already is "1": DCMTK 3.6.7 as built by
//   Debian disables Nagle only when that variable is present; without it every C-STORE
//   response waits for the peer's delayed ACK (~40 ms, about 23 instances/s per association).
//   setenv is not safe while another thread reads the environment: call this early.
// - Registers DCMTK's JPEG, JPEG-LS and RLE decoders, used to convert an instance when the
//   destination does not accept its own transfer syntax.
void prepareDicomSendProcess();

}  // namespace sundial::adapters::dicom

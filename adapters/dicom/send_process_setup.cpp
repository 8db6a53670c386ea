#include "adapters/dicom/send_process_setup.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"

namespace sundial::adapters::dicom {

void prepareDicomSendProcess() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* nodelay = std::getenv("TCP_NODELAY");
    if (nodelay == nullptr || std::strcmp(nodelay, "1") != 0) {
      ::setenv("TCP_NODELAY", "1", 1);
    }
    // The forwarder writes to peers' sockets itself (send_file_streamer): a peer that closed
    // its end must be a write error, not a signal that ends the process.
    std::signal(SIGPIPE, SIG_IGN);
    // Never unregistered: the codecs live as long as the process.
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

}  // namespace sundial::adapters::dicom

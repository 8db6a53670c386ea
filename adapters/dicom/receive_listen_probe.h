#pragma once
// Whether this process has a TCP socket listening on a port (Linux: /proc/net/tcp{,6} and
// /proc/self/fd). DCMTK's pool opens its port inside its own thread and says nothing when it
// is ready; start() polls this to return only once senders can connect. Any thread.

#include <cstdint>
#include <set>
#include <string>

namespace sundial::adapters::dicom {

// Inodes of this process's sockets listening on `port` (empty when none). Comparing a set
// taken before opening with one taken after tells our new socket from an older one.
std::set<std::string> listeningSockets(std::uint16_t port);

}  // namespace sundial::adapters::dicom

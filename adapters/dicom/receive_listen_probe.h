#pragma once
// Whether this process has a TCP socket listening on a port (Linux: /proc/net/tcp{,6} and
// /proc/self/fd). DCMTK's pool opens its port inside its own thread and says nothing when it
// is ready; start() polls this to return only once senders can connect. Any thread.

#include <cstdint>
#include <map>
#include <string>

namespace sundial::adapters::dicom {

// This process's sockets listening on `port`: socket inode → file descriptor (empty when
// none). Comparing a map taken before opening with one taken after tells our new socket from
// an older one.
std::map<std::string, int> listeningSockets(std::uint16_t port);

// Marks a descriptor close-on-exec (DCMTK's sockets are not), so that child processes do not
// inherit DICOM sockets.
void setCloseOnExec(int fd);

}  // namespace sundial::adapters::dicom

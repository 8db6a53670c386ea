#include "adapters/dicom/receive_listen_probe.h"

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <system_error>

namespace sundial::adapters::dicom {
namespace {

constexpr const char* kListenState = "0A";

// Socket inodes in LISTEN state on `port`, from one /proc/net table.
void listeningInodes(const char* table, std::uint16_t port, std::set<std::string>& inodes) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode;
    size_t colon = local.rfind(':');
    if (colon == std::string::npos || state != kListenState) continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) inodes.insert(inode);
  }
}

}  // namespace

std::map<std::string, int> listeningSockets(std::uint16_t port) {
  std::set<std::string> inodes;
  std::map<std::string, int> ours;
  listeningInodes("/proc/net/tcp", port, inodes);
  listeningInodes("/proc/net/tcp6", port, inodes);
  if (inodes.empty()) return ours;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code link_ec;
    std::string target = std::filesystem::read_symlink(it->path(), link_ec).string();
    if (link_ec || target.rfind("socket:[", 0) != 0) continue;
    std::string inode = target.substr(8, target.size() - 9);
    if (inodes.count(inode) > 0) ours[inode] = std::stoi(it->path().filename().string());
  }
  return ours;
}

void setCloseOnExec(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace sundial::adapters::dicom

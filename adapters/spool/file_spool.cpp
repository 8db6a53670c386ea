#include "adapters/spool/file_spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <system_error>

#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::adapters::spool {
namespace fs = std::filesystem;

namespace {

std::string errnoText(int error) { return std::error_code(error, std::generic_category()).message(); }

// A spool path as errors (and so logs) may show it: the folder and file names below the
// root are the study's and the instance's UIDs, masked unless identifying logs are on.
std::string pathForErrors(const fs::path& path) {
  fs::path shown;
  for (const fs::path& part : path) {
    const std::string name = part.stem().string();
    const bool uid = name.size() >= 8 &&
                     name.find_first_not_of("0123456789.") == std::string::npos;
    shown /= uid ? fs::path(std::string(log::identifying(name)) + part.extension().string())
                 : part;
  }
  return shown.string();
}

// Disk trouble of any kind means "refuse new work" to the sender (STYLE.md §9).
Error diskError(std::string what, const fs::path& path, int error) {
  return makeError(ErrorCode::ResourceExhausted, std::move(what) + ": " + errnoText(error),
                   "path=" + pathForErrors(path));
}

// fsync on a file or a folder; both can be opened read-only for it on Linux.
Result<void> syncPath(const fs::path& path, bool directory) {
  int flags = O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return diskError("cannot open for fsync", path, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) return diskError("fsync failed", path, error);
  return okResult();
}

}  // namespace

FileSpool::FileSpool(fs::path root, config::SpoolConfig config, engine::Metrics& metrics,
                     std::size_t files_ready_at_start)
    : root_(fs::absolute(root).lexically_normal()),
      config_(config),
      files_ready_at_start_(files_ready_at_start),
      recycled_({kMaxRecycledFiles, kMaxRecycledTotalBytes, kMaxRecycledFileBytes}),
      files_created_(metrics.counter("sundial_spool_files_created_total",
                                     "Spool files created for incoming instances (no recycled "
                                     "file was free)")),
      files_recycled_(metrics.counter("sundial_spool_files_recycled_total",
                                      "Incoming instances written over a recycled spool file")),
      recycled_files_(metrics.gauge("sundial_spool_recycled_files",
                                    "Recycled spool files waiting for an incoming instance")),
      recycled_bytes_(metrics.gauge("sundial_spool_recycled_bytes",
                                    "Disk held by recycled spool files (counted as used by "
                                    "the free-space floor)")) {}

fs::path FileSpool::committedPath(const std::string& study_uid,
                                  const std::string& sop_instance_uid) const {
  return root_ / study_uid / (sop_instance_uid + kCommittedSuffix);
}

FileSpool::~FileSpool() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<void> FileSpool::lockRoot() {
  const fs::path path = root_ / kLockFileName;
  // O_CLOEXEC: a child (the embedded redis-server) must not inherit the lock, or it would
  // outlive a killed Sundial and refuse its restart.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return diskError("cannot open the spool's lock file", path, errno);
  // Per open file description: a second FileSpool in this process is refused too.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {};
    const ssize_t got = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (error != EWOULDBLOCK) return diskError("cannot lock the spool folder", path, error);
    std::string pid(holder, got > 0 ? static_cast<std::size_t>(got) : 0);
    pid = pid.substr(0, pid.find_first_not_of("0123456789"));
    return makeError(ErrorCode::Rejected,
                     "the spool folder " + root_.string() +
                         " is in use by another Sundial process" +
                         (pid.empty() ? std::string() : " (pid " + pid + ")") +
                         ": stop it, or give each process its own node.data_dir",
                     "path=" + path.string());
  }
  // Only for the message above; the lock, not this pid, says whether the spool is taken.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    log::warn("spool_lock_pid_not_written",
              {{"path", path.string()}, {"reason", errnoText(errno)}});
  }
  lock_fd_ = fd;
  return okResult();
}

bool FileSpool::isInside(const fs::path& path, const fs::path& dir) {
  fs::path relative = fs::absolute(path).lexically_normal().lexically_relative(dir);
  if (relative.empty() || relative == ".") return false;
  return *relative.begin() != "..";
}

Result<void> FileSpool::start() {
  std::error_code ec;
  fs::create_directories(temporaryDir(), ec);
  if (ec) {
    return makeError(ErrorCode::ResourceExhausted,
                     "cannot create the spool folder: " + ec.message(),
                     "path=" + temporaryDir().string());
  }
  // Before anything in the temporary folder is touched: its files may be another process's.
  if (lock_fd_ < 0) {
    if (auto locked = lockRoot(); !locked) return locked;
  }
  if (::access(temporaryDir().c_str(), W_OK) != 0) {
    return diskError("spool folder is not writable", temporaryDir(), errno);
  }
  recycled_.takeAll();  // forgotten; the files are found again below
  std::vector<fs::directory_entry> leftovers;
  for (fs::directory_iterator it(temporaryDir(), ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    if (it->is_regular_file(entry_ec)) leftovers.push_back(*it);
  }
  if (ec) {
    return makeError(ErrorCode::ResourceExhausted,
                     "cannot list the spool's temporary folder: " + ec.message(),
                     "path=" + temporaryDir().string());
  }
  // Never acknowledged (an instance is acknowledged only after its rename out of this folder):
  // written over like any recycled file. Renamed only after the listing: a file renamed while
  // the folder is read could be listed twice.
  int kept = 0;
  int removed = 0;
  for (const fs::directory_entry& leftover : leftovers) {
    if (recycle(leftover.path(), /*evict_oldest=*/false)) {
      ++kept;
    } else if (std::error_code remove_ec; fs::remove(leftover.path(), remove_ec)) {
      ++removed;
    }
  }
  auto made = makeFilesReady();
  if (!made) return made.error();
  updateRecycledGauges();
  log::info("spool_started", {{"root", root_.string()},
                              {"leftover_files_kept", std::to_string(kept)},
                              {"leftover_files_removed", std::to_string(removed)},
                              {"empty_files_made", std::to_string(*made)}});
  return okResult();
}

Result<int> FileSpool::makeFilesReady() {
  int made = 0;
  while (recycled_.files() < files_ready_at_start_ && recycled_.reserve(0)) {
    const fs::path path = temporaryName(kRecycledSuffix);
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640);
    if (fd < 0) {
      const int error = errno;
      recycled_.release(0);
      return diskError("cannot create a spool file", path, error);
    }
    ::close(fd);
    recycled_.add({path, 0});
    ++made;
  }
  return made;
}

Result<std::uint64_t> FileSpool::freeBytes() const {
  if (free_bytes_for_test_) return free_bytes_for_test_();
  struct statvfs stats {};
  if (::statvfs(root_.c_str(), &stats) != 0) {
    return diskError("cannot read the spool's free space", root_, errno);
  }
  return static_cast<std::uint64_t>(stats.f_bavail) * static_cast<std::uint64_t>(stats.f_frsize);
}

Result<void> FileSpool::checkFreeSpace() const {
  Result<std::uint64_t> free = freeBytes();
  if (!free) return free.error();
  const std::uint64_t free_bytes = *free;
  if (free_bytes < config_.min_free_bytes) {
    return makeError(ErrorCode::ResourceExhausted,
                     "spool disk is below its free-space floor (" + std::to_string(free_bytes) +
                         " bytes free, at least " + std::to_string(config_.min_free_bytes) +
                         " required)",
                     "path=" + root_.string());
  }
  return okResult();
}

fs::path FileSpool::temporaryName(const char* suffix) {
  // Unique across threads (counter), restarts (time) and processes sharing a spool (pid).
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return temporaryDir() / (std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
                           std::to_string(next_temporary_.fetch_add(1)) + suffix);
}

void FileSpool::updateRecycledGauges() {
  recycled_files_.set(static_cast<double>(recycled_.files()));
  recycled_bytes_.set(static_cast<double>(recycled_.bytes()));
}

bool FileSpool::reuseRecycled(const fs::path& temporary, std::uint64_t expected_bytes) {
  while (std::optional<RecycledFiles::File> recycled = recycled_.take(expected_bytes)) {
    // Gone only if something else cleaned the folder: take the next one.
    if (::rename(recycled->path.c_str(), temporary.c_str()) == 0) {
      updateRecycledGauges();
      return true;
    }
  }
  updateRecycledGauges();
  return false;
}

bool FileSpool::recycle(const fs::path& file, bool evict_oldest) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return false;
  const auto bytes = static_cast<std::uintmax_t>(info.st_size);
  if (evict_oldest) {
    std::optional<std::vector<RecycledFiles::File>> evicted =
        recycled_.reserveEvictingOldest(bytes);
    if (!evicted) return false;
    for (const RecycledFiles::File& old : *evicted) ::unlink(old.path.c_str());
  } else if (!recycled_.reserve(bytes)) {
    return false;
  }
  fs::path recycled = temporaryName(kRecycledSuffix);
  if (::rename(file.c_str(), recycled.c_str()) != 0) {
    recycled_.release(bytes);
    return false;
  }
  recycled_.add({std::move(recycled), bytes});
  updateRecycledGauges();
  return true;
}

int FileSpool::deleteRecycledFiles() {
  std::vector<RecycledFiles::File> files = recycled_.takeAll();
  updateRecycledGauges();
  for (const RecycledFiles::File& file : files) ::unlink(file.path.c_str());
  return static_cast<int>(files.size());
}

Result<fs::path> FileSpool::createTemporary() {
  // O_EXCL makes a name collision visible instead of silently sharing a file.
  for (int attempt = 0; attempt < 8; ++attempt) {
    fs::path path = temporaryName(kTemporarySuffix);
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640);
    if (fd >= 0) {
      ::close(fd);
      files_created_.add();
      return path;
    }
    if (errno != EEXIST) return diskError("spool is not writable", path, errno);
  }
  return makeError(ErrorCode::Internal, "could not find a free temporary file name",
                   "path=" + temporaryDir().string());
}

Result<fs::path> FileSpool::reserveTemporary(std::uint64_t expected_bytes) {
  Result<void> space = checkFreeSpace();
  // Recycled files hold disk the floor counts as used: give it back before refusing work.
  if (!space && recycled_.files() > 0) {
    const int deleted = deleteRecycledFiles();
    log::warn("spool_recycled_files_deleted", {{"reason", "below the free-space floor"},
                                               {"files", std::to_string(deleted)}});
    space = checkFreeSpace();
  }
  if (!space) return space.error();
  fs::path reused = temporaryName(kTemporarySuffix);
  if (reuseRecycled(reused, expected_bytes)) {
    files_recycled_.add();
    return reused;
  }
  return createTemporary();
}

Result<fs::path> FileSpool::commit(const fs::path& temporary, const std::string& study_uid,
                                   const std::string& sop_instance_uid, FileState state) {
  // UIDs become path components: anything but digits and dots could leave the spool.
  if (!isValidUid(study_uid) || !isValidUid(sop_instance_uid)) {
    return makeError(ErrorCode::InvalidInput, "not a valid DICOM UID for a spool file name",
                     "temporary=" + temporary.string());
  }
  if (!isInside(temporary, temporaryDir())) {
    return makeError(ErrorCode::InvalidInput, "not a temporary file of this spool",
                     "path=" + temporary.string());
  }
  // The file's data and size must be on disk before its final name is: a crash between the
  // two would otherwise leave a committed name on a short or empty file.
  if (config_.fsync && state != FileState::Synced) {
    if (auto synced = syncPath(temporary, false); !synced) return synced.error();
  }
  const fs::path study_dir = root_ / study_uid;
  const fs::path final_path = committedPath(study_uid, sop_instance_uid);
  // The rename first: the study folder is usually there already (it outlives its files), so
  // a mkdir per instance would only fail with EEXIST, contending for the root's lock. ENOENT
  // means no folder (or no temporary file): make it, then rename again. The folder may also go
  // between the two (removeEmptyStudyFolders(), which takes only folders empty for a while);
  // more than a retry or two means something else keeps deleting it.
  int rename_error = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (before_rename_) before_rename_();
    if (::rename(temporary.c_str(), final_path.c_str()) == 0) {
      // The rename is durable only once its folder is: a crash before this could leave the
      // file under its temporary name, which is never read (start() recycles or deletes it).
      if (config_.fsync) {
        if (auto synced = syncPath(study_dir, true); !synced) return synced.error();
      }
      return final_path;
    }
    rename_error = errno;
    if (rename_error != ENOENT) break;
    std::error_code ec;
    if (!fs::exists(temporary, ec)) {
      return makeError(ErrorCode::NotFound, "temporary file is gone",
                       "path=" + temporary.string());
    }
    if (before_mkdir_) before_mkdir_();
    if (::mkdir(study_dir.c_str(), 0750) != 0 && errno != EEXIST) {
      return diskError("cannot create the study folder", study_dir, errno);
    }
    // A new folder: its name must be durable before a file in it can be. On EEXIST another
    // thread made it just now and may not have synced the root yet, and this instance must
    // not be acknowledged before it has: sync here too (a rare path, the cost is no matter).
    if (config_.fsync) {
      root_syncs_.fetch_add(1);
      if (auto synced = syncPath(root_, true); !synced) return synced.error();
    }
  }
  return diskError("cannot rename into the spool", final_path, rename_error);
}

void FileSpool::discard(const fs::path& temporary) {
  if (!isInside(temporary, temporaryDir())) return;
  // A refused or broken-off instance's file is as good as any for the next one.
  if (!recycle(temporary, /*evict_oldest=*/false)) ::unlink(temporary.c_str());
}

bool FileSpool::isCommittedPath(const fs::path& path) const {
  return isInside(path, root_) && !isInside(path, temporaryDir());
}

// The study folder stays, even when empty: see removeEmptyStudyFolders().
bool FileSpool::removeIfCheap(const fs::path& committed) {
  return isCommittedPath(committed) && recycle(committed, /*evict_oldest=*/false);
}

Result<void> FileSpool::remove(const fs::path& committed) {
  if (!isCommittedPath(committed)) {
    return makeError(ErrorCode::InvalidInput, "not a committed file of this spool",
                     "path=" + pathForErrors(committed));
  }
  if (!recycle(committed, /*evict_oldest=*/true) && ::unlink(committed.c_str()) != 0) {
    int error = errno;
    if (error == ENOENT) {
      return makeError(ErrorCode::NotFound, "spool file already gone",
                       "path=" + pathForErrors(committed));
    }
    return makeError(ErrorCode::Unavailable, "cannot remove spool file: " + errnoText(error),
                     "path=" + pathForErrors(committed));
  }
  return okResult();
}

int FileSpool::removeEmptyStudyFolders(fs::file_time_type changed_before) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator study(root_, ec), end; !ec && study != end; study.increment(ec)) {
    std::error_code entry_ec;
    if (!study->is_directory(entry_ec) || study->path().filename() == kTemporaryDirName) continue;
    const fs::file_time_type changed = fs::last_write_time(study->path(), entry_ec);
    if (entry_ec || changed >= changed_before) continue;
    // Fails harmlessly (ENOTEMPTY) when an instance arrived since; no fsync of the root: a
    // crash may bring the empty folder back, which is harmless.
    if (::rmdir(study->path().c_str()) == 0) ++removed;
  }
  return removed;
}

int FileSpool::removeEmptyStudyFolders() {
  return removeEmptyStudyFolders(fs::file_time_type::clock::now() - kEmptyStudyFolderAge);
}

std::vector<fs::path> FileSpool::listCommitted() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator study(root_, ec), end; !ec && study != end; study.increment(ec)) {
    std::error_code entry_ec;
    if (!study->is_directory(entry_ec) || study->path().filename() == kTemporaryDirName) continue;
    for (fs::directory_iterator file(study->path(), entry_ec); !entry_ec && file != end;
         file.increment(entry_ec)) {
      std::error_code file_ec;
      if (file->is_regular_file(file_ec) && file->path().extension() == kCommittedSuffix) {
        files.push_back(file->path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace sundial::adapters::spool

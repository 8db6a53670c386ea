#include "adapters/spool/file_spool.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
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

FileSpool::FileSpool(fs::path root, config::SpoolConfig config)
    : root_(fs::absolute(root).lexically_normal()), config_(config) {}

fs::path FileSpool::committedPath(const std::string& study_uid,
                                  const std::string& sop_instance_uid) const {
  return root_ / study_uid / (sop_instance_uid + kCommittedSuffix);
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
  if (::access(temporaryDir().c_str(), W_OK) != 0) {
    return diskError("spool folder is not writable", temporaryDir(), errno);
  }
  {
    std::lock_guard lock(recycled_mutex_);
    recycled_.clear();  // deleted below with every other temporary file
  }
  int removed = 0;
  for (fs::directory_iterator it(temporaryDir(), ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code remove_ec;
    if (it->is_regular_file(remove_ec) && fs::remove(it->path(), remove_ec)) ++removed;
  }
  if (ec) {
    return makeError(ErrorCode::ResourceExhausted,
                     "cannot list the spool's temporary folder: " + ec.message(),
                     "path=" + temporaryDir().string());
  }
  log::info("spool_started", {{"root", root_.string()},
                              {"stale_temporary_removed", std::to_string(removed)}});
  return okResult();
}

Result<void> FileSpool::checkFreeSpace() const {
  struct statvfs stats {};
  if (::statvfs(root_.c_str(), &stats) != 0) {
    return diskError("cannot read the spool's free space", root_, errno);
  }
  std::uint64_t free_bytes =
      static_cast<std::uint64_t>(stats.f_bavail) * static_cast<std::uint64_t>(stats.f_frsize);
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

bool FileSpool::reuseRecycled(const fs::path& temporary) {
  while (true) {
    fs::path recycled;
    {
      std::lock_guard lock(recycled_mutex_);
      if (recycled_.empty()) return false;
      recycled = std::move(recycled_.back());
      recycled_.pop_back();
    }
    // Gone only if something else cleaned the folder: take the next one.
    if (::rename(recycled.c_str(), temporary.c_str()) == 0) return true;
  }
}

bool FileSpool::recycle(const fs::path& committed) {
  {
    std::lock_guard lock(recycled_mutex_);
    if (recycled_.size() >= kMaxRecycledFiles) return false;
  }
  struct stat info {};
  if (::stat(committed.c_str(), &info) != 0 ||
      static_cast<std::uintmax_t>(info.st_size) > kMaxRecycledBytes) {
    return false;
  }
  fs::path recycled = temporaryName(kRecycledSuffix);
  if (::rename(committed.c_str(), recycled.c_str()) != 0) return false;
  std::lock_guard lock(recycled_mutex_);
  recycled_.push_back(std::move(recycled));
  return true;
}

size_t FileSpool::recycledFilesForTest() const {
  std::lock_guard lock(recycled_mutex_);
  return recycled_.size();
}

Result<fs::path> FileSpool::reserveTemporary() {
  if (auto space = checkFreeSpace(); !space) return space.error();
  fs::path reused = temporaryName(kTemporarySuffix);
  if (reuseRecycled(reused)) return reused;
  // O_EXCL makes a name collision visible instead of silently sharing a file.
  for (int attempt = 0; attempt < 8; ++attempt) {
    fs::path path = temporaryName(kTemporarySuffix);
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640);
    if (fd >= 0) {
      ::close(fd);
      return path;
    }
    if (errno != EEXIST) return diskError("spool is not writable", path, errno);
  }
  return makeError(ErrorCode::Internal, "could not find a free temporary file name",
                   "path=" + temporaryDir().string());
}

Result<fs::path> FileSpool::commit(const fs::path& temporary, const std::string& study_uid,
                                   const std::string& sop_instance_uid) {
  // UIDs become path components: anything but digits and dots could leave the spool.
  if (!isValidUid(study_uid) || !isValidUid(sop_instance_uid)) {
    return makeError(ErrorCode::InvalidInput, "not a valid DICOM UID for a spool file name",
                     "temporary=" + temporary.string());
  }
  if (!isInside(temporary, temporaryDir())) {
    return makeError(ErrorCode::InvalidInput, "not a temporary file of this spool",
                     "path=" + temporary.string());
  }
  if (config_.fsync) {
    if (auto synced = syncPath(temporary, false); !synced) return synced.error();
  }
  fs::path study_dir = root_ / study_uid;
  fs::path final_path = committedPath(study_uid, sop_instance_uid);
  // remove() may delete an emptied study folder between our mkdir and rename: retry then.
  int rename_error = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (::mkdir(study_dir.c_str(), 0750) == 0) {
      if (config_.fsync) {
        if (auto synced = syncPath(root_, true); !synced) return synced.error();
      }
    } else if (errno != EEXIST) {
      return diskError("cannot create the study folder", study_dir, errno);
    }
    if (::rename(temporary.c_str(), final_path.c_str()) == 0) {
      // The rename is durable only once its folder is: a crash before this could leave the
      // file under its temporary name, which start() deletes as never acknowledged.
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
  }
  return diskError("cannot rename into the spool", final_path, rename_error);
}

void FileSpool::discard(const fs::path& temporary) {
  if (!isInside(temporary, temporaryDir())) return;
  ::unlink(temporary.c_str());
}

bool FileSpool::isCommittedPath(const fs::path& path) const {
  return isInside(path, root_) && !isInside(path, temporaryDir());
}

void FileSpool::removeStudyFolderIfEmpty(const fs::path& committed) const {
  // Fails harmlessly (ENOTEMPTY) while the folder still has files.
  fs::path study_dir = fs::absolute(committed).lexically_normal().parent_path();
  if (study_dir != root_) ::rmdir(study_dir.c_str());
}

bool FileSpool::removeIfCheap(const fs::path& committed) {
  if (!isCommittedPath(committed) || !recycle(committed)) return false;
  removeStudyFolderIfEmpty(committed);
  return true;
}

Result<void> FileSpool::remove(const fs::path& committed) {
  if (!isCommittedPath(committed)) {
    return makeError(ErrorCode::InvalidInput, "not a committed file of this spool",
                     "path=" + pathForErrors(committed));
  }
  if (!recycle(committed) && ::unlink(committed.c_str()) != 0) {
    int error = errno;
    if (error == ENOENT) {
      return makeError(ErrorCode::NotFound, "spool file already gone",
                       "path=" + pathForErrors(committed));
    }
    return makeError(ErrorCode::Unavailable, "cannot remove spool file: " + errnoText(error),
                     "path=" + pathForErrors(committed));
  }
  removeStudyFolderIfEmpty(committed);
  return okResult();
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

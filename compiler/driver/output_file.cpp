#include "driver/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "distribute/distribute.h"

namespace relc::driver {
namespace {

namespace fs = std::filesystem;

// The temporary file being written, removed if the process is interrupted meanwhile (a 3 MB
// log left behind by a Ctrl-C). A fixed buffer: a signal handler may not allocate.
char interrupted_temporary[PATH_MAX] = {};

void RemoveTemporaryAndDie(int signal_number) {
  if (interrupted_temporary[0] != '\0') unlink(interrupted_temporary);
  std::signal(signal_number, SIG_DFL);
  raise(signal_number);
}

// Writes all of `contents` to `fd`; false with errno set.
bool WriteAll(int fd, std::string_view contents) {
  while (!contents.empty()) {
    ssize_t written = write(fd, contents.data(), contents.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    contents.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

}  // namespace

namespace {

std::string WriteFileHere(const std::string& path, std::string_view contents) {
  // Through a symbolic link to the file it names: replacing the link would leave the file as it was.
  std::error_code error_code;
  fs::path target = path;
  if (fs::is_symlink(target, error_code)) target = fs::weakly_canonical(target, error_code);
  struct stat existing {};
  const bool exists = stat(target.c_str(), &existing) == 0;
  // A device or a pipe (`--log /dev/null`) is written to, not replaced by a regular file.
  if (exists && !S_ISREG(existing.st_mode)) {
    int fd = open(target.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return std::strerror(errno);
    bool written = WriteAll(fd, contents);
    int error = errno;
    if (close(fd) != 0 && written) written = false, error = errno;
    return written ? std::string() : std::strerror(error);
  }
  const std::string temporary = target.string() + ".relc-tmp-" + std::to_string(getpid());
  if (temporary.size() >= sizeof interrupted_temporary) return std::strerror(ENAMETOOLONG);
  std::memcpy(interrupted_temporary, temporary.c_str(), temporary.size() + 1);
  auto previous_int = std::signal(SIGINT, RemoveTemporaryAndDie);
  auto previous_term = std::signal(SIGTERM, RemoveTemporaryAndDie);
  auto finish = [&](std::string failure) {
    if (!failure.empty()) unlink(temporary.c_str());
    interrupted_temporary[0] = '\0';
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    return failure;
  };
  // The new file takes the old one's permissions and group (a 0600 file stays private).
  const mode_t mode = exists ? existing.st_mode & 07777 : 0666;
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return finish(std::strerror(errno));
  bool written = WriteAll(fd, contents);
  int error = written ? 0 : errno;
  if (written && exists) {
    // The umask may have narrowed the mode; the group is the old file's when we may set it.
    if (fchmod(fd, mode) != 0 || (fchown(fd, static_cast<uid_t>(-1), existing.st_gid) != 0 && errno != EPERM)) {
      written = false, error = errno;
    }
  }
  if (written && fsync(fd) != 0) written = false, error = errno;
  if (close(fd) != 0 && written) written = false, error = errno;
  if (written && std::rename(temporary.c_str(), target.c_str()) != 0) written = false, error = errno;
  return finish(written ? std::string() : std::strerror(error != 0 ? error : EIO));
}

}  // namespace

std::string WriteFileAtomically(const std::string& path, std::string_view contents) {
  // A run spread over processes writes its files once, from the first process, which alone has
  // the merged contents; every process learns how the write went.
  if (distribute::Distributed()) return distribute::FromRoot(distribute::IsRoot() ? WriteFileHere(path, contents) : "");
  return WriteFileHere(path, contents);
}

}  // namespace relc::driver

#include "core/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace pageload {
namespace {

// What a non-regular file is, for the message.
const char* kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

Status file_error(const std::string& path, const std::string& why) {
  return Status(Code::kFile, "cannot write " + path + ": " + why);
}

// A name beside `path` that no one else is using now: path + ".tmp-PID-N".
std::string temporary_name(const std::string& path, int attempt) {
  static std::atomic<unsigned> counter{0};
  const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string((tick + attempt) & 0xffffff);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Status write_file_replacing(const std::string& path, std::string_view bytes) {
  if (path.empty()) return Status(Code::kFile, "cannot write a file with an empty name");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    return file_error(path, std::string("it is ") + kind_of(st.st_mode) + "; remove it or choose another path");

  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    temp = temporary_name(path, attempt);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) return file_error(path, std::strerror(errno));
  }
  if (fd < 0) return file_error(path, "no free temporary name beside it");
  const bool written = write_all(fd, bytes);
  const int write_errno = errno;
  if (::close(fd) != 0 || !written) {
    const int err = written ? errno : write_errno;
    ::unlink(temp.c_str());
    return file_error(path, std::strerror(err));
  }
  // rename() replaces the name itself: a symbolic link put there meanwhile is replaced,
  // never followed.
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return file_error(path, std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace pageload

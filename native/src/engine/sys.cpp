#include "engine/sys.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sys {

int64_t nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string errorText(int err) {
  char buf[256];
  buf[0] = 0;
  // GNU strerror_r returns the text (possibly not in buf)
  const char* s = strerror_r(err, buf, sizeof buf);
  return s != nullptr ? std::string(s) : std::string("errno ") + std::to_string(err);
}

namespace {

void fill(const struct stat& st, FileInfo& out) {
  out.exists = true;
  out.isDir = S_ISDIR(st.st_mode);
  out.isLink = S_ISLNK(st.st_mode);
  out.isRegular = S_ISREG(st.st_mode);
  out.uid = st.st_uid;
  out.mode = st.st_mode & 07777;
  out.size = static_cast<int64_t>(st.st_size);
  out.dev = static_cast<uint64_t>(st.st_dev);
  out.ino = static_cast<uint64_t>(st.st_ino);
  out.mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  out.ctimeNs = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
}

}  // namespace

// On x86_64 glibc's struct stat is the kernel's, so the raw system calls fill it directly.
bool lstatPath(const std::string& path, FileInfo& out) {
  out = FileInfo{};
  struct stat st;
  std::memset(&st, 0, sizeof st);
#if defined(__x86_64__) && defined(SYS_newfstatat)
  long r = syscall(SYS_newfstatat, AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW);
#else
  long r = lstat(path.c_str(), &st);
#endif
  if (r != 0) return false;
  fill(st, out);
  return true;
}

bool fstatFd(int fd, FileInfo& out) {
  out = FileInfo{};
  struct stat st;
  std::memset(&st, 0, sizeof st);
#if defined(__x86_64__) && defined(SYS_fstat)
  long r = syscall(SYS_fstat, fd, &st);
#else
  long r = fstat(fd, &st);
#endif
  if (r != 0) return false;
  fill(st, out);
  return true;
}

int openFile(const std::string& path, int flags, unsigned mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
  } while (fd < 0 && errno == EINTR);
  return fd;
}

void closeFd(int fd) {
  if (fd >= 0) ::close(fd);
}

bool writeAll(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void sleepMs(int ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

}  // namespace sys

// POSIX helpers for the engine side: EINTR-safe calls, a monotonic clock, error texts, and
// stat() through the raw system call (glibc ≥ 2.33 would otherwise bind stat/lstat/fstat to new
// symbol versions and the library would not load on older distributions).
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace sys {

/** Milliseconds of CLOCK_MONOTONIC. */
int64_t nowMs();

/** strerror text of an errno value. */
std::string errorText(int err);

struct FileInfo {
  bool exists = false;
  bool isDir = false;
  bool isLink = false;
  bool isRegular = false;
  uid_t uid = 0;
  unsigned mode = 0;  // permission bits
  int64_t size = 0;
};

/** lstat(path); returns false and sets errno on failure. */
bool lstatPath(const std::string& path, FileInfo& out);

/** fstat(fd); returns false and sets errno on failure. */
bool fstatFd(int fd, FileInfo& out);

/** open() retried on EINTR; always O_CLOEXEC. */
int openFile(const std::string& path, int flags, unsigned mode = 0);

/** close() without retrying (Linux closes the fd even on EINTR). */
void closeFd(int fd);

/** write the whole buffer to a file descriptor (EINTR-safe). */
bool writeAll(int fd, const void* data, std::size_t n);

/** Sleeps for ms milliseconds (resumes after signals). */
void sleepMs(int ms);

/** Environment variable or "" (an empty variable counts as unset). */
std::string env(const char* name);

}  // namespace sys

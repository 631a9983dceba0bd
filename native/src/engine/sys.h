// System helpers for the engine side. Portable part: a monotonic clock, error texts, sleeping,
// the environment. POSIX (sys.cpp): EINTR-safe calls and stat() through the raw system call (glibc
// ≥ 2.33 would otherwise bind stat/lstat/fstat to new symbol versions and the library would not
// load on older distributions). Windows (sys_win.cpp): UTF-8 ↔ UTF-16 for the wide Win32 API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#if !defined(_WIN32)
#include <sys/types.h>
#endif

namespace sys {

/** Milliseconds of a monotonic clock (CLOCK_MONOTONIC; GetTickCount64 on Windows). */
int64_t nowMs();

/** Text of an error code: errno on POSIX (strerror), GetLastError() on Windows (FormatMessage). */
std::string errorText(int err);

/** Sleeps for ms milliseconds (resumes after signals). */
void sleepMs(int ms);

/** Environment variable or "" (an empty variable counts as unset). UTF-8 on Windows. */
std::string env(const char* name);

#if defined(_WIN32)

/** UTF-8 → UTF-16 for the W functions (invalid sequences become U+FFFD). */
std::wstring widen(const std::string& utf8);

/** UTF-16 → UTF-8. */
std::string narrow(const wchar_t* s, std::size_t n);
inline std::string narrow(const std::wstring& s) { return narrow(s.data(), s.size()); }

#else

struct FileInfo {
  bool exists = false;
  bool isDir = false;
  bool isLink = false;
  bool isRegular = false;
  uid_t uid = 0;
  unsigned mode = 0;  // permission bits
  int64_t size = 0;
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t mtimeNs = 0;
  int64_t ctimeNs = 0;
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

#endif  // !_WIN32

}  // namespace sys

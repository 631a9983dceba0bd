// Windows counterpart of runtime.cpp: node.exe is embedded byte-identical (its Authenticode
// signature stays valid; the ZIP's deflate compresses it), written as onec-websocket-node.exe with
// its SHA-256 checked while writing (BCrypt, the system's own), and checked by a marker later.
#include "engine/runtime.h"

#include <windows.h>
#include <bcrypt.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <cwchar>

#include "engine/start_failures.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"

namespace engine {

namespace {

constexpr char kProgram[] = "onec-websocket-node.exe";
constexpr char kMarkerSuffix[] = ".id";
constexpr DWORD kWriteChunk = 1 << 20;

std::string runtimeName() {
  return std::string("node-") + onec_runtime_version + "-" + std::string(onec_runtime_sha256).substr(0, 16);
}

std::string winError(DWORD err) { return sys::errorText(static_cast<int>(err)); }

/** An exclusive LockFileEx on `path`, released on scope exit. Blocking unless `tryOnly`. */
class RuntimeLock {
 public:
  RuntimeLock(const std::string& path, bool tryOnly) {
    handle_ = CreateFileW(sys::widen(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                          FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                          FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    if (handle_ == INVALID_HANDLE_VALUE) {
      error_ = GetLastError();
      return;
    }
    OVERLAPPED ov{};
    DWORD flags = LOCKFILE_EXCLUSIVE_LOCK | (tryOnly ? LOCKFILE_FAIL_IMMEDIATELY : 0);
    if (!LockFileEx(handle_, flags, 0, 1, 0, &ov)) {
      error_ = GetLastError();
      CloseHandle(handle_);
      handle_ = INVALID_HANDLE_VALUE;
    }
  }
  ~RuntimeLock() {
    if (handle_ == INVALID_HANDLE_VALUE) return;
    OVERLAPPED ov{};
    UnlockFileEx(handle_, 0, 1, 0, &ov);
    CloseHandle(handle_);
  }
  RuntimeLock(const RuntimeLock&) = delete;
  RuntimeLock& operator=(const RuntimeLock&) = delete;
  bool held() const { return handle_ != INVALID_HANDLE_VALUE; }
  DWORD error() const { return error_; }

 private:
  HANDLE handle_ = INVALID_HANDLE_VALUE;
  DWORD error_ = 0;
};

/** Size, file index, last write and change time of `path` as the marker records them; "" if none. */
std::string identityOf(const std::string& path) {
  HANDLE h = CreateFileW(sys::widen(path).c_str(), FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (h == INVALID_HANDLE_VALUE) return std::string();
  BY_HANDLE_FILE_INFORMATION info;
  FILE_BASIC_INFO basic;
  bool ok = GetFileInformationByHandle(h, &info) &&
            GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic);
  CloseHandle(h);
  if (!ok || (info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))) return std::string();
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s 1 %llu %llu %lld %lld\n", kProgram,
                (static_cast<unsigned long long>(info.nFileSizeHigh) << 32) | info.nFileSizeLow,
                (static_cast<unsigned long long>(info.nFileIndexHigh) << 32) | info.nFileIndexLow,
                static_cast<long long>(basic.LastWriteTime.QuadPart), static_cast<long long>(basic.ChangeTime.QuadPart));
  return buf;
}

std::string readSmallFile(const std::string& path) {
  HANDLE h = CreateFileW(sys::widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
  if (h == INVALID_HANDLE_VALUE) return std::string();
  char buf[256];
  DWORD got = 0;
  if (!ReadFile(h, buf, sizeof buf, &got, nullptr)) got = 0;
  CloseHandle(h);
  return std::string(buf, got);
}

bool writeSmallFile(const std::string& path, const std::string& content) {
  HANDLE h = CreateFileW(sys::widen(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  DWORD written = 0;
  bool ok = WriteFile(h, content.data(), static_cast<DWORD>(content.size()), &written, nullptr) && written == content.size() &&
            FlushFileBuffers(h);
  CloseHandle(h);
  return ok;
}

/** The program is there, read-only, of the expected size, and exactly what the marker says. */
bool intact(const std::string& program, const std::string& marker) {
  WIN32_FILE_ATTRIBUTE_DATA data;
  if (!GetFileAttributesExW(sys::widen(program).c_str(), GetFileExInfoStandard, &data)) return false;
  if (!(data.dwFileAttributes & FILE_ATTRIBUTE_READONLY)) return false;
  if (((static_cast<unsigned long long>(data.nFileSizeHigh) << 32) | data.nFileSizeLow) != onec_runtime_file_size) return false;
  std::string identity = identityOf(program);
  return !identity.empty() && readSmallFile(marker) == identity;
}

/** SHA-256 through the system's BCrypt provider. */
class Sha256 {
 public:
  Sha256() {
    if (BCryptOpenAlgorithmProvider(&alg_, BCRYPT_SHA256_ALGORITHM, nullptr, 0) != 0) alg_ = nullptr;
    if (alg_ != nullptr && BCryptCreateHash(alg_, &hash_, nullptr, 0, nullptr, 0, 0) != 0) hash_ = nullptr;
  }
  ~Sha256() {
    if (hash_ != nullptr) BCryptDestroyHash(hash_);
    if (alg_ != nullptr) BCryptCloseAlgorithmProvider(alg_, 0);
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  bool ok() const { return hash_ != nullptr; }
  void update(const unsigned char* p, DWORD n) { BCryptHashData(hash_, const_cast<PUCHAR>(p), n, 0); }
  std::string hex() {
    unsigned char digest[32];
    if (BCryptFinishHash(hash_, digest, sizeof digest, 0) != 0) return std::string();
    std::string out;
    char two[3];
    for (unsigned char b : digest) {
      std::snprintf(two, sizeof two, "%02x", b);
      out += two;
    }
    return out;
  }

 private:
  BCRYPT_ALG_HANDLE alg_ = nullptr;
  BCRYPT_HASH_HANDLE hash_ = nullptr;
};

/** Writes the payload to `tmp` (space reserved first), hashing it; "" or why it failed. */
std::string writeProgram(const std::string& tmp, bool& damaged) {
  damaged = false;
  std::wstring wtmp = sys::widen(tmp);
  HANDLE h = CreateFileW(wtmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return "create " + tmp + ": " + winError(GetLastError());
  std::string problem;
  FILE_ALLOCATION_INFO alloc;
  alloc.AllocationSize.QuadPart = static_cast<LONGLONG>(onec_runtime_file_size);
  if (!SetFileInformationByHandle(h, FileAllocationInfo, &alloc, sizeof alloc) && GetLastError() == ERROR_DISK_FULL) {
    problem = "allocate " + std::to_string(onec_runtime_file_size) + " bytes: " + winError(ERROR_DISK_FULL);
  }
  Sha256 sha;
  if (problem.empty() && !sha.ok()) problem = "BCrypt SHA-256 unavailable";
  const unsigned char* p = onec_runtime_payload;
  unsigned long long left = onec_runtime_payload_size;
  while (problem.empty() && left > 0) {
    DWORD chunk = left > kWriteChunk ? kWriteChunk : static_cast<DWORD>(left);
    DWORD written = 0;
    if (!WriteFile(h, p, chunk, &written, nullptr) || written == 0) {
      problem = "write: " + winError(GetLastError() != 0 ? GetLastError() : ERROR_WRITE_FAULT);
      break;
    }
    sha.update(p, written);
    p += written;
    left -= written;
  }
  if (problem.empty() && sha.hex() != onec_runtime_sha256) {
    damaged = true;
    problem = "sha256 of the embedded node.exe differs from the recorded one";
  }
  if (problem.empty() && !FlushFileBuffers(h)) problem = "flush: " + winError(GetLastError());
  if (!CloseHandle(h) && problem.empty()) problem = "close: " + winError(GetLastError());
  if (!problem.empty()) DeleteFileW(wtmp.c_str());
  return problem;
}

void logLine(const std::string& logPath, const std::string& line) {
  HANDLE h = CreateFileW(sys::widen(logPath).c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return;
  SYSTEMTIME st;
  GetSystemTime(&st);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute,
                st.wSecond);
  std::string text = std::string(stamp) + " library: " + line + "\r\n";
  DWORD written = 0;
  WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
  CloseHandle(h);
}

/** Deletes `path`, clearing a read-only attribute first. */
void removeFile(const std::wstring& path) {
  SetFileAttributesW(path.c_str(), FILE_ATTRIBUTE_NORMAL);
  DeleteFileW(path.c_str());
}

/** Files a crashed extraction may have left in `dir` (we hold the lock: nobody is writing them). */
void removeLeftovers(const std::string& dir) {
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileW(sys::widen(dir + "\\*.tmp.*").c_str(), &found);
  if (find == INVALID_HANDLE_VALUE) return;
  do {
    removeFile(sys::widen(dir) + L"\\" + found.cFileName);
  } while (FindNextFileW(find, &found));
  FindClose(find);
}

int64_t fileTimeToUnix(const FILETIME& t) {
  ULARGE_INTEGER v;
  v.LowPart = t.dwLowDateTime;
  v.HighPart = t.dwHighDateTime;
  return static_cast<int64_t>(v.QuadPart / 10000000ULL) - 11644473600LL;
}

}  // namespace

std::vector<std::string> runtimeFolders(const std::string& socketDir) {
  // %LOCALAPPDATA%\onec-websocket (the socket's folder) is disk-backed, private and executable
  std::string configured = sys::env("ONEC_WEBSOCKET_DIR");
  return {configured.empty() ? socketDir : configured};
}

std::string ensureRuntimeIn(const std::string& folderIn, const std::string& logPath, std::string& reason) {
  std::string folder = folderIn;
  while (folder.size() > 3 && (folder.back() == '\\' || folder.back() == '/')) folder.pop_back();
  const std::string name = runtimeName();
  const std::string dir = folder + "\\" + name;
  const std::string program = dir + "\\" + kProgram;
  const std::string marker = program + kMarkerSuffix;
  RuntimeLock lock(folder + "\\" + name + ".lock", false);
  if (!lock.held()) {
    reason = "lock " + folder + "\\" + name + ".lock: " + winError(lock.error());
    return std::string();
  }
  std::wstring wmarker = sys::widen(marker);
  if (intact(program, marker)) {
    // the marker's last write time says when this runtime was last used (removeUnusedRuntimes)
    HANDLE h = CreateFileW(wmarker.c_str(), FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h != INVALID_HANDLE_VALUE) {
      FILETIME now;
      GetSystemTimeAsFileTime(&now);
      SetFileTime(h, nullptr, nullptr, &now);
      CloseHandle(h);
    }
    return program;
  }

  int64_t started = sys::nowMs();
  std::wstring wdir = sys::widen(dir);
  // the folder's inherited private DACL applies to everything made in it
  if (!CreateDirectoryW(wdir.c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS) {
    reason = "mkdir " + dir + ": " + winError(GetLastError());
    return std::string();
  }
  DWORD attrs = GetFileAttributesW(wdir.c_str());
  if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY) || (attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
    reason = dir + ": not a plain directory";
    return std::string();
  }
  removeLeftovers(dir);
  removeFile(wmarker);
  static std::atomic<unsigned> counter{0};
  std::string tmp = program + ".tmp." + std::to_string(static_cast<unsigned long>(GetCurrentProcessId())) + "." +
                    std::to_string(counter++);
  bool damaged = false;
  std::string problem = writeProgram(tmp, damaged);
  if (damaged) throw Failure::of(gen::Msg::engineRuntimeDamaged, text::fromUtf8(problem));
  std::wstring wtmp = sys::widen(tmp);
  std::wstring wprogram = sys::widen(program);
  if (problem.empty()) {
    // a damaged old copy may be read-only; a running one cannot be replaced (then this folder fails)
    SetFileAttributesW(wprogram.c_str(), FILE_ATTRIBUTE_NORMAL);
    if (!MoveFileExW(wtmp.c_str(), wprogram.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
      problem = "rename " + tmp + ": " + winError(GetLastError());
      DeleteFileW(wtmp.c_str());
    }
  }
  if (problem.empty() && !SetFileAttributesW(wprogram.c_str(), FILE_ATTRIBUTE_READONLY)) {
    problem = "set read-only " + program + ": " + winError(GetLastError());
  }
  std::string identity = problem.empty() ? identityOf(program) : std::string();
  if (problem.empty() && identity.empty()) problem = "stat " + program + ": " + winError(GetLastError());
  if (problem.empty()) {
    std::string markerTmp = marker + ".tmp." + std::to_string(static_cast<unsigned long>(GetCurrentProcessId()));
    std::wstring wmarkerTmp = sys::widen(markerTmp);
    if (!writeSmallFile(markerTmp, identity) ||
        !MoveFileExW(wmarkerTmp.c_str(), wmarker.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
      problem = "write " + marker + ": " + winError(GetLastError());
      DeleteFileW(wmarkerTmp.c_str());
    }
  }
  if (!problem.empty()) {
    reason = problem;
    return std::string();
  }
  logLine(logPath, "extracted Node.js " + std::string(onec_runtime_version) + " to " + program + " (" +
                       std::to_string(onec_runtime_file_size) + " bytes) in " + std::to_string(sys::nowMs() - started) + " ms");
  return program;
}

void removeUnusedRuntimes(const std::string& folderIn) {
  std::string folder = folderIn;
  while (folder.size() > 3 && (folder.back() == '\\' || folder.back() == '/')) folder.pop_back();
  const std::string current = runtimeName();
  std::vector<std::wstring> others;
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileW(sys::widen(folder + "\\node-*").c_str(), &found);
  if (find == INVALID_HANDLE_VALUE) return;
  do {
    if (!(found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || (found.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) continue;
    if (sys::narrow(found.cFileName, std::wcslen(found.cFileName)) == current) continue;
    others.emplace_back(found.cFileName);
  } while (FindNextFileW(find, &found));
  FindClose(find);
  const int64_t cutoff = static_cast<int64_t>(std::time(nullptr)) - static_cast<int64_t>(kRuntimeUnusedDays) * 86400;
  for (const std::wstring& n : others) {
    const std::string dir = folder + "\\" + sys::narrow(n);
    WIN32_FILE_ATTRIBUTE_DATA data;
    std::string markerPath = dir + "\\" + kProgram + kMarkerSuffix;
    bool haveMarker = GetFileAttributesExW(sys::widen(markerPath).c_str(), GetFileExInfoStandard, &data) != 0;
    if (!haveMarker && !GetFileAttributesExW(sys::widen(dir).c_str(), GetFileExInfoStandard, &data)) continue;
    if (fileTimeToUnix(data.ftLastWriteTime) >= cutoff) continue;
    RuntimeLock lock(dir + ".lock", true);
    if (!lock.held()) continue;  // being extracted or checked right now: in use
    WIN32_FIND_DATAW entry;
    HANDLE files = FindFirstFileW(sys::widen(dir + "\\*").c_str(), &entry);
    if (files != INVALID_HANDLE_VALUE) {
      do {
        if (!(entry.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) removeFile(sys::widen(dir) + L"\\" + entry.cFileName);
      } while (FindNextFileW(files, &entry));
      FindClose(files);
    }
    // a program still running keeps its file and so its folder: tried again at a later start
    RemoveDirectoryW(sys::widen(dir).c_str());
  }
}

}  // namespace engine

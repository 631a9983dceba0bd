// Windows counterpart of rundir.cpp: %LOCALAPPDATA%\onec-websocket, checked the Windows way
// (reparse points, owner SID, DACL), and the pipe name derived from the user and the directory.
#include "engine/rundir.h"

#include <windows.h>
#include <aclapi.h>
#include <shlobj.h>

#include <atomic>
#include <cstdio>

#include "engine/security_win.h"
#include "engine/start_failures.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"
#include "version.h"

namespace engine {

namespace {

std::string knownLocalAppData() {
  wchar_t* path = nullptr;
  std::string out;
  if (SHGetKnownFolderPath(FOLDERID_LocalAppData, 0, nullptr, &path) == S_OK && path != nullptr) {
    out = sys::narrow(path, wcslen(path));
  }
  CoTaskMemFree(path);
  return out;
}

bool isSeparator(char c) { return c == '\\' || c == '/'; }

/** FNV-1a 64 of the upper-cased full path: the same directory however it is spelled. */
std::string dirHash(const std::string& dir) {
  std::wstring wide = sys::widen(dir);
  DWORD n = GetFullPathNameW(wide.c_str(), 0, nullptr, nullptr);
  if (n > 0) {
    std::wstring full(n, L'\0');
    DWORD got = GetFullPathNameW(wide.c_str(), n, &full[0], nullptr);
    if (got > 0 && got < n) {
      full.resize(got);
      wide = full;
    }
  }
  while (wide.size() > 3 && (wide.back() == L'\\' || wide.back() == L'/')) wide.pop_back();
  for (auto& c : wide) {
    if (c == L'/') c = L'\\';
  }
  if (!wide.empty()) {
    std::wstring upper(wide.size(), L'\0');
    if (LCMapStringEx(LOCALE_NAME_INVARIANT, LCMAP_UPPERCASE, wide.data(), static_cast<int>(wide.size()), &upper[0],
                      static_cast<int>(upper.size()), nullptr, nullptr, 0) == static_cast<int>(upper.size())) {
      wide = upper;
    }
  }
  uint64_t h = 1469598103934665603ULL;
  for (wchar_t c : wide) {
    h ^= static_cast<uint16_t>(c) & 0xff;
    h *= 1099511628211ULL;
    h ^= static_cast<uint16_t>(c) >> 8;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

/** Replaces the DACL by the private one (user, SYSTEM, Administrators; not inherited). */
DWORD tighten(const std::wstring& dir) {
  PSECURITY_DESCRIPTOR sd = winsec::privateDescriptor(true);
  if (sd == nullptr) return GetLastError() != 0 ? GetLastError() : ERROR_INVALID_SECURITY_DESCR;
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  DWORD err = ERROR_INVALID_SECURITY_DESCR;
  if (GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) && present) {
    err = SetNamedSecurityInfoW(const_cast<wchar_t*>(dir.c_str()), SE_FILE_OBJECT,
                                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                dacl, nullptr);
  }
  LocalFree(sd);
  return err;
}

}  // namespace

std::string runtimeDirPath() {
  std::string dir = sys::env("ONEC_WEBSOCKET_DIR");
  if (!dir.empty()) return dir;
  std::string local = sys::env("LOCALAPPDATA");
  if (local.empty()) local = knownLocalAppData();
  if (local.empty()) {
    // no profile at all (should not happen for a 1C service user): the user's temp directory
    wchar_t tmp[MAX_PATH + 1];
    DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
    local = n > 0 && n <= MAX_PATH ? sys::narrow(tmp, n) : std::string("C:\\Windows\\Temp");
  }
  while (local.size() > 3 && isSeparator(local.back())) local.pop_back();
  return local + "\\onec-websocket";
}

RuntimePaths pathsIn(const std::string& dir) {
  RuntimePaths p;
  p.dir = dir;
  while (p.dir.size() > 3 && isSeparator(p.dir.back())) p.dir.pop_back();
  std::string base = p.dir + "\\engine-" + gen::kBundleHash;
  p.bundle = base + ".mjs";
  p.lock = base + ".lock";
  p.log = base + ".log";
  // Named pipes live in one machine-wide namespace: the name carries the user (so users never
  // meet) and the directory (so two runtime directories never share an engine, as on Linux).
  std::string sid = winsec::userSid();
  p.socket = "\\\\.\\pipe\\onec-websocket-" + (sid.empty() ? std::string("nosid") : sid) + "-" + gen::kBundleHash +
             "-" + dirHash(p.dir);
  return p;
}

RuntimePaths prepareRuntimeDir() {
  RuntimePaths paths = pathsIn(runtimeDirPath());
  const std::string& dir = paths.dir;
  std::wstring wdir = sys::widen(dir);

  PSECURITY_DESCRIPTOR sd = winsec::privateDescriptor(true);
  SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), sd, FALSE};
  BOOL created = CreateDirectoryW(wdir.c_str(), sd != nullptr ? &sa : nullptr);
  DWORD createErr = created ? 0 : GetLastError();
  if (sd != nullptr) LocalFree(sd);
  if (!created && createErr != ERROR_ALREADY_EXISTS) throw startFailed("mkdir " + dir + ": " + sys::errorText(createErr));

  DWORD attrs = GetFileAttributesW(wdir.c_str());
  if (attrs == INVALID_FILE_ATTRIBUTES) throw unsafeDir(dir, "GetFileAttributes: " + sys::errorText(GetLastError()));
  if (attrs & FILE_ATTRIBUTE_REPARSE_POINT) throw unsafeDir(dir, "reparse point (symbolic link or junction)");
  if (!(attrs & FILE_ATTRIBUTE_DIRECTORY)) throw unsafeDir(dir, "not a directory");

  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR current = nullptr;
  DWORD err = GetNamedSecurityInfoW(wdir.c_str(), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                    &owner, nullptr, &dacl, nullptr, &current);
  if (err != ERROR_SUCCESS) throw unsafeDir(dir, "GetNamedSecurityInfo: " + sys::errorText(static_cast<int>(err)));
  bool ours = winsec::isOwnSid(owner);
  std::string ownerText = winsec::sidText(owner);
  bool open = winsec::grantsOthers(dacl);
  LocalFree(current);
  if (!ours) throw unsafeDir(dir, "owner " + ownerText + " is not the current user " + winsec::userSid());
  if (open) {
    // Ours but readable by others (e.g. an ONEC_WEBSOCKET_DIR made elsewhere): tighten, as
    // chmod 0700 does on Linux.
    err = tighten(wdir);
    if (err != ERROR_SUCCESS) throw unsafeDir(dir, "open to other users, SetNamedSecurityInfo: " + sys::errorText(static_cast<int>(err)));
  }
  return paths;
}

void ensureBundle(const RuntimePaths& paths) {
  const auto size = static_cast<int64_t>(onec_engine_bundle_size);
  std::wstring bundle = sys::widen(paths.bundle);
  WIN32_FILE_ATTRIBUTE_DATA info;
  if (GetFileAttributesExW(bundle.c_str(), GetFileExInfoStandard, &info) &&
      !(info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) &&
      ((static_cast<int64_t>(info.nFileSizeHigh) << 32) | info.nFileSizeLow) == size) {
    return;
  }

  static std::atomic<unsigned> counter{0};
  std::string tmp = paths.bundle + ".tmp." + std::to_string(static_cast<unsigned long>(GetCurrentProcessId())) + "." +
                    std::to_string(counter.fetch_add(1));
  std::wstring wtmp = sys::widen(tmp);
  // the directory's inherited private DACL applies to the new file
  HANDLE h = CreateFileW(wtmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) throw startFailed("create " + tmp + ": " + sys::errorText(GetLastError()));
  const unsigned char* p = onec_engine_bundle;
  int64_t left = size;
  DWORD err = 0;
  while (left > 0) {
    DWORD chunk = left > (1 << 20) ? (1 << 20) : static_cast<DWORD>(left);
    DWORD written = 0;
    if (!WriteFile(h, p, chunk, &written, nullptr) || written == 0) {
      err = GetLastError() != 0 ? GetLastError() : ERROR_WRITE_FAULT;
      break;
    }
    p += written;
    left -= written;
  }
  if (!CloseHandle(h) && err == 0) err = GetLastError();
  if (err == 0 && !MoveFileExW(wtmp.c_str(), bundle.c_str(), MOVEFILE_REPLACE_EXISTING)) err = GetLastError();
  if (err != 0) {
    DeleteFileW(wtmp.c_str());
    throw startFailed("write " + paths.bundle + ": " + sys::errorText(static_cast<int>(err)));
  }
}

}  // namespace engine

// Windows counterpart of launcher.cpp: find node.exe, start the engine detached (CreateProcessW)
// under an exclusive lock on a file in the private runtime directory, and wait for its pipe.
#include "engine/launcher.h"

#include <windows.h>

#include <utility>
#include <vector>

#include "engine/runtime.h"
#include "engine/start_failures.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"

namespace engine {

namespace {

constexpr int kStartPollMs = 20;
// node.exe's first start on Windows can be slow (the virus scanner reads the 70 MB executable)
constexpr int kStartTimeoutMs = 20000;
constexpr std::size_t kLogTailBytes = 2048;
constexpr int kLogTailLines = 12;
constexpr DWORD kVersionTimeoutMs = 10000;

bool isExecutableFile(const std::string& path) {
  if (path.empty()) return false;
  DWORD attrs = GetFileAttributesW(sys::widen(path).c_str());
  return attrs != INVALID_FILE_ATTRIBUTES && !(attrs & FILE_ATTRIBUTE_DIRECTORY);
}

bool isAbsolute(const std::string& p) {
  return (p.size() >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')) || (p.size() >= 2 && p[0] == '\\' && p[1] == '\\');
}

/**
 * An exclusive LockFileEx on the lock file, released on scope exit (and by Windows if the process
 * dies). A file in the private runtime directory rather than a named mutex: kernel object names
 * are shared by all users, who could create ours first and keep us out.
 */
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    handle_ = CreateFileW(sys::widen(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                          FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                          FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    if (handle_ == INVALID_HANDLE_VALUE) throw startFailed("open " + path + ": " + sys::errorText(GetLastError()));
    OVERLAPPED ov{};
    if (!LockFileEx(handle_, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov)) {
      DWORD err = GetLastError();
      CloseHandle(handle_);
      throw startFailed("LockFileEx " + path + ": " + sys::errorText(static_cast<int>(err)));
    }
  }
  ~FileLock() {
    OVERLAPPED ov{};
    UnlockFileEx(handle_, 0, 1, 0, &ov);
    CloseHandle(handle_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  HANDLE handle_ = INVALID_HANDLE_VALUE;
};

/** One argument quoted for CommandLineToArgvW / the C runtime's parser. */
std::wstring quoteArg(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) return arg;
  std::wstring out = L"\"";
  std::size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') {
      out.append(backslashes * 2 + 1, L'\\');
    } else {
      out.append(backslashes, L'\\');
    }
    backslashes = 0;
    out.push_back(c);
  }
  out.append(backslashes * 2, L'\\');
  out.push_back(L'"');
  return out;
}

/**
 * Start-up information for a child that inherits exactly two handles (PROC_THREAD_ATTRIBUTE_HANDLE_LIST):
 * NUL, and `other`, which becomes its stdout (`otherIsStdout`) or its stderr; NUL takes the rest.
 */
class ChildStartup {
 public:
  ChildStartup(HANDLE nul, HANDLE other, bool otherIsStdout) : inherited_{nul, other} {
    SIZE_T listSize = 0;
    InitializeProcThreadAttributeList(nullptr, 1, 0, &listSize);
    listBuf_.resize(listSize);
    auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(listBuf_.data());
    haveList_ = listSize > 0 && InitializeProcThreadAttributeList(list, 1, 0, &listSize) &&
                UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited_, sizeof inherited_, nullptr,
                                          nullptr);
    info.StartupInfo.cb = sizeof info;
    info.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    info.StartupInfo.hStdInput = nul;
    info.StartupInfo.hStdOutput = otherIsStdout ? other : nul;
    info.StartupInfo.hStdError = otherIsStdout ? nul : other;
    info.lpAttributeList = haveList_ ? list : nullptr;
  }
  ~ChildStartup() {
    if (haveList_) DeleteProcThreadAttributeList(reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(listBuf_.data()));
  }
  ChildStartup(const ChildStartup&) = delete;
  ChildStartup& operator=(const ChildStartup&) = delete;
  /** EXTENDED_STARTUPINFO_PRESENT when the handle list is in place */
  DWORD flags() const { return haveList_ ? EXTENDED_STARTUPINFO_PRESENT : 0; }
  STARTUPINFOEXW info{};

 private:
  HANDLE inherited_[2];
  std::vector<unsigned char> listBuf_;
  bool haveList_ = false;
};

struct SpawnResult {
  HANDLE process = nullptr;  // the engine, to notice an early exit
  DWORD error = 0;           // CreateProcessW failed with this
  std::string failure;       // preparing the start failed
};

/**
 * Starts `node bundle --socket pipe` detached from the host: no console, its own process group,
 * out of the host's job if the job allows it, stdin/stdout → NUL, stderr → the log (append), and
 * no other handle of the host inherited (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
 */
SpawnResult spawnEngine(const std::string& node, const RuntimePaths& paths) {
  SpawnResult result;
  std::wstring wnode = sys::widen(node);
  std::wstring cmdline = quoteArg(wnode) + L" " + quoteArg(sys::widen(paths.bundle)) + L" --socket " +
                         quoteArg(sys::widen(paths.socket));

  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                           OPEN_EXISTING, 0, nullptr);
  if (nul == INVALID_HANDLE_VALUE) {
    result.failure = "open NUL: " + sys::errorText(GetLastError());
    return result;
  }
  HANDLE log = CreateFileW(sys::widen(paths.log).c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (log == INVALID_HANDLE_VALUE) {
    result.failure = "open " + paths.log + ": " + sys::errorText(GetLastError());
    CloseHandle(nul);
    return result;
  }

  ChildStartup startup(nul, log, false);
  DWORD flags = DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT | startup.flags();

  PROCESS_INFORMATION pi{};
  std::vector<wchar_t> mutableCmd(cmdline.begin(), cmdline.end());
  mutableCmd.push_back(L'\0');
  // Out of the host's job first (a job that kills its processes on close would take the shared
  // engine with the host); a job that forbids breaking away refuses, then we stay in it.
  BOOL ok = CreateProcessW(wnode.c_str(), mutableCmd.data(), nullptr, nullptr, TRUE, flags | CREATE_BREAKAWAY_FROM_JOB,
                           nullptr, nullptr, &startup.info.StartupInfo, &pi);
  if (!ok && GetLastError() == ERROR_ACCESS_DENIED) {
    ok = CreateProcessW(wnode.c_str(), mutableCmd.data(), nullptr, nullptr, TRUE, flags, nullptr, nullptr,
                        &startup.info.StartupInfo, &pi);
  }
  DWORD err = ok ? 0 : GetLastError();
  CloseHandle(nul);
  CloseHandle(log);
  if (!ok) {
    result.error = err;
    return result;
  }
  CloseHandle(pi.hThread);
  result.process = pi.hProcess;
  return result;
}

/** The last lines the engine wrote to its log since `from` (its size before the start). */
std::string logTail(const std::string& path, int64_t from) {
  HANDLE h = CreateFileW(sys::widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return std::string();
  std::string out;
  LARGE_INTEGER size;
  if (GetFileSizeEx(h, &size) && size.QuadPart > from) {
    int64_t start = size.QuadPart - from > static_cast<int64_t>(kLogTailBytes)
                        ? size.QuadPart - static_cast<int64_t>(kLogTailBytes)
                        : from;
    out.resize(static_cast<std::size_t>(size.QuadPart - start));
    LARGE_INTEGER at;
    at.QuadPart = start;
    DWORD got = 0;
    if (!SetFilePointerEx(h, at, nullptr, FILE_BEGIN) ||
        !ReadFile(h, &out[0], static_cast<DWORD>(out.size()), &got, nullptr)) {
      got = 0;
    }
    out.resize(got);
  }
  CloseHandle(h);
  return text::lastLines(std::move(out), kLogTailLines);
}

int64_t fileSize(const std::string& path) {
  WIN32_FILE_ATTRIBUTE_DATA info;
  if (!GetFileAttributesExW(sys::widen(path).c_str(), GetFileExInfoStandard, &info)) return 0;
  return (static_cast<int64_t>(info.nFileSizeHigh) << 32) | info.nFileSizeLow;
}

Failure foreignServer(const RuntimePaths& paths) {
  return startFailed("the pipe " + paths.socket + " is served by a process of another user");
}

/** The output of `node --version`, bounded by kVersionTimeoutMs (no console, only NUL and a pipe inherited). */
std::string nodeVersionOutput(const std::string& node, std::string& problem) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE readEnd = nullptr;
  HANDLE writeEnd = nullptr;
  if (!CreatePipe(&readEnd, &writeEnd, &inherit, 0)) {
    problem = "pipe: " + sys::errorText(static_cast<int>(GetLastError()));
    return std::string();
  }
  SetHandleInformation(readEnd, HANDLE_FLAG_INHERIT, 0);
  HANDLE nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0,
                           nullptr);
  if (nul == INVALID_HANDLE_VALUE) {
    problem = "open NUL: " + sys::errorText(static_cast<int>(GetLastError()));
    CloseHandle(readEnd);
    CloseHandle(writeEnd);
    return std::string();
  }
  ChildStartup startup(nul, writeEnd, true);
  std::wstring wnode = sys::widen(node);
  std::wstring cmdline = quoteArg(wnode) + L" --version";
  std::vector<wchar_t> mutableCmd(cmdline.begin(), cmdline.end());
  mutableCmd.push_back(L'\0');
  PROCESS_INFORMATION pi{};
  BOOL ok = CreateProcessW(wnode.c_str(), mutableCmd.data(), nullptr, nullptr, TRUE,
                           CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT | startup.flags(), nullptr, nullptr,
                           &startup.info.StartupInfo, &pi);
  DWORD err = ok ? 0 : GetLastError();
  CloseHandle(nul);
  CloseHandle(writeEnd);
  std::string out;
  if (!ok) {
    problem = sys::errorText(static_cast<int>(err));
  } else {
    CloseHandle(pi.hThread);
    if (WaitForSingleObject(pi.hProcess, kVersionTimeoutMs) != WAIT_OBJECT_0) {
      TerminateProcess(pi.hProcess, 1);
      problem = "no answer in " + std::to_string(kVersionTimeoutMs / 1000) + " s";
    } else {
      char buf[128];
      DWORD got = 0;
      while (out.size() < 256 && ReadFile(readEnd, buf, sizeof buf, &got, nullptr) && got > 0) out.append(buf, got);
    }
    CloseHandle(pi.hProcess);
  }
  CloseHandle(readEnd);
  return out;
}

/** Waits for the engine just spawned to serve its pipe; throws with the log's tail if it does not. */
void awaitEngine(Connection& conn, const RuntimePaths& paths, SpawnResult& spawned, int64_t logStart) {
  int64_t deadline = sys::nowMs() + kStartTimeoutMs;
  int err = 0;
  for (;;) {
    err = conn.connect(paths.socket);
    if (err == 0) break;
    if (err == Connection::kCancelled || err == Connection::kForeignServer) break;
    // The engine died early (e.g. a runtime that cannot load): no point waiting the full time.
    if (WaitForSingleObject(spawned.process, 0) == WAIT_OBJECT_0 || sys::nowMs() >= deadline) break;
    sys::sleepMs(kStartPollMs);
  }
  CloseHandle(spawned.process);
  spawned.process = nullptr;
  if (err == 0) return;
  if (err == Connection::kCancelled) throw Failure::of(gen::Msg::engineLost);
  if (err == Connection::kForeignServer) throw foreignServer(paths);
  std::string tail = logTail(paths.log, logStart);
  if (tail.empty()) tail = "no engine pipe " + paths.socket + " (" + sys::errorText(err) + "); log " + paths.log;
  throw startFailed(tail);
}

}  // namespace

void checkNodeVersion(const std::string& node) {
  std::string problem;
  std::string out = nodeVersionOutput(node, problem);
  checkNodeVersionOutput(node, out, problem);
}

std::string findNode() {
  // A path the administrator set on purpose is used or reported, never silently replaced.
  std::string configured = sys::env("ONEC_WEBSOCKET_NODE");
  if (!configured.empty()) {
    if (isExecutableFile(configured)) return configured;
    throw Failure::of(gen::Msg::engineNodeConfiguredMissing, text::fromUtf8(configured));
  }
  std::string path = sys::env("PATH");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(';', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.size() >= 2 && dir.front() == '"' && dir.back() == '"') dir = dir.substr(1, dir.size() - 2);
    while (dir.size() > 3 && (dir.back() == '\\' || dir.back() == '/')) dir.pop_back();
    if (isAbsolute(dir)) {
      std::string candidate = dir + (dir.back() == '\\' ? "" : "\\") + "node.exe";
      if (isExecutableFile(candidate)) return candidate;
    }
    start = end + 1;
  }
  // the installer's default places (ProgramW6432: the 64-bit folder seen from a 32-bit host)
  for (const char* var : {"ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"}) {
    std::string dir = sys::env(var);
    if (dir.empty()) continue;
    std::string candidate = dir + "\\nodejs\\node.exe";
    if (isExecutableFile(candidate)) return candidate;
  }
  return std::string();
}

void connectOrStart(Connection& conn) {
  RuntimePaths paths = prepareRuntimeDir();
  int err = conn.connect(paths.socket);
  if (err == 0) return;
  if (err == Connection::kCancelled) throw Failure::of(gen::Msg::engineLost);
  if (err == Connection::kForeignServer) throw foreignServer(paths);

  FileLock lock(paths.lock);
  err = conn.connect(paths.socket);
  if (err == 0) return;
  if (err == Connection::kCancelled) throw Failure::of(gen::Msg::engineLost);
  if (err == Connection::kForeignServer) throw foreignServer(paths);

  ensureBundle(paths);
  int64_t logStart = fileSize(paths.log);

  // "" once the engine runs on `node`; why not, if a policy refused to run it
  auto start = [&](const std::string& node) -> std::string {
    SpawnResult spawned = spawnEngine(node, paths);
    // AppLocker, Software Restriction Policies
    if (spawned.error == ERROR_ACCESS_DENIED) return "CreateProcess: " + sys::errorText(static_cast<int>(spawned.error));
    if (!spawned.failure.empty()) throw startFailed(spawned.failure);
    if (spawned.error != 0) throw startFailed(node + ": " + sys::errorText(static_cast<int>(spawned.error)));
    awaitEngine(conn, paths, spawned, logStart);
    return std::string();
  };
  startOnChosenNode(paths, gen::Msg::engineNodeNotFoundWindows, start);
}

}  // namespace engine

#include "engine/launcher.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <utility>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "engine/runtime.h"
#include "engine/start_failures.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"

extern char** environ;

namespace engine {

namespace {

constexpr int kStartPollMs = 20;
constexpr int kStartTimeoutMs = 10000;
constexpr std::size_t kLogTailBytes = 2048;
constexpr int kLogTailLines = 12;
constexpr int kVersionTimeoutMs = 10000;

bool isExecutableFile(const std::string& path) {
  if (path.empty()) return false;
  sys::FileInfo info;
  // follow symlinks (node is often one): use access() + a stat of the target via open
  if (::access(path.c_str(), X_OK) != 0) return false;
  int fd = sys::openFile(path, O_RDONLY);
  if (fd < 0) return true;  // executable but not readable by us: let exec decide
  bool regular = sys::fstatFd(fd, info) && info.isRegular;
  sys::closeFd(fd);
  return regular;
}

/** An exclusive flock on the lock file, released on scope exit. */
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = sys::openFile(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw startFailed("open " + path + ": " + sys::errorText(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      sys::closeFd(fd_);
      throw startFailed("flock " + path + ": " + sys::errorText(err));
    }
  }
  ~FileLock() {
    ::flock(fd_, LOCK_UN);
    sys::closeFd(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

/** Moves fd to a number ≥ 3 (stdin/out/err of the host may be closed), keeping O_CLOEXEC. */
int aboveStdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int err = errno;
  ::close(fd);
  errno = err;
  return moved;
}

void closeRange(int from, int to, int maxFd) {
  if (from > to) return;
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, static_cast<unsigned>(from), static_cast<unsigned>(to), 0u) == 0) return;
#endif
  for (int fd = from; fd <= to && fd < maxFd; ++fd) ::close(fd);
}

/** The highest fd number worth closing in a child (the soft RLIMIT_NOFILE, at most 65536). */
int fdLimit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536) {
    return static_cast<int>(rl.rlim_cur);
  }
  return 65536;
}

/** A CLOEXEC pipe with both ends above stdio; false (errno set) if it could not be made. */
bool pipeAboveStdio(int& readEnd, int& writeEnd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  readEnd = aboveStdio(fds[0]);
  writeEnd = aboveStdio(fds[1]);
  return true;
}

struct SpawnResult {
  pid_t pid = -1;          // the engine (grandchild), if reported
  int execErrno = 0;       // exec failed with this errno
  std::string failure;     // fork failed
};

/**
 * Starts `node bundle --socket sock` as a daemon: double fork (no zombie in the host), setsid,
 * stdin/stdout → /dev/null, stderr → log (append), all other fds closed. Everything is prepared
 * before fork(): between fork and exec only async-signal-safe calls are made.
 */
SpawnResult spawnEngine(const std::string& node, const RuntimePaths& paths) {
  SpawnResult result;

  std::vector<std::string> argStore{node, paths.bundle, "--socket", paths.socket};
  std::vector<char*> argv;
  for (auto& a : argStore) argv.push_back(&a[0]);
  argv.push_back(nullptr);

  std::vector<std::string> envStore;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) envStore.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : envStore) envp.push_back(&e[0]);
  envp.push_back(nullptr);

  int devNull = aboveStdio(sys::openFile("/dev/null", O_RDWR));
  if (devNull < 0) {
    result.failure = "open /dev/null: " + sys::errorText(errno);
    return result;
  }
  int logFd = aboveStdio(sys::openFile(paths.log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600));
  if (logFd < 0) {
    result.failure = "open " + paths.log + ": " + sys::errorText(errno);
    sys::closeFd(devNull);
    return result;
  }
  int readEnd = -1;
  int writeEnd = -1;
  if (!pipeAboveStdio(readEnd, writeEnd)) {
    result.failure = "pipe: " + sys::errorText(errno);
    sys::closeFd(devNull);
    sys::closeFd(logFd);
    return result;
  }
  int maxFd = fdLimit();
  sigset_t emptySet;
  sigemptyset(&emptySet);
  struct sigaction defaultAction;
  std::memset(&defaultAction, 0, sizeof defaultAction);
  defaultAction.sa_handler = SIG_DFL;
  sigemptyset(&defaultAction.sa_mask);

  const char* nodePath = argv[0];
  char* const* argvp = argv.data();
  char* const* envpp = envp.data();

  pid_t child = ::fork();
  if (child == 0) {
    // ---- intermediate child: only async-signal-safe calls from here on ----
    pid_t grandchild = ::fork();
    if (grandchild != 0) {
      char msg[1 + sizeof(int)];
      int v = grandchild > 0 ? static_cast<int>(grandchild) : errno;
      msg[0] = grandchild > 0 ? 'P' : 'F';
      std::memcpy(msg + 1, &v, sizeof v);
      (void)!::write(writeEnd, msg, sizeof msg);
      ::_exit(0);
    }
    // ---- grandchild: becomes the engine ----
    ::setsid();
    for (int sig = 1; sig < 65; ++sig) ::sigaction(sig, &defaultAction, nullptr);
    ::sigprocmask(SIG_SETMASK, &emptySet, nullptr);
    ::dup2(devNull, 0);
    ::dup2(devNull, 1);
    ::dup2(logFd, 2);
    closeRange(3, writeEnd - 1, maxFd);
    closeRange(writeEnd + 1, 0x7fffffff, maxFd);
    ::execve(nodePath, argvp, envpp);
    char msg[1 + sizeof(int)];
    int v = errno;
    msg[0] = 'E';
    std::memcpy(msg + 1, &v, sizeof v);
    (void)!::write(writeEnd, msg, sizeof msg);
    ::_exit(127);
  }
  int forkErr = errno;
  sys::closeFd(writeEnd);
  sys::closeFd(devNull);
  sys::closeFd(logFd);
  if (child < 0) {
    sys::closeFd(readEnd);
    result.failure = "fork: " + sys::errorText(forkErr);
    return result;
  }
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  // Read the children's reports until EOF (the grandchild's copy closes at exec).
  char buf[64];
  std::size_t have = 0;
  for (;;) {
    ssize_t r = ::read(readEnd, buf + have, sizeof buf - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += static_cast<std::size_t>(r);
    if (have == sizeof buf) break;
  }
  sys::closeFd(readEnd);
  for (std::size_t at = 0; at + 1 + sizeof(int) <= have; at += 1 + sizeof(int)) {
    int v;
    std::memcpy(&v, buf + at + 1, sizeof v);
    if (buf[at] == 'P') result.pid = v;
    if (buf[at] == 'E') result.execErrno = v;
    if (buf[at] == 'F') result.failure = "fork: " + sys::errorText(v);
  }
  return result;
}

/** The engine process ended: gone, or a zombie its new parent has not reaped yet. */
bool processEnded(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%ld/stat", static_cast<long>(pid));
  int fd = sys::openFile(path, O_RDONLY);
  if (fd < 0) return false;
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  sys::closeFd(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  const char* close = std::strrchr(buf, ')');  // "pid (comm) S ...": comm may contain anything
  return close != nullptr && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

/** The last lines the engine wrote to its log since `from` (its size before the start). */
std::string logTail(const std::string& path, int64_t from) {
  int fd = sys::openFile(path, O_RDONLY | O_NOFOLLOW);
  if (fd < 0) return std::string();
  sys::FileInfo info;
  std::string out;
  if (sys::fstatFd(fd, info) && info.size > from) {
    int64_t start = info.size - from > static_cast<int64_t>(kLogTailBytes)
                        ? info.size - static_cast<int64_t>(kLogTailBytes)
                        : from;
    out.resize(static_cast<std::size_t>(info.size - start));
    ssize_t r = ::pread(fd, &out[0], out.size(), static_cast<off_t>(start));
    out.resize(r > 0 ? static_cast<std::size_t>(r) : 0);
  }
  sys::closeFd(fd);
  return text::lastLines(std::move(out), kLogTailLines);
}

/** The output of `node --version` ("v22.23.2"), bounded by kVersionTimeoutMs; "" if it gave none. */
std::string nodeVersionOutput(const std::string& node, std::string& problem) {
  std::vector<std::string> argStore{node, "--version"};
  std::vector<char*> argv{&argStore[0][0], &argStore[1][0], nullptr};
  int devNull = aboveStdio(sys::openFile("/dev/null", O_RDWR));
  if (devNull < 0) {
    problem = "open /dev/null: " + sys::errorText(errno);
    return std::string();
  }
  int readEnd = -1;
  int writeEnd = -1;
  if (!pipeAboveStdio(readEnd, writeEnd)) {
    problem = "pipe: " + sys::errorText(errno);
    sys::closeFd(devNull);
    return std::string();
  }
  int maxFd = fdLimit();
  const char* nodePath = argv[0];
  char* const* argvp = argv.data();
  pid_t child = ::fork();
  if (child == 0) {
    // only async-signal-safe calls until exec
    ::dup2(devNull, 0);
    ::dup2(writeEnd, 1);
    ::dup2(devNull, 2);
    closeRange(3, 0x7fffffff, maxFd);
    ::execve(nodePath, argvp, environ);
    ::_exit(127);
  }
  int forkErr = errno;
  sys::closeFd(writeEnd);
  sys::closeFd(devNull);
  if (child < 0) {
    sys::closeFd(readEnd);
    problem = "fork: " + sys::errorText(forkErr);
    return std::string();
  }
  std::string out;
  int64_t deadline = sys::nowMs() + kVersionTimeoutMs;
  bool timedOut = false;
  for (;;) {
    int64_t left = deadline - sys::nowMs();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    struct pollfd pfd{readEnd, POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[128];
    ssize_t n = ::read(readEnd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() < 256) out.append(buf, static_cast<std::size_t>(n));
  }
  sys::closeFd(readEnd);
  if (timedOut) ::kill(child, SIGKILL);
  // ECHILD: a host that ignores SIGCHLD has it reaped already
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (timedOut) problem = "no answer in " + std::to_string(kVersionTimeoutMs / 1000) + " s";
  return out;
}

/** Waits for the engine just spawned to listen; throws with the log's tail if it does not. */
void awaitEngine(Connection& conn, const RuntimePaths& paths, const SpawnResult& spawned, int64_t logStart) {
  int64_t deadline = sys::nowMs() + kStartTimeoutMs;
  int err = 0;
  for (;;) {
    err = conn.connect(paths.socket);
    if (err == 0) return;
    if (err == ECANCELED) throw Failure::of(gen::Msg::engineLost);
    // The engine died early (e.g. a runtime that cannot load): no point waiting the full 10 s.
    if (processEnded(spawned.pid) || sys::nowMs() >= deadline) break;
    sys::sleepMs(kStartPollMs);
  }
  std::string tail = logTail(paths.log, logStart);
  if (tail.empty()) tail = "no engine socket " + paths.socket + " (" + sys::errorText(err) + "); log " + paths.log;
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
  for (const char* name : {"node", "nodejs"}) {
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = path.find(':', start);
      if (end == std::string::npos) end = path.size();
      std::string dir = path.substr(start, end - start);
      if (!dir.empty() && dir[0] == '/') {
        std::string candidate = dir + "/" + name;
        if (isExecutableFile(candidate)) return candidate;
      }
      start = end + 1;
    }
  }
  for (const char* candidate :
       {"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs", "/opt/nodejs/bin/node", "/snap/bin/node"}) {
    if (isExecutableFile(candidate)) return candidate;
  }
  return std::string();
}

void connectOrStart(Connection& conn) {
  RuntimePaths paths = prepareRuntimeDir();
  int err = conn.connect(paths.socket);
  if (err == 0) return;
  if (err == ECANCELED) throw Failure::of(gen::Msg::engineLost);

  FileLock lock(paths.lock);
  err = conn.connect(paths.socket);
  if (err == 0) return;
  if (err == ECANCELED) throw Failure::of(gen::Msg::engineLost);

  ensureBundle(paths);
  if (err == ECONNREFUSED) {
    // A socket file nobody listens on (an engine that died): we hold the start lock, so no
    // other library is bringing an engine up on it right now.
    ::unlink(paths.socket.c_str());
  }
  sys::FileInfo logInfo;
  int64_t logStart = sys::lstatPath(paths.log, logInfo) ? logInfo.size : 0;

  // "" once the engine runs on `node`; why not, if the system refused to run it
  auto start = [&](const std::string& node) -> std::string {
    SpawnResult spawned = spawnEngine(node, paths);
    if (spawned.execErrno == EACCES || spawned.execErrno == EPERM) return "exec: " + sys::errorText(spawned.execErrno);
    if (!spawned.failure.empty()) throw startFailed(spawned.failure);
    if (spawned.execErrno != 0) throw startFailed(node + ": " + sys::errorText(spawned.execErrno));
    awaitEngine(conn, paths, spawned, logStart);
    return std::string();
  };
  startOnChosenNode(paths, gen::Msg::engineNodeNotFound, start);
}

}  // namespace engine

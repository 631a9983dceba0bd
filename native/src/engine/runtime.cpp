#include "engine/runtime.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zstd.h>

#include "engine/rundir.h"
#include "engine/start_failures.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"

namespace engine {

namespace {

constexpr char kProgram[] = "onec-websocket-node";
constexpr char kMarkerSuffix[] = ".id";
constexpr std::size_t kWriteChunk = 1 << 18;

std::string runtimeName() {
  return std::string("node-") + onec_runtime_version + "-" + std::string(onec_runtime_sha256).substr(0, 16);
}

std::string homeDir() {
  std::string home = sys::env("HOME");
  if (!home.empty()) return home;
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr && found->pw_dir != nullptr) {
    return found->pw_dir;
  }
  return std::string();
}

/** An exclusive flock on `path` (created 0600); released on scope exit. Blocking unless `tryOnly`. */
class RuntimeLock {
 public:
  RuntimeLock(const std::string& path, bool tryOnly) {
    fd_ = sys::openFile(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
    if (fd_ < 0) {
      error_ = errno;
      return;
    }
    while (::flock(fd_, LOCK_EX | (tryOnly ? LOCK_NB : 0)) != 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      sys::closeFd(fd_);
      fd_ = -1;
      return;
    }
  }
  ~RuntimeLock() {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      sys::closeFd(fd_);
    }
  }
  RuntimeLock(const RuntimeLock&) = delete;
  RuntimeLock& operator=(const RuntimeLock&) = delete;
  bool held() const { return fd_ >= 0; }
  int error() const { return error_; }

 private:
  int fd_ = -1;
  int error_ = 0;
};

/** What the marker records of the extracted program: enough to see any change by one lstat. */
std::string identityOf(const sys::FileInfo& info) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s 1 %lld %llu %lld %lld\n", kProgram, static_cast<long long>(info.size),
                static_cast<unsigned long long>(info.ino), static_cast<long long>(info.mtimeNs),
                static_cast<long long>(info.ctimeNs));
  return buf;
}

std::string readSmallFile(const std::string& path) {
  int fd = sys::openFile(path, O_RDONLY | O_NOFOLLOW);
  if (fd < 0) return std::string();
  char buf[256];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  sys::closeFd(fd);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

/** The program is there, ours, read+execute only, and exactly what the marker says we wrote. */
bool intact(const std::string& program, const std::string& marker) {
  sys::FileInfo info;
  if (!sys::lstatPath(program, info) || !info.isRegular || info.uid != geteuid() || info.mode != 0500) return false;
  if (info.size != static_cast<int64_t>(onec_runtime_file_size)) return false;
  return readSmallFile(marker) == identityOf(info);
}

/** Files a crashed extraction may have left behind (we hold the lock: nobody is writing them). */
void removeLeftovers(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strstr(e->d_name, ".tmp.") != nullptr) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

/** Streams the zstd payload into fd; "" or why it failed. `damaged` is set for a corrupt payload. */
std::string decompressInto(int fd, bool& damaged) {
  damaged = false;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (dctx == nullptr) return "out of memory";
  std::string out(kWriteChunk, '\0');
  ZSTD_inBuffer in{onec_runtime_payload, static_cast<std::size_t>(onec_runtime_payload_size), 0};
  unsigned long long written = 0;
  std::string problem;
  std::size_t remaining = 1;
  while (problem.empty()) {
    ZSTD_outBuffer ob{&out[0], out.size(), 0};
    remaining = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(remaining)) {
      damaged = true;
      problem = std::string("zstd: ") + ZSTD_getErrorName(remaining);
      break;
    }
    if (ob.pos > 0) {
      if (!sys::writeAll(fd, out.data(), ob.pos)) {
        problem = "write: " + sys::errorText(errno);
        break;
      }
      written += ob.pos;
    }
    // 0 = the frame is complete and its checksum (XXH64 of the content) matched
    if (remaining == 0) break;
    if (in.pos == in.size && ob.pos < ob.size) {
      damaged = true;
      problem = "zstd: truncated payload";
    }
  }
  ZSTD_freeDCtx(dctx);
  if (problem.empty() && (in.pos != in.size || written != onec_runtime_file_size)) {
    damaged = true;
    problem = "decoded " + std::to_string(written) + " bytes, expected " + std::to_string(onec_runtime_file_size);
  }
  return problem;
}

/** Writes the program to `tmp`: space reserved first (ENOSPC early), decoded or copied, synced, 0500. */
std::string writeProgram(const std::string& tmp, bool& damaged) {
  damaged = false;
  int fd = sys::openFile(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (fd < 0) return "create " + tmp + ": " + sys::errorText(errno);
  std::string problem;
  int err = ::posix_fallocate(fd, 0, static_cast<off_t>(onec_runtime_file_size));
  if (err != 0 && err != EOPNOTSUPP && err != EINVAL) problem = "allocate " + std::to_string(onec_runtime_file_size) + " bytes: " + sys::errorText(err);
  if (problem.empty()) {
    if (std::strcmp(onec_runtime_codec, "zstd") == 0) {
      problem = decompressInto(fd, damaged);
    } else if (!sys::writeAll(fd, onec_runtime_payload, static_cast<std::size_t>(onec_runtime_payload_size))) {
      problem = "write: " + sys::errorText(errno);
    }
  }
  if (problem.empty() && ::fsync(fd) != 0) problem = "fsync: " + sys::errorText(errno);
  if (problem.empty() && ::fchmod(fd, 0500) != 0) problem = "chmod: " + sys::errorText(errno);
  if (::close(fd) != 0 && problem.empty()) problem = "close: " + sys::errorText(errno);
  if (!problem.empty()) ::unlink(tmp.c_str());
  return problem;
}

std::string writeMarker(const std::string& marker, const std::string& identity) {
  static std::atomic<unsigned> counter{0};
  std::string tmp = marker + ".tmp." + std::to_string(static_cast<long>(getpid())) + "." + std::to_string(counter++);
  int fd = sys::openFile(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (fd < 0) return "create " + tmp + ": " + sys::errorText(errno);
  bool ok = sys::writeAll(fd, identity.data(), identity.size()) && ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && ::rename(tmp.c_str(), marker.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (ok) return std::string();
  ::unlink(tmp.c_str());
  return "write " + marker + ": " + sys::errorText(err);
}

void logLine(const std::string& logPath, const std::string& line) {
  int log = sys::openFile(logPath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
  if (log < 0) return;
  time_t now = ::time(nullptr);
  struct tm tmv;
  char stamp[32] = "";
  if (::gmtime_r(&now, &tmv) != nullptr) std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  std::string text = std::string(stamp) + " library: " + line + "\n";
  (void)sys::writeAll(log, text.data(), text.size());
  sys::closeFd(log);
}

/** Removes the files an extraction makes in `dir` (program, marker, leftovers), then `dir`. */
void removeRuntimeDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
  ::rmdir(dir.c_str());
}

}  // namespace

std::vector<std::string> runtimeFolders(const std::string& socketDir) {
  std::string configured = sys::env("ONEC_WEBSOCKET_DIR");
  if (!configured.empty()) return {configured};
  std::vector<std::string> folders;
  std::string cache = sys::env("XDG_CACHE_HOME");
  if (cache.empty() || cache[0] != '/') {
    std::string home = homeDir();
    cache = home.empty() || home[0] != '/' ? std::string() : home + "/.cache";
  }
  if (!cache.empty()) folders.push_back(cache + "/onec-websocket");
  folders.push_back("/var/tmp/onec-websocket-" + std::to_string(static_cast<unsigned long>(geteuid())));
  folders.push_back(socketDir);
  return folders;
}

std::string ensureRuntimeIn(const std::string& folderIn, const std::string& logPath, std::string& reason) {
  std::string folder = folderIn;
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  // the cache's parent (~/.cache) is made as XDG asks (0700) when missing; only our folder is checked
  std::size_t slash = folder.rfind('/');
  if (slash != std::string::npos && slash > 0) ::mkdir(folder.substr(0, slash).c_str(), 0700);
  reason = makePrivateDir(folder);
  if (!reason.empty()) return std::string();
  struct statvfs vfs;
  if (::statvfs(folder.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOEXEC) != 0) {
    reason = "mounted noexec";
    return std::string();
  }

  const std::string name = runtimeName();
  const std::string dir = folder + "/" + name;
  const std::string program = dir + "/" + kProgram;
  const std::string marker = program + kMarkerSuffix;
  RuntimeLock lock(folder + "/" + name + ".lock", false);
  if (!lock.held()) {
    reason = "lock " + folder + "/" + name + ".lock: " + sys::errorText(lock.error());
    return std::string();
  }
  if (intact(program, marker)) {
    // the marker's mtime says when this runtime was last used (removeUnusedRuntimes)
    ::utimensat(AT_FDCWD, marker.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
    return program;
  }

  int64_t started = sys::nowMs();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    reason = "mkdir " + dir + ": " + sys::errorText(errno);
    return std::string();
  }
  std::string problem = makePrivateDir(dir);
  if (!problem.empty()) {
    reason = dir + ": " + problem;
    return std::string();
  }
  removeLeftovers(dir);
  ::unlink(marker.c_str());
  static std::atomic<unsigned> counter{0};
  std::string tmp = program + ".tmp." + std::to_string(static_cast<long>(getpid())) + "." + std::to_string(counter++);
  bool damaged = false;
  problem = writeProgram(tmp, damaged);
  if (damaged) {
    throw Failure::of(gen::Msg::engineRuntimeDamaged, text::fromUtf8(problem));
  }
  if (problem.empty() && ::rename(tmp.c_str(), program.c_str()) != 0) {
    problem = "rename " + tmp + ": " + sys::errorText(errno);
    ::unlink(tmp.c_str());
  }
  sys::FileInfo info;
  if (problem.empty() && !sys::lstatPath(program, info)) problem = "lstat " + program + ": " + sys::errorText(errno);
  if (problem.empty()) problem = writeMarker(marker, identityOf(info));
  if (!problem.empty()) {
    reason = problem;
    return std::string();
  }
  logLine(logPath, "extracted Node.js " + std::string(onec_runtime_version) + " to " + program + " (" +
                   std::to_string(info.size) + " bytes) in " + std::to_string(sys::nowMs() - started) + " ms");
  return program;
}

void removeUnusedRuntimes(const std::string& folderIn) {
  std::string folder = folderIn;
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  const std::string current = runtimeName();
  std::vector<std::string> others;
  DIR* d = ::opendir(folder.c_str());
  if (d == nullptr) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.compare(0, 5, "node-") != 0 || n == current) continue;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".lock") == 0) continue;
    others.push_back(n);
  }
  ::closedir(d);
  const int64_t cutoffNs =
      (static_cast<int64_t>(::time(nullptr)) - static_cast<int64_t>(kRuntimeUnusedDays) * 86400) * 1000000000;
  for (const std::string& n : others) {
    const std::string dir = folder + "/" + n;
    sys::FileInfo info;
    if (!sys::lstatPath(dir, info) || !info.isDir || info.uid != geteuid()) continue;
    // last use: the marker's mtime (touched on every start), else the folder's own
    sys::FileInfo marker;
    int64_t lastUse = sys::lstatPath(dir + "/" + kProgram + kMarkerSuffix, marker) ? marker.mtimeNs : info.mtimeNs;
    if (lastUse >= cutoffNs) continue;
    RuntimeLock lock(dir + ".lock", true);
    if (!lock.held()) continue;  // being extracted or checked right now: in use
    removeRuntimeDir(dir);
    ::unlink((dir + ".lock").c_str());
  }
}

}  // namespace engine

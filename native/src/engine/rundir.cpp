#include "engine/rundir.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/start_failures.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"
#include "version.h"

namespace engine {

std::string runtimeDirPath() {
  std::string dir = sys::env("ONEC_WEBSOCKET_DIR");
  if (!dir.empty()) return dir;
  std::string xdg = sys::env("XDG_RUNTIME_DIR");
  if (!xdg.empty()) return xdg + "/onec-websocket";
  return "/tmp/onec-websocket-" + std::to_string(static_cast<unsigned long>(geteuid()));
}

RuntimePaths pathsIn(const std::string& dir) {
  RuntimePaths p;
  p.dir = dir;
  while (p.dir.size() > 1 && p.dir.back() == '/') p.dir.pop_back();
  std::string base = p.dir + "/engine-" + gen::kBundleHash;
  p.bundle = base + ".mjs";
  p.socket = base + ".sock";
  p.lock = base + ".lock";
  p.log = base + ".log";
  return p;
}

std::string makePrivateDir(const std::string& dir, bool* unsafe) {
  if (unsafe != nullptr) *unsafe = true;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    if (unsafe != nullptr) *unsafe = false;
    return "mkdir " + dir + ": " + sys::errorText(errno);
  }
  sys::FileInfo info;
  if (!sys::lstatPath(dir, info)) return "lstat: " + sys::errorText(errno);
  if (info.isLink) return "symbolic link";
  if (!info.isDir) return "not a directory";
  uid_t me = geteuid();
  if (info.uid != me) {
    return "owner uid " + std::to_string(static_cast<unsigned long>(info.uid)) + " != euid " +
           std::to_string(static_cast<unsigned long>(me));
  }
  if ((info.mode & 077) != 0) {
    // Tighten through a descriptor of the very directory we checked (no symlink race).
    int fd = sys::openFile(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) return "open: " + sys::errorText(errno);
    sys::FileInfo again;
    bool ok = sys::fstatFd(fd, again) && again.isDir && again.uid == me && ::fchmod(fd, 0700) == 0;
    int err = errno;
    sys::closeFd(fd);
    if (!ok) {
      char mode[16];
      std::snprintf(mode, sizeof mode, "%03o", info.mode & 0777);
      return std::string("mode ") + mode + ", chmod 0700: " + sys::errorText(err);
    }
  }
  return std::string();
}

RuntimePaths prepareRuntimeDir() {
  RuntimePaths paths = pathsIn(runtimeDirPath());
  bool unsafe = false;
  std::string problem = makePrivateDir(paths.dir, &unsafe);
  if (!problem.empty()) throw unsafe ? unsafeDir(paths.dir, problem) : startFailed(problem);
  if (paths.socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw startFailed("socket path too long: " + paths.socket);
  }
  return paths;
}

void ensureBundle(const RuntimePaths& paths) {
  const auto size = static_cast<int64_t>(onec_engine_bundle_size);
  sys::FileInfo info;
  if (sys::lstatPath(paths.bundle, info) && info.isRegular && info.size == size) return;

  static std::atomic<unsigned> counter{0};
  std::string tmp = paths.bundle + ".tmp." + std::to_string(static_cast<long>(getpid())) + "." +
                    std::to_string(counter.fetch_add(1));
  int fd = sys::openFile(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (fd < 0) throw startFailed("create " + tmp + ": " + sys::errorText(errno));
  bool ok = sys::writeAll(fd, onec_engine_bundle, static_cast<std::size_t>(size));
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && ::rename(tmp.c_str(), paths.bundle.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    throw startFailed("write " + paths.bundle + ": " + sys::errorText(err));
  }
}

}  // namespace engine

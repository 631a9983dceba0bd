#include "engine/connection.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/sys.h"
#include "wire.h"

namespace engine {

int Connection::connect(const std::string& path) {
  close();
  sockaddr_un addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return ENAMETOOLONG;
  std::memcpy(addr.sun_path, path.data(), path.size());

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  int r;
  do {
    r = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (r != 0 && errno == EINTR);
  if (r != 0) {
    // EINTR on connect means "in progress": treat it like any other failure; the caller retries.
    int err = errno;
    ::close(fd);
    return err;
  }
  std::lock_guard<std::mutex> g(fdMutex_);
  if (interrupted_) {
    ::close(fd);
    return ECANCELED;
  }
  fd_ = fd;
  return 0;
}

void Connection::close() {
  std::lock_guard<std::mutex> g(fdMutex_);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool Connection::peerGone() const {
  if (fd_ < 0) return true;
  pollfd pfd{fd_, POLLIN, 0};
  int r;
  do {
    r = ::poll(&pfd, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

void Connection::interrupt() {
  std::lock_guard<std::mutex> g(fdMutex_);
  interrupted_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void Connection::allowReconnect() {
  std::lock_guard<std::mutex> g(fdMutex_);
  interrupted_ = false;
}

void Connection::sendAll(const uint8_t* p, std::size_t n) {
  while (n > 0) {
    // MSG_NOSIGNAL: a dead engine must never raise SIGPIPE in the host process
    ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw LinkBroken{"send: " + sys::errorText(errno)};
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void Connection::recvExact(uint8_t* p, std::size_t n, int64_t deadlineMs) {
  while (n > 0) {
    if (deadlineMs >= 0) {
      int64_t left = deadlineMs - sys::nowMs();
      if (left <= 0) throw LinkBroken{"no response from the engine in time"};
      pollfd pfd{fd_, POLLIN, 0};
      int r = ::poll(&pfd, 1, left > 60000 ? 60000 : static_cast<int>(left));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw LinkBroken{"poll: " + sys::errorText(errno)};
      }
      if (r == 0) continue;  // loop re-checks the deadline
    }
    ssize_t got = ::recv(fd_, p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw LinkBroken{"recv: " + sys::errorText(errno)};
    }
    if (got == 0) throw LinkBroken{"the engine closed the connection"};
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::vector<uint8_t> Connection::roundTrip(const std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs) {
  if (fd_ < 0) throw LinkBroken{"not connected"};
  sendAll(frame.data(), frame.size());
  uint8_t head[5];
  recvExact(head, sizeof head, deadlineMs);
  uint32_t len = static_cast<uint32_t>(head[0]) | (static_cast<uint32_t>(head[1]) << 8) |
                 (static_cast<uint32_t>(head[2]) << 16) | (static_cast<uint32_t>(head[3]) << 24);
  if (len < 1 || len > wire::kMaxFrame) throw LinkBroken{"bad frame length", true};
  if (head[4] != (wire::kResponseBit | op)) throw LinkBroken{"unexpected response op", true};
  std::vector<uint8_t> body(len - 1);
  if (!body.empty()) recvExact(body.data(), body.size(), deadlineMs);
  return body;
}

}  // namespace engine

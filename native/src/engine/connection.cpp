#include "engine/connection.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/sys.h"
#include "wire.h"

namespace engine {

namespace {
constexpr int kRecvSliceMs = 1000;
}

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
  // Reads wait in slices, so a deadline is checked without a poll() before every read.
  timeval slice{kRecvSliceMs / 1000, (kRecvSliceMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice);
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

void Connection::interrupt() {
  std::lock_guard<std::mutex> g(fdMutex_);
  interrupted_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void Connection::allowReconnect() {
  std::lock_guard<std::mutex> g(fdMutex_);
  interrupted_ = false;
}

void Connection::sendAll(const std::vector<uint8_t>* first, const std::vector<uint8_t>& second) {
  iovec iov[2];
  int count = 0;
  if (first != nullptr && !first->empty()) iov[count++] = {const_cast<uint8_t*>(first->data()), first->size()};
  if (!second.empty()) iov[count++] = {const_cast<uint8_t*>(second.data()), second.size()};
  iovec* at = iov;
  bool sentAny = false;
  while (count > 0) {
    msghdr msg;
    std::memset(&msg, 0, sizeof msg);
    msg.msg_iov = at;
    msg.msg_iovlen = static_cast<std::size_t>(count);
    // MSG_NOSIGNAL: a dead engine must never raise SIGPIPE in the host process
    ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      // A Unix stream socket whose peer has closed refuses at once: nothing of this request went
      // out, the engine was gone (or had dropped the connection) before the call.
      bool gone = !sentAny && (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN);
      throw LinkBroken{"send: " + sys::errorText(errno), false, gone};
    }
    sentAny = true;
    auto left = static_cast<std::size_t>(w);
    while (count > 0 && left >= at->iov_len) {
      left -= at->iov_len;
      ++at;
      --count;
    }
    if (count > 0) {
      at->iov_base = static_cast<uint8_t*>(at->iov_base) + left;
      at->iov_len -= left;
    }
  }
}

void Connection::post(const std::vector<uint8_t>* first, const std::vector<uint8_t>& frame) {
  if (fd_ < 0) throw LinkBroken{"not connected"};
  sendAll(first, frame);
}

std::size_t Connection::recvSome(uint8_t* p, std::size_t n, int64_t deadlineMs) {
  for (;;) {
    ssize_t got = ::recv(fd_, p, n, 0);
    if (got > 0) return static_cast<std::size_t>(got);
    if (got == 0) throw LinkBroken{"the engine closed the connection"};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // a receive slice (kRecvSliceMs) ended: check the deadline and wait again
      if (deadlineMs >= 0 && sys::nowMs() >= deadlineMs) throw LinkBroken{"no response from the engine in time"};
      continue;
    }
    throw LinkBroken{"recv: " + sys::errorText(errno)};
  }
}

std::vector<uint8_t> Connection::roundTrip(const std::vector<uint8_t>* prefix, const std::vector<uint8_t>& frame,
                                           uint8_t op, int64_t deadlineMs, std::vector<uint8_t>* spare) {
  if (fd_ < 0) throw LinkBroken{"not connected"};
  sendAll(prefix, frame);
  // One read takes a whole small response; a large one continues into its own buffer.
  uint8_t first[4096];
  std::size_t got = 0;
  while (got < 5) got += recvSome(first + got, sizeof first - got, deadlineMs);
  uint32_t len = static_cast<uint32_t>(first[0]) | (static_cast<uint32_t>(first[1]) << 8) |
                 (static_cast<uint32_t>(first[2]) << 16) | (static_cast<uint32_t>(first[3]) << 24);
  if (len < 1 || len > wire::kMaxFrame) throw LinkBroken{"bad frame length", true};
  if (first[4] != (wire::kResponseBit | op)) throw LinkBroken{"unexpected response op", true};
  // the engine sends nothing but the response to the one request in flight
  if (got > 4 + static_cast<std::size_t>(len)) throw LinkBroken{"data after the response", true};
  std::size_t have = got - 5;
  std::vector<uint8_t> body;
  // first-touching fresh memory is what a large body costs most: read it into the spare one
  if (spare != nullptr && len - 1 > have) body = std::move(*spare);
  body.resize(len - 1);
  if (have > 0) std::memcpy(body.data(), first + 5, have);
  while (have < body.size()) have += recvSome(body.data() + have, body.size() - have, deadlineMs);
  return body;
}

}  // namespace engine

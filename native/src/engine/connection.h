// One Unix stream socket to the engine: connect, framed request/response, and a thread-safe
// shutdown that wakes a reader blocked in another thread (DestroyObject during Receive).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace engine {

/** The socket broke (EOF, error, deadline, shutdown): the engine object is gone. */
struct LinkBroken {
  std::string why;
  /** the engine sent something malformed (as opposed to the socket failing) */
  bool protocol = false;
};

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  /** Connects to the socket path. Returns 0 or the errno of the failure. */
  int connect(const std::string& path);
  bool isOpen() const { return fd_ >= 0; }
  void close();

  /**
   * Between requests the engine never writes: a readable socket means it closed (or broke) the
   * connection. Non-blocking.
   */
  bool peerGone() const;

  /**
   * From any thread: shut the socket down so a blocked read returns now, and refuse to connect
   * again until allowReconnect(). The fd itself is closed later by the owning thread.
   */
  void interrupt();
  void allowReconnect();

  /**
   * Sends a finished frame and reads the response frame for `op`. Returns the response body
   * (after the op byte). deadlineMs < 0: no limit; otherwise CLOCK_MONOTONIC ms. Throws LinkBroken
   * (the connection is then unusable; the caller closes it).
   */
  std::vector<uint8_t> roundTrip(const std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs);

 private:
  void sendAll(const uint8_t* p, std::size_t n);
  void recvExact(uint8_t* p, std::size_t n, int64_t deadlineMs);

  int fd_ = -1;
  std::mutex fdMutex_;  // guards fd_ installation/closing against interrupt()
  bool interrupted_ = false;
};

}  // namespace engine

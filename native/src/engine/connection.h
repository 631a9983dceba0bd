// One stream connection to the engine — a Unix socket (connection.cpp) or, on Windows, a named
// pipe (connection_win.cpp): connect, framed request/response, and a thread-safe shutdown that
// wakes a reader blocked in another thread (DestroyObject during Receive).
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
  /** the engine had closed the connection before this request: none of it was sent */
  bool beforeRequest = false;
};

class Connection {
 public:
#if defined(_WIN32)
  Connection();
  ~Connection();
#else
  Connection() = default;
  ~Connection() { close(); }
#endif
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /**
   * Connects to the socket path (Windows: the pipe name). Returns 0 or the errno of the failure
   * (Windows: the GetLastError() code; kCancelled after interrupt(), kForeignServer when the pipe
   * is served by a process of another user).
   */
  int connect(const std::string& path);
#if defined(_WIN32)
  static constexpr int kCancelled = 1223;       // ERROR_CANCELLED
  static constexpr int kForeignServer = -1000;  // not a Win32 code
  bool isOpen() const { return pipe_ != nullptr; }
  /** The process id of the pipe's server (the engine) after a successful connect. */
  unsigned long serverPid() const { return serverPid_; }
#else
  bool isOpen() const { return fd_ >= 0; }
#endif
  void close();

  /**
   * From any thread: shut the socket down so a blocked read returns now, and refuse to connect
   * again until allowReconnect(). The fd itself is closed later by the owning thread.
   */
  void interrupt();
  void allowReconnect();

  /**
   * Sends a finished frame and reads the response frame for `op`. Returns the response body
   * (after the op byte). deadlineMs < 0: no limit; otherwise sys::nowMs() ms. Throws LinkBroken
   * (the connection is then unusable; the caller closes it).
   */
  std::vector<uint8_t> roundTrip(const std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs) {
    return roundTrip(nullptr, frame, op, deadlineMs);
  }
  /**
   * The same, with `prefix` (a frame that gets no response, may be null) sent in the same write;
   * a response body too large for one read is read into `spare` (its memory reused) and returned.
   */
  std::vector<uint8_t> roundTrip(const std::vector<uint8_t>* prefix, const std::vector<uint8_t>& frame, uint8_t op,
                                 int64_t deadlineMs, std::vector<uint8_t>* spare = nullptr);

  /** Sends frames that get no response (null ones are skipped), in one write. Throws LinkBroken. */
  void post(const std::vector<uint8_t>* first, const std::vector<uint8_t>& frame);

 private:
  void sendAll(const std::vector<uint8_t>* first, const std::vector<uint8_t>& second);
  /** Reads what is there (at least one byte, at most n), waiting until deadlineMs (< 0: no limit). */
  std::size_t recvSome(uint8_t* p, std::size_t n, int64_t deadlineMs);

#if defined(_WIN32)
  /** One overlapped read or write, waiting for it, the cancel event or the deadline. */
  std::size_t transfer(bool write, uint8_t* p, std::size_t n, int64_t deadlineMs);

  void* pipe_ = nullptr;         // HANDLE opened FILE_FLAG_OVERLAPPED
  void* ioEvent_ = nullptr;      // manual-reset event of the pending operation
  void* cancelEvent_ = nullptr;  // manual-reset, set by interrupt()
  unsigned long serverPid_ = 0;
  std::mutex fdMutex_;  // guards pipe_ installation/closing against interrupt()
#else
  int fd_ = -1;
  std::mutex fdMutex_;  // guards fd_ installation/closing against interrupt()
#endif
  bool interrupted_ = false;
};

}  // namespace engine

// One add-in object's session with the engine: lazy open (connect/start + OPEN), requests, and
// the "engine lost" state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/connection.h"
#include "wire.h"

namespace engine {

/** A response and the buffer its strings point into. */
struct Reply {
  std::vector<uint8_t> body;
  wire::Response response;
};

class Session {
 public:
  enum class State {
    Idle,  // never opened (or closed by Done): the next request opens
    Open,  // connected, OPEN accepted
    Lost,  // the connection broke: the engine object is gone
  };

  explicit Session(unsigned classId) : classId_(classId) {}

  State state() const { return state_; }

  /**
   * Notices an engine that went away between calls (Open → Lost without failing anything), so
   * the call about to be made follows its engine-lost policy.
   */
  void detectLoss();

  /** The locale/language string sent with OPEN (and LOCALE when open). */
  void setLocale(const std::u16string& locale);

  /**
   * Sends the finished request (opening the session first unless it is Open) and waits for the
   * response; deadlineMs < 0 waits without limit. Throws Failure: start errors, engineLost (state
   * becomes Lost), engineProtocol.
   */
  Reply request(std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs);

  /** From any thread: wake a blocked request and refuse new connections. */
  void interrupt() { conn_.interrupt(); }
  /** After interrupt() and once no request runs: close, forget, allow new connections. */
  void reset();

 private:
  void open();
  [[noreturn]] void broken(const LinkBroken& e);

  unsigned classId_;
  State state_ = State::Idle;
  bool hasLocale_ = false;
  std::u16string locale_;
  Connection conn_;
};

}  // namespace engine

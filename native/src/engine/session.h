// One add-in object's session with the engine: lazy open (connect/start + OPEN), requests, and
// the "engine lost" state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/connection.h"
#include "wire.h"

namespace engine {

/**
 * The engine had gone (or dropped the connection) before the request: nothing was sent, the
 * session is Lost now, and the call follows its engine-lost policy.
 */
struct EngineGone {};

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

  /** The locale/language string sent with OPEN (and LOCALE when open). */
  void setLocale(const std::u16string& locale);

  /**
   * Sends the finished request (opening the session first unless it is Open) and waits for the
   * response; deadlineMs < 0 waits without limit. Throws EngineGone (an Open session found its
   * engine gone before sending) or Failure: start errors, engineLost (the link broke during the
   * call; state becomes Lost), engineProtocol.
   */
  Reply request(std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs);

  /** From any thread: wake a blocked request and refuse new connections. */
  void interrupt() { conn_.interrupt(); }
  /** After interrupt() and once no request runs: close, forget, allow new connections. */
  void reset();

 private:
  void open();
  [[noreturn]] void broken(const LinkBroken& e);  // EngineGone or engineLost/engineProtocol

  unsigned classId_;
  State state_ = State::Idle;
  bool hasLocale_ = false;
  std::u16string locale_;
  Connection conn_;
};

}  // namespace engine

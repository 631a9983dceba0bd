// The external-events thread of one add-in object (docs/features.md "External events",
// docs/protocol.md "External events"). With ВнешниеСобытия = Истина the object runs this thread:
// it opens a second connection to the engine, subscribes with the token the engine handed out,
// and then loops: NEXT (wait for an event) → ExternalEvent on the platform → ACK (taken or not).
// The engine decides what comes next; whether a refused message stays for Принять is its business.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/connection.h"

namespace engine {

class EventPump {
 public:
  /**
   * Raises one event on the platform (IAddInDefBase::ExternalEvent); true if the platform took it.
   * Called on the pump's thread only, never after stop() has returned.
   */
  using Raise = std::function<bool(std::u16string& source, std::u16string& name, std::u16string& data)>;

  explicit EventPump(Raise raise) : raise_(std::move(raise)) {}
  EventPump(const EventPump&) = delete;
  EventPump& operator=(const EventPump&) = delete;
  ~EventPump() { stop(); }

  /**
   * Runs the thread for `token` (the SET ВнешниеСобытия answer) unless it already runs for it.
   * `lostText` is the data of the "error" event raised if the engine goes away meanwhile.
   */
  void start(const std::u16string& token, const std::u16string& lostText);

  /**
   * Stops the thread and joins it; afterwards the pump never calls Raise. An event being raised
   * right now is finished and answered first (so the engine knows whether the platform took it).
   * Any thread, any number of times.
   */
  void stop();

 private:
  enum class Phase {
    Waiting,  // connecting or waiting for the engine: nothing owed, stop() may interrupt
    Raising,  // inside Raise or answering it: stop() waits for the answer to go out
  };

  void run(std::u16string token, std::u16string lostText);
  /** stop() with control_ held. */
  void stopLocked();
  /** Under mu_: false if stop() was asked for; otherwise enters `phase`. */
  bool enter(Phase phase);

  Raise raise_;
  std::mutex control_;  // serialises start/stop (the thread handle)
  std::thread thread_;
  std::u16string token_;

  std::mutex mu_;  // stopping_, phase_, finished_: shared by the pump and stop()
  bool stopping_ = false;
  bool finished_ = false;
  Phase phase_ = Phase::Waiting;

  Connection conn_;  // used by the pump's thread; interrupt()ed by stop()
};

}  // namespace engine

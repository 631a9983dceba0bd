// One add-in object's session with the engine: lazy open (connect/start + OPEN), requests, and
// the "engine lost" state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/connection.h"
#include "engine/shared.h"
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

  /**
   * Sends a POST frame (a CALL under the send grant) without waiting. The session must be Open.
   * Throws like request.
   */
  void post(std::vector<uint8_t>& frame);

  // ---- buffers: the memory of the last large request and response, reused ----

  /** A buffer to build the next request in (engine/session.cpp says how long memory is kept). */
  std::vector<uint8_t> requestBuffer() { return std::move(spareRequest_); }
  /** Gives a request's buffer back once the request has gone out. */
  void recycleRequest(std::vector<uint8_t>&& buffer) { keepSpare(spareRequest_, std::move(buffer)); }

  // ---- shared memory: large message bodies (engine/shared.h, docs/protocol.md) ----

  /**
   * Room for a message body of `n` bytes in the out area, the connection's areas shared first if
   * they are not yet; null when the body goes through the socket (shared memory off, refused, or
   * the session not open). A request carrying a body there waits for its response (never POST): the
   * engine has read the area before it answers.
   */
  uint8_t* sharedRoom(std::size_t n);

  // ---- batches: further results of a call, answered here without asking the engine ----

  /**
   * Keeps the further results of `reply` (a response to a call of `method`) as the batch; a reply
   * without any gives its buffer back for the next large response.
   */
  void keepBatch(uint16_t method, Reply&& reply);
  /** The batch holds results of `method`. */
  bool hasBatch(uint16_t method) const {
    return batchLeft_ > 0 && batchMethod_ == method && state_ == State::Open;
  }
  /** Hands out the next batched result; valid until the next call into the session. */
  const wire::Result& nextBatched();
  /** Gives the rest of the batch up: the next request tells the engine, which queues it again. */
  void dropBatch();
  /** Best effort before closing: tells the engine what became of the batch (the rest goes back). */
  void settle();

  // ---- the send grant: calls that may be posted without waiting (docs/protocol.md) ----

  /**
   * May a call of `method` carrying `cost` bytes of message bodies be posted now (with `key`, its
   * first argument, among the granted ones when the grant is keyed)? If so the credit is used.
   */
  bool mayPost(uint16_t method, bool hasKey, int32_t key, uint64_t cost);
  /** The grant names connection ids (its calls' first argument). */
  bool grantKeyed() const { return grant_.keyed; }

  /** From any thread: wake a blocked request and refuse new connections. */
  void interrupt() { conn_.interrupt(); }
  /** After interrupt() and once no request runs: close, forget, allow new connections. */
  void reset();

 private:
  void open();
  [[noreturn]] void broken(const LinkBroken& e);  // EngineGone or engineLost/engineProtocol
  /** Forgets batch, grant and pending TAKEN (the engine object is new or gone). */
  void forget();
  /** The TAKEN frame due before the next request, or null. */
  const std::vector<uint8_t>* pendingTaken();
  /** Frees the areas' memory kKeepLargeMs after the last large body (engine/session.cpp). */
  void shrinkWhenIdle();
  /** SHARE: creates the areas and has the engine open them (once per connection). */
  void share();
  /** Points the primary result's SHARED values into the in area (throws LinkBroken if it cannot). */
  void resolveShared(wire::Response& r);
  /** Keeps `buffer` in `slot` for reuse, unless it is large and large messages have stopped. */
  void keepSpare(std::vector<uint8_t>& slot, std::vector<uint8_t>&& buffer);

  unsigned classId_;
  State state_ = State::Idle;
  bool hasLocale_ = false;
  std::u16string locale_;
  Connection conn_;

  Reply batch_;
  std::size_t batchNext_ = 0;
  std::size_t batchLeft_ = 0;
  uint16_t batchMethod_ = 0;
  uint32_t taken_ = 0;       // batched results handed out, not yet reported
  bool dropPending_ = false;  // the rest of a batch was given up, not yet reported
  std::vector<uint8_t> takenFrame_;

  std::vector<uint8_t> spareRequest_;
  std::vector<uint8_t> spareResponse_;
  int64_t lastLargeMs_ = 0;  // when a large request or response was last made

  enum class Sharing { Unknown, Active, Refused };  // for the current connection
  Sharing sharing_ = Sharing::Unknown;
  bool shareSoon_ = false;  // a large body came through the socket: SHARE before the next request
  SharedAreas areas_;
  int64_t lastSharedMs_ = 0;  // when a body last crossed in shared memory

  wire::Grant grant_;
  int64_t grantSinceMs_ = 0;
  uint32_t grantPosts_ = 0;
  uint64_t grantCredit_ = 0;
};

}  // namespace engine

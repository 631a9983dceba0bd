#include "engine/event_pump.h"

#include "engine/launcher.h"
#include "engine/sys.h"
#include "failure.h"
#include "version.h"
#include "wire.h"

namespace engine {

namespace {

/** SUBSCRIBE and ACK are answered at once; this only bounds a hung engine. */
constexpr int64_t kAnswerMs = 30000;

/** The default Источник, until the engine tells the object's own. */
constexpr char16_t kDefaultSource[] = u"WebSocket";

wire::Response parse(const std::vector<uint8_t>& body) {
  try {
    return wire::parseResponse(body.data(), body.size());
  } catch (const wire::ProtocolError& e) {
    throw LinkBroken{e.what, true};
  }
}

/** An out-parameter of a NEXT response as a string ("" if absent or not a String). */
std::u16string outString(const wire::Response& r, uint8_t index) {
  for (const wire::OutParam& out : r.outParams) {
    if (out.index == index) return out.value.toU16();
  }
  return std::u16string();
}

}  // namespace

void EventPump::start(const std::u16string& token, const std::u16string& lostText) {
  std::lock_guard<std::mutex> control(control_);
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (!finished_ && token == token_) return;  // already running for this object
    }
    stopLocked();
  }
  token_ = token;
  stopping_ = false;
  finished_ = false;
  phase_ = Phase::Waiting;
  conn_.allowReconnect();
  thread_ = std::thread(&EventPump::run, this, token, lostText);
}

void EventPump::stop() {
  std::lock_guard<std::mutex> control(control_);
  stopLocked();
}

void EventPump::stopLocked() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
    // Waiting: wake the blocked read (or refuse the connect). Raising: the event's answer must
    // still reach the engine, so let it finish; the pump checks stopping_ right after.
    if (phase_ == Phase::Waiting) conn_.interrupt();
  }
  thread_.join();
  conn_.close();
}

bool EventPump::enter(Phase phase) {
  std::lock_guard<std::mutex> g(mu_);
  if (stopping_) return false;
  phase_ = phase;
  return true;
}

void EventPump::run(std::u16string token, std::u16string lostText) {
  std::u16string source(kDefaultSource);
  bool lost = false;
  try {
    connectOrStart(conn_);
    wire::Writer subscribe(wire::SUBSCRIBE);
    subscribe.u16(static_cast<uint16_t>(gen::kProtocolVersion));
    subscribe.string(token.data(), token.size());
    wire::Response r = parse(conn_.roundTrip(subscribe.finish(), wire::SUBSCRIBE, sys::nowMs() + kAnswerMs));
    if (r.ok && r.value.tag == wire::STRING) source = r.value.toU16();
    // not ok: the events were switched off (or the object went away) before we got here
    while (r.ok) {
      if (!enter(Phase::Waiting)) break;
      wire::Writer next(wire::NEXT);
      std::vector<uint8_t> body = conn_.roundTrip(next.finish(), wire::NEXT, -1);
      if (!enter(Phase::Raising)) break;  // not raised: the engine gives it back when we close
      wire::Response event = parse(body);
      if (!event.ok) break;  // switched off, or the object is gone
      double seq = event.value.tag == wire::INT32 ? event.value.int32 : event.value.number;
      source = outString(event, 0);
      std::u16string name = outString(event, 1);
      std::u16string data = outString(event, 2);
      bool taken = raise_(source, name, data);
      wire::Writer ack(wire::ACK);
      ack.u32(static_cast<uint32_t>(seq));
      ack.u8(taken ? 1 : 0);
      parse(conn_.roundTrip(ack.finish(), wire::ACK, sys::nowMs() + kAnswerMs));
    }
  } catch (const LinkBroken&) {
    lost = true;
  } catch (const Failure&) {
    lost = true;  // the engine could not be reached at all
  } catch (...) {
  }
  // The engine went away (not because we were told to stop): tell the form once.
  if (lost && enter(Phase::Raising)) {
    try {
      std::u16string name(u"error");
      raise_(source, name, lostText);
    } catch (...) {
    }
  }
  conn_.close();
  std::lock_guard<std::mutex> g(mu_);
  finished_ = true;
}

}  // namespace engine

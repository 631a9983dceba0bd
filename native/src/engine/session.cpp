#include "engine/session.h"

#include "engine/launcher.h"
#include "failure.h"
#include "text.h"
#include "version.h"

namespace engine {

namespace {

Failure protocolFailure(const std::string& why) {
  return Failure::of(gen::Msg::engineProtocol, text::fromUtf8(why));
}

/** The error text of a failed response (the engine always sends a String). */
std::u16string errorText(const wire::Response& r) {
  if (r.error.tag == wire::STRING) return r.error.toU16();
  return std::u16string();
}

}  // namespace

void Session::setLocale(const std::u16string& locale) {
  hasLocale_ = true;
  locale_ = locale;
  if (state_ != State::Open) return;
  wire::Writer w(wire::LOCALE);
  w.string(locale_.data(), locale_.size());
  try {
    request(w.finish(), wire::LOCALE, -1);
  } catch (...) {
    // SetLocale cannot fail; a broken link is reported by the next call (EngineGone included)
  }
}

void Session::open() {
  for (int attempt = 0;; ++attempt) {
    connectOrStart(conn_);
    wire::Writer w(wire::OPEN);
    w.u16(static_cast<uint16_t>(gen::kProtocolVersion));
    w.u8(static_cast<uint8_t>(classId_));
    if (hasLocale_) {
      w.string(locale_.data(), locale_.size());
    } else {
      w.undefined();
    }
    std::vector<uint8_t> body;
    try {
      body = conn_.roundTrip(w.finish(), wire::OPEN, -1);
    } catch (const LinkBroken& e) {
      conn_.close();
      // The engine may have been exiting for idleness just as we connected: try once more.
      if (attempt == 0 && !e.protocol) continue;
      if (e.protocol) throw protocolFailure(e.why);
      throw Failure::of(gen::Msg::engineStartFailed, text::fromUtf8(e.why));
    }
    wire::Response r;
    try {
      r = wire::parseResponse(body.data(), body.size());
    } catch (const wire::ProtocolError& e) {
      conn_.close();
      throw protocolFailure(e.what);
    }
    if (!r.ok) {
      conn_.close();
      std::u16string text = errorText(r);
      if (text.empty()) throw protocolFailure("OPEN refused");
      throw Failure::withText(text);
    }
    state_ = State::Open;
    return;
  }
}

void Session::broken(const LinkBroken& e) {
  conn_.close();
  state_ = State::Lost;
  if (e.beforeRequest) throw EngineGone{};
  if (e.protocol) throw protocolFailure(e.why);
  throw Failure::of(gen::Msg::engineLost);
}

Reply Session::request(std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs) {
  if (frame.size() - 4 > wire::kMaxFrame) throw protocolFailure("request larger than 1 GiB");
  if (state_ != State::Open) open();
  Reply reply;
  try {
    reply.body = conn_.roundTrip(frame, op, deadlineMs);
  } catch (const LinkBroken& e) {
    broken(e);
  }
  try {
    reply.response = wire::parseResponse(reply.body.data(), reply.body.size());
  } catch (const wire::ProtocolError& e) {
    broken(LinkBroken{e.what, true});
  }
  return reply;
}

void Session::reset() {
  conn_.close();
  conn_.allowReconnect();
  state_ = State::Idle;
}

}  // namespace engine

#include "engine/session.h"

#include "engine/launcher.h"
#include "engine/sys.h"
#include "failure.h"
#include "text.h"
#include "version.h"

namespace engine {

namespace {

/**
 * A send grant lasts this long and this many posts: a connection that ended meanwhile is noticed
 * by the next call after that at the latest (any answered call renews the grant).
 */
constexpr int64_t kGrantMs = 20;
constexpr uint32_t kGrantPosts = 4096;

/**
 * Request and response buffers are reused: on a busy server first-touching fresh memory costs more
 * than the copy itself. One larger than kSmallBuffer is kept while large messages keep coming, and
 * freed by the first small call kKeepLargeMs after the last large one.
 */
constexpr std::size_t kSmallBuffer = 64 * 1024;
constexpr int64_t kKeepLargeMs = 2000;

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
  } catch (const Failure&) {
    // SetLocale cannot fail; a broken link is reported by the next call
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
    forget();
    areas_.close();  // a new connection shares its own areas, if any
    sharing_ = SharedAreas::enabled() ? Sharing::Unknown : Sharing::Refused;
    shareSoon_ = false;
    return;
  }
}

void Session::broken(const LinkBroken& e) {
  conn_.close();
  forget();
  areas_.close();
  state_ = State::Lost;
  if (e.beforeRequest) throw EngineGone{};
  if (e.protocol) throw protocolFailure(e.why);
  throw Failure::of(gen::Msg::engineLost);
}

Reply Session::request(std::vector<uint8_t>& frame, uint8_t op, int64_t deadlineMs) {
  if (frame.size() - 4 > wire::kMaxFrame) throw protocolFailure("request larger than 1 GiB");
  if (state_ != State::Open) open();
  if (shareSoon_ && op != wire::SHARE) {
    // a large body came through the socket: share before the next request, so the next one will not
    shareSoon_ = false;
    if (sharing_ == Sharing::Unknown) share();
  }
  shrinkWhenIdle();
  Reply reply;
  try {
    reply.body = conn_.roundTrip(pendingTaken(), frame, op, deadlineMs, &spareResponse_);
  } catch (const LinkBroken& e) {
    broken(e);
  }
  if (reply.body.size() > kSmallBuffer || frame.size() > kSmallBuffer) {
    lastLargeMs_ = sys::nowMs();
  } else if (spareResponse_.capacity() > kSmallBuffer && sys::nowMs() - lastLargeMs_ > kKeepLargeMs) {
    std::vector<uint8_t>().swap(spareResponse_);
  }
  try {
    reply.response = wire::parseResponse(reply.body.data(), reply.body.size());
  } catch (const wire::ProtocolError& e) {
    broken(LinkBroken{e.what, true});
  }
  try {
    resolveShared(reply.response);
  } catch (const LinkBroken& e) {
    broken(e);
  }
  if (reply.body.size() >= kSharedFrom && sharing_ == Sharing::Unknown) shareSoon_ = true;
  // every response replaces the grant
  grant_ = std::move(reply.response.grant);
  grantSinceMs_ = sys::nowMs();
  grantPosts_ = 0;
  grantCredit_ = grant_.present ? grant_.credit : 0;
  return reply;
}

uint8_t* Session::sharedRoom(std::size_t n) {
  if (state_ != State::Open || n > wire::kMaxFrame) return nullptr;
  if (sharing_ == Sharing::Unknown) {
    try {
      share();
    } catch (const EngineGone&) {
      return nullptr;  // the session is Lost now: the call's request applies its policy
    }
  }
  if (sharing_ != Sharing::Active) return nullptr;
  uint8_t* room = areas_.outRoom(n);
  if (room != nullptr) lastSharedMs_ = sys::nowMs();
  return room;
}

void Session::share() {
  sharing_ = Sharing::Refused;
  std::vector<uint8_t> names;
  if (!areas_.create(names)) return;
  wire::Writer w(wire::SHARE);
  w.bytes(names.data(), names.size());
  Reply reply = request(w.finish(), wire::SHARE, -1);
  // True: the engine opened both and found them to be ours; anything else: the socket it is
  if (reply.response.ok && reply.response.value.tag == wire::BOOLEAN && reply.response.value.boolean) {
    sharing_ = Sharing::Active;
  } else {
    areas_.close();
  }
}

void Session::resolveShared(wire::Response& r) {
  for (const wire::Result& more : r.more) {
    // a kept batch must never point into an area the next response may overwrite
    if (more.value.tag == wire::SHARED) throw LinkBroken{"shared body in a batch", true};
    for (const wire::OutParam& out : more.outParams) {
      if (out.value.tag == wire::SHARED) throw LinkBroken{"shared body in a batch", true};
    }
  }
  auto resolve = [&](wire::Value& v) {
    if (v.tag != wire::SHARED) return;
    if (sharing_ != Sharing::Active) throw LinkBroken{"shared body without shared memory", true};
    const uint8_t* p = areas_.inView(v.offset, v.count);
    if (p == nullptr) throw LinkBroken{"shared body outside the shared area", true};
    v.tag = v.kind;
    v.data = p;
    lastSharedMs_ = sys::nowMs();
  };
  resolve(r.value);
  for (wire::OutParam& out : r.outParams) resolve(out.value);
}

void Session::shrinkWhenIdle() {
  // Large messages have stopped: the areas' memory goes back. No request is in flight, so the
  // engine is not writing into the in area (it does only while answering one).
  if (areas_.holdsMemory() && sys::nowMs() - lastSharedMs_ > kKeepLargeMs) areas_.shrink();
}

void Session::post(std::vector<uint8_t>& frame) {
  shrinkWhenIdle();
  frame[4] = wire::POST;
  try {
    conn_.post(pendingTaken(), frame);
  } catch (const LinkBroken& e) {
    broken(e);
  }
}

const std::vector<uint8_t>* Session::pendingTaken() {
  if (taken_ == 0 && !dropPending_) return nullptr;
  takenFrame_ = wire::takenFrame(taken_, dropPending_);
  taken_ = 0;
  dropPending_ = false;
  return &takenFrame_;
}

void Session::keepBatch(uint16_t method, Reply&& reply) {
  if (reply.response.more.empty()) {
    keepSpare(spareResponse_, std::move(reply.body));
    return;
  }
  keepSpare(spareResponse_, std::move(batch_.body));  // the last batch is over
  batchLeft_ = reply.response.more.size();
  batchNext_ = 0;
  batchMethod_ = method;
  batch_ = std::move(reply);  // the values point into the body, which moves along unchanged
}

void Session::keepSpare(std::vector<uint8_t>& slot, std::vector<uint8_t>&& buffer) {
  if (buffer.capacity() <= slot.capacity()) return;  // the slot already holds as much
  if (buffer.size() > kSmallBuffer) lastLargeMs_ = sys::nowMs();
  if (buffer.capacity() > kSmallBuffer && sys::nowMs() - lastLargeMs_ > kKeepLargeMs) return;
  slot = std::move(buffer);
}

const wire::Result& Session::nextBatched() {
  const wire::Result& r = batch_.response.more[batchNext_++];
  --batchLeft_;
  ++taken_;
  return r;
}

void Session::dropBatch() {
  if (batchLeft_ == 0) return;
  batchLeft_ = 0;
  dropPending_ = true;
}

void Session::settle() {
  if (state_ != State::Open) return;
  dropBatch();
  const std::vector<uint8_t>* frame = pendingTaken();
  if (frame == nullptr) return;
  try {
    conn_.post(nullptr, *frame);
  } catch (const LinkBroken&) {
    // closing anyway
  }
}

bool Session::mayPost(uint16_t method, bool hasKey, int32_t key, uint64_t cost) {
  if (state_ != State::Open || !grant_.present || grant_.method != method) return false;
  if (grant_.keyed) {
    if (!hasKey) return false;
    bool found = false;
    for (int32_t k : grant_.keys) {
      if (k == key) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  if (cost > grantCredit_ || grantPosts_ >= kGrantPosts) return false;
  if (sys::nowMs() - grantSinceMs_ > kGrantMs) return false;
  grantCredit_ -= cost;
  ++grantPosts_;
  return true;
}

void Session::forget() {
  batch_ = Reply();
  batchLeft_ = 0;
  batchNext_ = 0;
  taken_ = 0;
  dropPending_ = false;
  grant_ = wire::Grant();
  grantCredit_ = 0;
  grantPosts_ = 0;
}


void Session::reset() {
  conn_.close();
  forget();
  areas_.close();
  sharing_ = Sharing::Unknown;
  std::vector<uint8_t>().swap(spareRequest_);
  std::vector<uint8_t>().swap(spareResponse_);
  conn_.allowReconnect();
  state_ = State::Idle;
}

}  // namespace engine

#include "component.h"

#include <cstring>
#include <new>

#include "abi/constants.h"
#include "engine/sys.h"
#include "names.h"
#include "text.h"
#include "variant.h"

using abi::tVariant;
using abi::WCHAR_T;

namespace {

constexpr char16_t kErrorSource[] = u"AddIn.WebSocket";
/** Receive(T > 0) waits for the engine at most T + this long. */
constexpr double kReceiveGraceMs = 10000;

Failure outOfMemory() { return Failure::of(gen::Msg::internalError, u"AllocMemory"); }

}  // namespace

Component::Component(unsigned classId)
    : classId_(classId), class_(gen::kClasses[classId]), session_(classId) {}

// ---- errors ------------------------------------------------------------------------------------

bool Component::fail(const Failure& f) {
  try {
    lastError_ = f.hasText ? f.text : messages::format(lang_, f.id, {f.arg0, f.arg1});
    // AddError is for the thread inside the host call; a call woken by Done/DestroyObject from
    // another thread must not touch the host any more.
    if (!closing_.load()) host_.addError(kErrorSource, lastError_.c_str());
  } catch (...) {
  }
  return false;
}

template <class F>
bool Component::guarded(F&& body) {
  // Held until the error is reported: DestroyObject from another thread waits for this lock
  // before it frees the object, so a woken call never touches freed memory.
  std::unique_lock<std::mutex> lock(callMutex_, std::defer_lock);
  try {
    lock.lock();
    return body();
  } catch (const Failure& f) {
    return fail(f);
  } catch (const std::bad_alloc&) {
    return fail(Failure::of(gen::Msg::internalError, u"out of memory"));
  } catch (...) {
    return fail(Failure::of(gen::Msg::internalError, u"unexpected exception"));
  }
}

void Component::engineFailure(const wire::Response& r) {
  if (r.error.tag == wire::STRING) throw Failure::withText(r.error.toU16());
  throw Failure::of(gen::Msg::engineProtocol, u"error without text");
}

// ---- table lookups -----------------------------------------------------------------------------

const gen::Method* Component::methodAt(long num) const {
  return num >= 0 && num < static_cast<long>(class_.methodCount) ? &class_.methods[num] : nullptr;
}

const gen::Prop* Component::propAt(long num) const {
  return num >= 0 && num < static_cast<long>(class_.propCount) ? &class_.props[num] : nullptr;
}

const char16_t* Component::localName(const char16_t* ru, const char16_t* en) const {
  return lang_ == messages::Lang::En ? en : ru;
}

// ---- IInitDoneBase -----------------------------------------------------------------------------

bool Component::Init(void* disp) {
  host_.set(disp);
  return true;
}

bool Component::setMemManager(void* mem) {
  memory_.set(mem);
  return mem != nullptr;
}

long Component::GetInfo() { return abi::kTechnologyVersion; }

void Component::Done() {
  closeSession();
  host_.set(nullptr);  // the host's IAddInDefBase is invalid after Done
}

void Component::closeSession() {
  {
    // no call running: tell the engine what became of a batch, so what BSL did not take stays queued
    std::unique_lock<std::mutex> lock(callMutex_, std::try_to_lock);
    if (lock.owns_lock()) session_.settle();
  }
  closing_.store(true);
  session_.interrupt();
  {
    std::lock_guard<std::mutex> g(callMutex_);
    events_.stop();  // external events: joined before the host's pointer goes away
    session_.reset();
  }
  closing_.store(false);
}

// ---- names ------------------------------------------------------------------------------------

bool Component::RegisterExtensionAs(WCHAR_T** name) {
  if (name == nullptr) return false;
  *name = memory_.copy(class_.name, text::length(class_.name));
  return *name != nullptr;
}

long Component::GetNProps() { return static_cast<long>(class_.propCount); }

long Component::FindProp(const WCHAR_T* name) { return names::findProp(class_, name); }

const WCHAR_T* Component::GetPropName(long num, long alias) {
  const gen::Prop* p = propAt(num);
  if (p == nullptr) return nullptr;
  const char16_t* n = alias == 1 ? p->ru : p->en;
  return memory_.copy(n, text::length(n));
}

long Component::GetNMethods() { return static_cast<long>(class_.methodCount); }

long Component::FindMethod(const WCHAR_T* name) { return names::findMethod(class_, name); }

const WCHAR_T* Component::GetMethodName(long num, long alias) {
  const gen::Method* m = methodAt(num);
  if (m == nullptr) return nullptr;
  const char16_t* n = alias == 1 ? m->ru : m->en;
  return memory_.copy(n, text::length(n));
}

long Component::GetNParams(long num) {
  const gen::Method* m = methodAt(num);
  return m != nullptr ? static_cast<long>(m->paramCount) : 0;
}

bool Component::GetParamDefValue(long num, long param, tVariant* value) {
  const gen::Method* m = methodAt(num);
  if (m == nullptr || value == nullptr || param < 0 || param >= static_cast<long>(m->paramCount)) return false;
  const gen::Const& def = m->params[param].defaultValue;
  if (def.kind == gen::ConstKind::None) return false;  // mandatory
  return variant::store(memory_, *value, def);
}

bool Component::HasRetVal(long num) {
  const gen::Method* m = methodAt(num);
  return m != nullptr && m->returns;
}

bool Component::IsPropReadable(long num) {
  const gen::Prop* p = propAt(num);
  return p != nullptr && p->readable;
}

bool Component::IsPropWritable(long num) {
  const gen::Prop* p = propAt(num);
  return p != nullptr && p->writable;
}

// ---- properties --------------------------------------------------------------------------------

bool Component::GetPropVal(long num, tVariant* value) {
  return guarded([&] {
    const gen::Prop* p = propAt(num);
    if (p == nullptr || !p->readable || value == nullptr) {
      throw Failure::of(gen::Msg::unknownMember, p != nullptr ? localName(p->ru, p->en) : u"#" + text::number(num));
    }
    engine::Reply reply;
    try {
      if (session_.state() == engine::Session::State::Lost) throw engine::EngineGone{};
      wire::Writer w(wire::GET);
      w.u16(static_cast<uint16_t>(num));
      reply = session_.request(w.finish(), wire::GET, -1);
    } catch (const engine::EngineGone&) {
      if (!variant::store(memory_, *value, p->whenEngineLost)) throw outOfMemory();
      return true;
    }
    if (!reply.response.ok) engineFailure(reply.response);
    if (!variant::store(memory_, *value, reply.response.value)) throw outOfMemory();
    return true;
  });
}

bool Component::SetPropVal(long num, tVariant* value) {
  return guarded([&] {
    const gen::Prop* p = propAt(num);
    if (p == nullptr) throw Failure::of(gen::Msg::unknownMember, u"#" + text::number(num));
    if (!p->writable) throw Failure::of(gen::Msg::readOnlyProperty, localName(p->ru, p->en));
    if (session_.state() == engine::Session::State::Lost) throw Failure::of(gen::Msg::engineLost);
    // A setting may change how messages are delivered (ВнешниеСобытия): batched ones go back first.
    session_.dropBatch();
    wire::Writer w(wire::SET);
    w.u16(static_cast<uint16_t>(num));
    if (value != nullptr) {
      variant::encode(w, *value);
    } else {
      w.undefined();
    }
    engine::Reply reply;
    try {
      reply = session_.request(w.finish(), wire::SET, -1);
    } catch (const engine::EngineGone&) {
      throw Failure::of(gen::Msg::engineLost);
    }
    if (!reply.response.ok) engineFailure(reply.response);
    if (p->action != gen::PropAction::None) afterSet(*p, value, reply.response);  // external events
    return true;
  });
}

// ---- methods -----------------------------------------------------------------------------------

bool Component::CallAsProc(long num, tVariant* params, long count) {
  return call(num, nullptr, params, count);  // functions too: the result is dropped
}

bool Component::CallAsFunc(long num, tVariant* ret, tVariant* params, long count) {
  return call(num, ret, params, count);
}

void Component::applyOutParams(const std::vector<wire::OutParam>& outs, tVariant* params, long count) {
  bool refused = false;
  for (const wire::OutParam& out : outs) {
    if (static_cast<long>(out.index) >= count) continue;
    tVariant& slot = params[out.index];
    variant::release(memory_, slot);  // FreeMemory the host's old string/blob first
    if (!variant::store(memory_, slot, out.value)) refused = true;
  }
  if (refused) throw outOfMemory();
}

namespace {

bool integral(double d, int32_t& out) {
  if (!(d >= -2147483648.0 && d <= 2147483647.0) || static_cast<double>(static_cast<int32_t>(d)) != d) return false;
  out = static_cast<int32_t>(d);
  return true;
}

}  // namespace

bool Component::servableFromBatch(const gen::Method& m, const tVariant* params, long count) const {
  // Exactly the calls the engine would accept as they are: Number arguments that are numbers (a
  // timeout not negative), out-parameters anything. Anything else goes to the engine, which
  // reports it.
  for (unsigned i = 0; i < m.paramCount; ++i) {
    const gen::Param& p = m.params[i];
    if (p.kind == gen::ParamKind::Out) continue;
    if (static_cast<long>(i) >= count || p.kind != gen::ParamKind::Number) return false;
    double d;
    if (!variant::numeric(params[i], d) || d != d) return false;
    if (static_cast<int>(i) == m.timeoutParam && !(d >= 0)) return false;
  }
  return true;
}

bool Component::postable(const gen::Method& m, const tVariant* params, long count, bool& hasKey,
                         int32_t& key) const {
  // Message bodies as String or BinaryData; a Number first argument (the connection id of a keyed
  // grant) that is a whole number. Nothing else is posted: the engine decides about it.
  hasKey = false;
  if (count < static_cast<long>(m.paramCount)) return false;
  for (unsigned i = 0; i < m.paramCount; ++i) {
    const gen::Param& p = m.params[i];
    const tVariant& v = params[i];
    if (p.kind == gen::ParamKind::Message) {
      if (v.vt != abi::VTYPE_PWSTR && v.vt != abi::VTYPE_PSTR && v.vt != abi::VTYPE_BLOB) return false;
    } else if (p.kind == gen::ParamKind::Number && i == 0 && session_.grantKeyed()) {
      double d;
      if (!variant::numeric(v, d) || !integral(d, key)) return false;
      hasKey = true;
    } else {
      return false;
    }
  }
  return true;
}

bool Component::call(long num, tVariant* ret, tVariant* params, long count) {
  return guarded([&] {
    const gen::Method* m = methodAt(num);
    if (m == nullptr) throw Failure::of(gen::Msg::unknownMember, u"#" + text::number(num));
    if (params == nullptr || count < 0) count = 0;

    if (m->local == gen::LocalMethod::ErrorDescription) {
      if (ret != nullptr && !variant::storeString(memory_, *ret, lastError_.data(), lastError_.size())) {
        throw outOfMemory();
      }
      return true;
    }

    const auto id = static_cast<uint16_t>(num);
    // A result the engine already sent along with an earlier one (a batch of received messages):
    // it is BSL's even if the engine has gone since.
    if (session_.hasBatch(id)) {
      if (servableFromBatch(*m, params, count)) {
        const wire::Result& r = session_.nextBatched();
        applyOutParams(r.outParams, params, count);
        if (ret != nullptr && !variant::store(memory_, *ret, r.value)) throw outOfMemory();
        return true;
      }
      session_.dropBatch();  // the engine answers this call itself, so it gets the rest back
    } else if (m->takesMessages) {
      // a batch the engine made for the other form of Принять: its messages go back, in order, to
      // the head of the queue this call takes from
      session_.dropBatch();
    }

    wire::Writer w(wire::CALL, session_.requestBuffer());
    w.u16(id);
    w.u8(static_cast<uint8_t>(m->paramCount));
    uint64_t bodyBytes = 0;  // message bodies as they will go out (UTF-8 or binary)
    std::size_t sharedAt = 0;  // bytes of the out area used by this request's bodies
    for (unsigned i = 0; i < m->paramCount; ++i) {
      if (static_cast<long>(i) >= count) {
        w.undefined();
        continue;
      }
      const tVariant& v = params[i];
      if (m->params[i].kind == gen::ParamKind::Message) {
        // a large body is written into shared memory and the request only names it
        if (sharedBody(w, v, sharedAt, bodyBytes)) continue;
        // message bodies cross as UTF-8: the engine sends them without converting them
        if (v.vt == abi::VTYPE_PWSTR) {
          bodyBytes += w.utf8(v.wstr.pwstrVal != nullptr ? v.wstr.pwstrVal : u"", v.wstr.pwstrVal != nullptr ? v.wstr.wstrLen : 0);
          continue;
        }
        if (v.vt == abi::VTYPE_PSTR) {
          std::u16string s = v.str.pstrVal != nullptr ? text::fromUtf8(v.str.pstrVal, v.str.strLen) : std::u16string();
          bodyBytes += w.utf8(s.data(), s.size());
          continue;
        }
        if (v.vt == abi::VTYPE_BLOB && v.str.pstrVal != nullptr) bodyBytes += v.str.strLen;
      }
      variant::encode(w, v);
    }

    // A call the engine granted to succeed: sent without waiting for its answer. (No check for a
    // vanished engine first: sending to it fails with engineLost, which is this method's policy.)
    bool hasKey;
    int32_t key = 0;
    if (sharedAt == 0 && m->onEngineLost == gen::EngineLostPolicy::Error &&
        session_.state() == engine::Session::State::Open && postable(*m, params, count, hasKey, key) && session_.mayPost(id, hasKey, key, bodyBytes)) {
      try {
        session_.post(w.finish());
      } catch (const engine::EngineGone&) {
        throw Failure::of(gen::Msg::engineLost);
      }
      session_.recycleRequest(w.release());
      if (ret != nullptr) variant::storeBool(*ret, true);
      return true;
    }

    // With the engine gone (known before, or found when sending) the method's policy applies.
    auto whenLost = [&] {
      if (m->onEngineLost == gen::EngineLostPolicy::Succeed) {
        if (ret != nullptr) variant::storeBool(*ret, true);
        return true;
      }
      if (m->onEngineLost == gen::EngineLostPolicy::Error) throw Failure::of(gen::Msg::engineLost);
      return false;  // Restart: request() opens a new session (starting the engine if needed)
    };
    if (session_.state() == engine::Session::State::Lost && whenLost()) return true;

    int64_t deadline = -1;
    double timeout = 0;
    if (m->timeoutParam >= 0 && m->timeoutParam < count && variant::numeric(params[m->timeoutParam], timeout) &&
        timeout > 0) {
      if (timeout > 1e12) timeout = 1e12;
      deadline = sys::nowMs() + static_cast<int64_t>(timeout + kReceiveGraceMs);
    }

    engine::Reply reply;
    try {
      reply = session_.request(w.finish(), wire::CALL, deadline);
    } catch (const engine::EngineGone&) {
      if (whenLost()) return true;
      // a new session shares nothing yet: this call's bodies go through its socket (only a method
      // that restarts gets here; Отправить's policy is Error)
      if (sharedAt != 0) throw Failure::of(gen::Msg::engineLost);
      reply = session_.request(w.finish(), wire::CALL, deadline);
    }
    session_.recycleRequest(w.release());
    applyOutParams(reply.response.outParams, params, count);  // on success and on failure alike
    if (!reply.response.ok) engineFailure(reply.response);
    if (ret != nullptr && !variant::store(memory_, *ret, reply.response.value)) throw outOfMemory();
    session_.keepBatch(id, std::move(reply));
    return true;
  });
}

bool Component::sharedBody(wire::Writer& w, const tVariant& v, std::size_t& at, uint64_t& bodyBytes) {
  wire::Tag kind;
  std::size_t n;
  if (v.vt == abi::VTYPE_PWSTR && v.wstr.pwstrVal != nullptr && v.wstr.wstrLen >= engine::kSharedFrom / 3) {
    // (UTF-8 takes at most 3 bytes per UTF-16 unit: shorter text cannot reach the threshold)
    kind = wire::UTF8;
    n = text::utf8Length(v.wstr.pwstrVal, v.wstr.wstrLen);
  } else if (v.vt == abi::VTYPE_BLOB && v.str.pstrVal != nullptr) {
    kind = wire::BINARY;
    n = v.str.strLen;
  } else {
    return false;
  }
  if (n < engine::kSharedFrom || at + n > wire::kMaxFrame) return false;
  uint8_t* area = session_.sharedRoom(at + n);
  if (area == nullptr) return false;
  if (kind == wire::UTF8) {
    text::encodeUtf8(v.wstr.pwstrVal, v.wstr.wstrLen, area + at);
  } else {
    std::memcpy(area + at, v.str.pstrVal, n);
  }
  w.shared(kind, static_cast<uint32_t>(at), static_cast<uint32_t>(n));
  at += n;
  bodyBytes += n;
  return true;
}

// ---- language ----------------------------------------------------------------------------------

void Component::changeLocale(const WCHAR_T* locale) {
  if (locale == nullptr) return;
  try {
    std::u16string value(locale, text::length(locale));
    lang_ = messages::fromLocale(value.data(), value.size());
    std::lock_guard<std::mutex> g(callMutex_);
    session_.setLocale(value);
  } catch (...) {
  }
}

void Component::SetLocale(const WCHAR_T* locale) { changeLocale(locale); }

void Component::SetUserInterfaceLanguageCode(const WCHAR_T* code) { changeLocale(code); }

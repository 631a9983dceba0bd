// The behaviour of one add-in object (AddIn.WebSocket.Client / .Server). Its methods mirror the
// Native API interface methods one to one (object.cpp routes the vtable slots here); everything
// that is not answered from the generated table is forwarded to the engine.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "abi/variant.h"
#include "engine/event_pump.h"
#include "engine/session.h"
#include "failure.h"
#include "host.h"
#include "messages.h"
#include "table.h"

class Component {
 public:
  explicit Component(unsigned classId);
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  using WCHAR_T = abi::WCHAR_T;
  using tVariant = abi::tVariant;

  // IInitDoneBase
  bool Init(void* disp);
  bool setMemManager(void* mem);
  long GetInfo();
  void Done();

  // ILanguageExtenderBase
  bool RegisterExtensionAs(WCHAR_T** name);
  long GetNProps();
  long FindProp(const WCHAR_T* name);
  const WCHAR_T* GetPropName(long num, long alias);
  bool GetPropVal(long num, tVariant* value);
  bool SetPropVal(long num, tVariant* value);
  bool IsPropReadable(long num);
  bool IsPropWritable(long num);
  long GetNMethods();
  long FindMethod(const WCHAR_T* name);
  const WCHAR_T* GetMethodName(long num, long alias);
  long GetNParams(long num);
  bool GetParamDefValue(long num, long param, tVariant* value);
  bool HasRetVal(long num);
  bool CallAsProc(long num, tVariant* params, long count);
  bool CallAsFunc(long num, tVariant* ret, tVariant* params, long count);

  // LocaleBase, UserLanguageBase
  void SetLocale(const WCHAR_T* locale);
  void SetUserInterfaceLanguageCode(const WCHAR_T* code);

  /**
   * Ends the engine session; safe while another thread is blocked in a call of this object
   * (that call is woken and fails). Used by Done and DestroyObject.
   */
  void closeSession();

 private:
  const gen::Method* methodAt(long num) const;
  const gen::Prop* propAt(long num) const;
  const char16_t* localName(const char16_t* ru, const char16_t* en) const;

  bool call(long num, tVariant* ret, tVariant* params, long count);
  void applyOutParams(const std::vector<wire::OutParam>& outs, tVariant* params, long count);
  bool servableFromBatch(const gen::Method& m, const tVariant* params, long count) const;
  bool postable(const gen::Method& m, const tVariant* params, long count, bool& hasKey, int32_t& key) const;
  /**
   * A message body of at least engine::kSharedFrom bytes (PWSTR as UTF-8, BLOB as it is) written at
   * `at` into the session's shared out area and named in the request; false: it goes inline.
   */
  bool sharedBody(wire::Writer& w, const abi::tVariant& v, std::size_t& at, uint64_t& bodyBytes);
  [[noreturn]] void engineFailure(const wire::Response& r);
  void changeLocale(const WCHAR_T* locale);
  /** External events: what the library does after the engine accepted a SET (component_events.cpp). */
  void afterSet(const gen::Prop& p, const tVariant* value, const wire::Response& r);

  template <class F>
  bool guarded(F&& body);
  bool fail(const Failure& f);

  unsigned classId_;
  const gen::Class& class_;
  host::Memory memory_;
  host::Connection host_;
  messages::Lang lang_ = messages::Lang::Ru;
  std::u16string lastError_;

  std::mutex callMutex_;  // held for a whole call that may reach the engine, error report included
  std::atomic<bool> closing_{false};
  engine::Session session_;
  // External events: the thread raising them (component_events.cpp); stopped before the session
  // closes, never running after Done/DestroyObject.
  engine::EventPump events_{[this](std::u16string& source, std::u16string& name, std::u16string& data) {
    return host_.externalEvent(source, name, data);
  }};
};

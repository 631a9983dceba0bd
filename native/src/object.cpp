#include "object.h"

#include <new>

#include "component.h"

using namespace abi;

namespace {

/**
 * Standard layout: vptr[k] is the k-th base subobject the host calls through; a method entered
 * via vptr[k] gets `self` = &vptr[k].
 */
struct AddInObject {
  const void* vptr[kComponentVptrs];
  Component* component;
};
static_assert(offsetof(AddInObject, vptr) == 0, "vptr #1 at the start");
static_assert(offsetof(AddInObject, component) == kComponentVptrs * sizeof(void*), "4 vptrs first");

template <std::size_t K>
Component& componentOf(void* self) {
  auto* object = reinterpret_cast<AddInObject*>(static_cast<char*>(self) - K * sizeof(void*));
  return *object->component;
}

/** Exceptions never unwind into the host: the last resort of every slot. */
template <class R, std::size_t K, class F>
R enter(void* self, F&& f) noexcept {
  try {
    return f(componentOf<K>(self));
  } catch (...) {
    return R();
  }
}

void ONEC_STDCALL noDestructor(void*) {}

// One thunk per slot, generated from the same slot lists as the vtable structs.
#define ONEC_THUNK(K, ret, name, params, args)                                        \
  ret ONEC_STDCALL name##Thunk params {                                               \
    return enter<ret, K>(self, [&](Component& c) -> ret { return c.name args; }); \
  }
#define ONEC_THUNK_0(ret, name, params, args) ONEC_THUNK(0, ret, name, params, args)
#define ONEC_THUNK_1(ret, name, params, args) ONEC_THUNK(1, ret, name, params, args)
#define ONEC_THUNK_2(ret, name, params, args) ONEC_THUNK(2, ret, name, params, args)
#define ONEC_THUNK_3(ret, name, params, args) ONEC_THUNK(3, ret, name, params, args)

ONEC_SLOTS_INIT_DONE(ONEC_THUNK_0)
ONEC_SLOTS_LANGUAGE_EXTENDER(ONEC_THUNK_1)
ONEC_SLOTS_LOCALE(ONEC_THUNK_2)
ONEC_SLOTS_USER_LANGUAGE(ONEC_THUNK_3)

#define ONEC_THUNK_REF(ret, name, params, args) &name##Thunk,

#if ONEC_ABI_ITANIUM
#define ONEC_PREFIX(K) -static_cast<std::ptrdiff_t>((K) * sizeof(void*)), nullptr
#define ONEC_DTORS {&noDestructor, &noDestructor}
#else
#define ONEC_PREFIX(K) nullptr
#define ONEC_DTORS {&noDestructor}
#endif

const VTableImage<InitDoneVTable> kInitDone = {ONEC_PREFIX(0), {ONEC_DTORS, ONEC_SLOTS_INIT_DONE(ONEC_THUNK_REF)}};
const VTableImage<LanguageExtenderVTable> kLanguageExtender = {
    ONEC_PREFIX(1), {ONEC_DTORS, ONEC_SLOTS_LANGUAGE_EXTENDER(ONEC_THUNK_REF)}};
const VTableImage<LocaleVTable> kLocale = {ONEC_PREFIX(2), {ONEC_DTORS, ONEC_SLOTS_LOCALE(ONEC_THUNK_REF)}};
const VTableImage<UserLanguageVTable> kUserLanguage = {ONEC_PREFIX(3),
                                                       {ONEC_DTORS, ONEC_SLOTS_USER_LANGUAGE(ONEC_THUNK_REF)}};

}  // namespace

namespace object {

void* create(unsigned classId) noexcept {
  auto* object = new (std::nothrow) AddInObject;
  if (object == nullptr) return nullptr;
  object->vptr[0] = &kInitDone.table;
  object->vptr[1] = &kLanguageExtender.table;
  object->vptr[2] = &kLocale.table;
  object->vptr[3] = &kUserLanguage.table;
  try {
    object->component = new Component(classId);
  } catch (...) {
    delete object;
    return nullptr;
  }
  return object;
}

void destroy(void* p) noexcept {
  auto* object = static_cast<AddInObject*>(p);
  try {
    object->component->closeSession();
  } catch (...) {
  }
  delete object->component;
  delete object;
}

}  // namespace object

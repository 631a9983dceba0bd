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
AddInObject* objectOf(void* self) {
  return reinterpret_cast<AddInObject*>(static_cast<char*>(self) - K * sizeof(void*));
}

template <std::size_t K>
Component& componentOf(void* self) {
  return *objectOf<K>(self)->component;
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

// The destructor slots of every vptr, for hosts that free the object with C++ `delete` (or an
// explicit destructor call) instead of DestroyObject: the one through vptr #K adjusts `self` by K
// pointers, as a compiler's this-adjusting thunk would, so deleting through any base pointer works.
#if ONEC_ABI_ITANIUM
/** D1, the complete-object destructor: the object's state goes, its memory is the caller's. */
template <std::size_t K>
void completeDestructor(void* self) {
  object::destruct(objectOf<K>(self));
}
/** D0, the deleting destructor (`delete p`): DestroyObject's work. */
template <std::size_t K>
void deletingDestructor(void* self) {
  object::destroy(objectOf<K>(self));
}
#define ONEC_DTORS(K) {&completeDestructor<K>, &deletingDestructor<K>}
#else
/** The scalar deleting destructor: `delete p` passes flags 1 (free), `p->~T()` passes 0. */
template <std::size_t K>
void* ONEC_THISCALL scalarDeletingDestructor(void* self, unsigned flags) {
  AddInObject* object = objectOf<K>(self);
  if ((flags & 1) != 0) {
    object::destroy(object);
  } else {
    object::destruct(object);
  }
  return object;
}
#define ONEC_DTORS(K) {&scalarDeletingDestructor<K>}
#endif

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
#else
#define ONEC_PREFIX(K) nullptr
#endif

const VTableImage<InitDoneVTable> kInitDone = {ONEC_PREFIX(0), {ONEC_DTORS(0), ONEC_SLOTS_INIT_DONE(ONEC_THUNK_REF)}};
const VTableImage<LanguageExtenderVTable> kLanguageExtender = {
    ONEC_PREFIX(1), {ONEC_DTORS(1), ONEC_SLOTS_LANGUAGE_EXTENDER(ONEC_THUNK_REF)}};
const VTableImage<LocaleVTable> kLocale = {ONEC_PREFIX(2), {ONEC_DTORS(2), ONEC_SLOTS_LOCALE(ONEC_THUNK_REF)}};
const VTableImage<UserLanguageVTable> kUserLanguage = {ONEC_PREFIX(3),
                                                       {ONEC_DTORS(3), ONEC_SLOTS_USER_LANGUAGE(ONEC_THUNK_REF)}};

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

void destruct(void* p) noexcept {
  auto* object = static_cast<AddInObject*>(p);
  if (object->component == nullptr) return;
  try {
    object->component->closeSession();
  } catch (...) {
  }
  delete object->component;
  object->component = nullptr;
}

void destroy(void* p) noexcept {
  destruct(p);
  delete static_cast<AddInObject*>(p);
}

}  // namespace object

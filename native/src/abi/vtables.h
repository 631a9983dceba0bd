// The interfaces of the Native API as ONE list of slots each (X-macros). From these lists we
// produce the vtable structs for the target ABI: kDtorSlots destructor entries (Itanium 2, MSVC 1)
// followed by the methods in declaration order, every method with an explicit `self` first and the
// ADDIN_API calling convention (ONEC_STDCALL). The static_asserts below pin every slot to the
// number in the contract (section 2) for both ABIs.
//
// X(ret, name, params-with-self, args-without-self)
#pragma once

#include <type_traits>

#include "abi/variant.h"

namespace abi {

// ---- the component object (IComponentBase: four bases, four vptrs) --------------------------

#define ONEC_SLOTS_INIT_DONE(X)                                                 \
  X(bool, Init, (void* self, void* disp), (disp))                               \
  X(bool, setMemManager, (void* self, void* mem), (mem))                        \
  X(long, GetInfo, (void* self), ())                                            \
  X(void, Done, (void* self), ())

#define ONEC_SLOTS_LANGUAGE_EXTENDER(X)                                                           \
  X(bool, RegisterExtensionAs, (void* self, WCHAR_T** name), (name))                              \
  X(long, GetNProps, (void* self), ())                                                            \
  X(long, FindProp, (void* self, const WCHAR_T* name), (name))                                    \
  X(const WCHAR_T*, GetPropName, (void* self, long num, long alias), (num, alias))                 \
  X(bool, GetPropVal, (void* self, long num, tVariant* value), (num, value))                      \
  X(bool, SetPropVal, (void* self, long num, tVariant* value), (num, value))                      \
  X(bool, IsPropReadable, (void* self, long num), (num))                                          \
  X(bool, IsPropWritable, (void* self, long num), (num))                                          \
  X(long, GetNMethods, (void* self), ())                                                          \
  X(long, FindMethod, (void* self, const WCHAR_T* name), (name))                                  \
  X(const WCHAR_T*, GetMethodName, (void* self, long num, long alias), (num, alias))               \
  X(long, GetNParams, (void* self, long num), (num))                                              \
  X(bool, GetParamDefValue, (void* self, long num, long param, tVariant* value), (num, param, value)) \
  X(bool, HasRetVal, (void* self, long num), (num))                                               \
  X(bool, CallAsProc, (void* self, long num, tVariant* params, long count), (num, params, count)) \
  X(bool, CallAsFunc, (void* self, long num, tVariant* ret, tVariant* params, long count),        \
    (num, ret, params, count))

#define ONEC_SLOTS_LOCALE(X) X(void, SetLocale, (void* self, const WCHAR_T* locale), (locale))

#define ONEC_SLOTS_USER_LANGUAGE(X) \
  X(void, SetUserInterfaceLanguageCode, (void* self, const WCHAR_T* code), (code))

// ---- host objects ----------------------------------------------------------------------------

#define ONEC_SLOTS_MEMORY_MANAGER(X)                                              \
  X(bool, AllocMemory, (void* self, void** ptr, unsigned long size), (ptr, size)) \
  X(void, FreeMemory, (void* self, void** ptr), (ptr))

#define ONEC_SLOTS_ADDIN_DEF_BASE_EX(X)                                                          \
  X(bool, AddError,                                                                              \
    (void* self, unsigned short wcode, const WCHAR_T* source, const WCHAR_T* descr, long scode), \
    (wcode, source, descr, scode))                                                               \
  X(bool, Read, (void* self, WCHAR_T* name, tVariant* value, long* err, WCHAR_T** descr),        \
    (name, value, err, descr))                                                                   \
  X(bool, Write, (void* self, WCHAR_T* name, tVariant* value), (name, value))                    \
  X(bool, RegisterProfileAs, (void* self, WCHAR_T* name), (name))                                \
  X(bool, SetEventBufferDepth, (void* self, long depth), (depth))                                \
  X(long, GetEventBufferDepth, (void* self), ())                                                 \
  X(bool, ExternalEvent, (void* self, WCHAR_T* source, WCHAR_T* message, WCHAR_T* data),         \
    (source, message, data))                                                                     \
  X(void, CleanEventBuffer, (void* self), ())                                                    \
  X(bool, SetStatusLine, (void* self, WCHAR_T* text), (text))                                    \
  X(void, ResetStatusLine, (void* self), ())                                                     \
  X(void*, GetInterface, (void* self, int which), (which))

// ---- vtable structs --------------------------------------------------------------------------

#if ONEC_ABI_ITANIUM
/**
 * Itanium: two entries, the complete-object destructor D1 (destroys, leaves the memory to the
 * caller) and then the deleting destructor D0 (destroys and frees: what `delete p` calls).
 */
using DtorSlot = void (*)(void* self);
#else
/**
 * MSVC: one entry, the scalar deleting destructor: destroys, frees the memory too when bit 0 of
 * `flags` is set (`delete p` passes 1), returns `self`.
 */
using DtorSlot = void*(ONEC_THISCALL*)(void* self, unsigned flags);
#endif

#define ONEC_VTABLE_MEMBER(ret, name, params, args) ret(ONEC_STDCALL* name) params;

/** A vtable of an interface with a virtual destructor, as seen from its address point. */
#define ONEC_DEFINE_VTABLE(Type, SLOTS)   \
  struct Type {                           \
    DtorSlot dtor[kDtorSlots];            \
    SLOTS(ONEC_VTABLE_MEMBER)             \
  };

ONEC_DEFINE_VTABLE(InitDoneVTable, ONEC_SLOTS_INIT_DONE)
ONEC_DEFINE_VTABLE(LanguageExtenderVTable, ONEC_SLOTS_LANGUAGE_EXTENDER)
ONEC_DEFINE_VTABLE(LocaleVTable, ONEC_SLOTS_LOCALE)
ONEC_DEFINE_VTABLE(UserLanguageVTable, ONEC_SLOTS_USER_LANGUAGE)
ONEC_DEFINE_VTABLE(MemoryManagerVTable, ONEC_SLOTS_MEMORY_MANAGER)
ONEC_DEFINE_VTABLE(AddInDefBaseExVTable, ONEC_SLOTS_ADDIN_DEF_BASE_EX)

/**
 * What sits in memory in front of a vtable's address point: Itanium has offset-to-top and the
 * typeinfo pointer, MSVC the complete-object-locator pointer. We fill them so that code peeking
 * there (dynamic_cast<void*>) finds sane values; the typeinfo/locator stays null.
 */
template <class VTable>
struct VTableImage {
#if ONEC_ABI_ITANIUM
  std::ptrdiff_t offsetToTop;
  const void* typeInfo;
#else
  const void* completeObjectLocator;
#endif
  VTable table;
};

/** The component object as the host sees it: four vptrs, one per base subobject. */
constexpr std::size_t kComponentVptrs = 4;

// ---- the contract's slot numbers (Itanium, MSVC) ---------------------------------------------

#define ONEC_CHECK_SLOT(Type, name, itanium, msvc)                             \
  static_assert(offsetof(Type, name) == slot(itanium, msvc) * sizeof(void*), \
                #Type "::" #name " slot")

ONEC_CHECK_SLOT(InitDoneVTable, Init, 2, 1);
ONEC_CHECK_SLOT(InitDoneVTable, setMemManager, 3, 2);
ONEC_CHECK_SLOT(InitDoneVTable, GetInfo, 4, 3);
ONEC_CHECK_SLOT(InitDoneVTable, Done, 5, 4);

ONEC_CHECK_SLOT(LanguageExtenderVTable, RegisterExtensionAs, 2, 1);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetNProps, 3, 2);
ONEC_CHECK_SLOT(LanguageExtenderVTable, FindProp, 4, 3);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetPropName, 5, 4);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetPropVal, 6, 5);
ONEC_CHECK_SLOT(LanguageExtenderVTable, SetPropVal, 7, 6);
ONEC_CHECK_SLOT(LanguageExtenderVTable, IsPropReadable, 8, 7);
ONEC_CHECK_SLOT(LanguageExtenderVTable, IsPropWritable, 9, 8);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetNMethods, 10, 9);
ONEC_CHECK_SLOT(LanguageExtenderVTable, FindMethod, 11, 10);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetMethodName, 12, 11);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetNParams, 13, 12);
ONEC_CHECK_SLOT(LanguageExtenderVTable, GetParamDefValue, 14, 13);
ONEC_CHECK_SLOT(LanguageExtenderVTable, HasRetVal, 15, 14);
ONEC_CHECK_SLOT(LanguageExtenderVTable, CallAsProc, 16, 15);
ONEC_CHECK_SLOT(LanguageExtenderVTable, CallAsFunc, 17, 16);

ONEC_CHECK_SLOT(LocaleVTable, SetLocale, 2, 1);
ONEC_CHECK_SLOT(UserLanguageVTable, SetUserInterfaceLanguageCode, 2, 1);

ONEC_CHECK_SLOT(MemoryManagerVTable, AllocMemory, 2, 1);
ONEC_CHECK_SLOT(MemoryManagerVTable, FreeMemory, 3, 2);

ONEC_CHECK_SLOT(AddInDefBaseExVTable, AddError, 2, 1);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, Read, 3, 2);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, Write, 4, 3);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, RegisterProfileAs, 5, 4);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, SetEventBufferDepth, 6, 5);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, GetEventBufferDepth, 7, 6);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, ExternalEvent, 8, 7);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, CleanEventBuffer, 9, 8);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, SetStatusLine, 10, 9);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, ResetStatusLine, 11, 10);
ONEC_CHECK_SLOT(AddInDefBaseExVTable, GetInterface, 12, 11);

#if ONEC_ABI_ITANIUM
static_assert(offsetof(VTableImage<InitDoneVTable>, table) == 2 * sizeof(void*), "Itanium prefix");
#else
static_assert(offsetof(VTableImage<InitDoneVTable>, table) == sizeof(void*), "MSVC prefix");
#endif

// Whole tables: the destructor slot(s) plus the methods, nothing else (no padding, no extras).
#define ONEC_COUNT_SLOT(ret, name, params, args) +1
#define ONEC_CHECK_SIZE(Type, SLOTS)                                                  \
  static_assert(sizeof(Type) == (kDtorSlots SLOTS(ONEC_COUNT_SLOT)) * sizeof(void*), \
                #Type " has exactly its slots")
ONEC_CHECK_SIZE(InitDoneVTable, ONEC_SLOTS_INIT_DONE);
ONEC_CHECK_SIZE(LanguageExtenderVTable, ONEC_SLOTS_LANGUAGE_EXTENDER);
ONEC_CHECK_SIZE(LocaleVTable, ONEC_SLOTS_LOCALE);
ONEC_CHECK_SIZE(UserLanguageVTable, ONEC_SLOTS_USER_LANGUAGE);
ONEC_CHECK_SIZE(MemoryManagerVTable, ONEC_SLOTS_MEMORY_MANAGER);
ONEC_CHECK_SIZE(AddInDefBaseExVTable, ONEC_SLOTS_ADDIN_DEF_BASE_EX);
static_assert(kDtorSlots == (ONEC_ABI_MSVC ? 1 : 2), "one destructor slot on MSVC, two on Itanium");

#if defined(ONEC_TARGET_WIN_X86)
static_assert(std::is_same<DtorSlot, void*(__attribute__((thiscall))*)(void*, unsigned)>::value,
              "the scalar deleting destructor is __thiscall");
static_assert(!std::is_same<DtorSlot, void*(__stdcall*)(void*, unsigned)>::value, "destructor is not __stdcall");
// x86: every method is __stdcall with `this` as the first stack argument (callee pops). The
// calling convention is part of the function type, so these fail if ONEC_STDCALL were lost.
static_assert(std::is_same<decltype(InitDoneVTable::Init), bool(__stdcall*)(void*, void*)>::value, "Init __stdcall");
static_assert(std::is_same<decltype(LanguageExtenderVTable::CallAsFunc),
                           bool(__stdcall*)(void*, long, tVariant*, tVariant*, long)>::value,
              "CallAsFunc __stdcall");
static_assert(!std::is_same<decltype(InitDoneVTable::Init), bool(__cdecl*)(void*, void*)>::value,
              "Init is not cdecl");
static_assert(std::is_same<decltype(MemoryManagerVTable::AllocMemory),
                           bool(__stdcall*)(void*, void**, unsigned long)>::value,
              "AllocMemory __stdcall");
static_assert(std::is_same<decltype(AddInDefBaseExVTable::AddError),
                           bool(__stdcall*)(void*, unsigned short, const WCHAR_T*, const WCHAR_T*, long)>::value,
              "AddError __stdcall");
#endif

/** Calls a method of a host object through its vptr. */
template <class VTable>
inline const VTable& vtableOf(void* object) {
  return **static_cast<const VTable* const*>(object);
}

}  // namespace abi

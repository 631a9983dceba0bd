/*
 * The Native API from the host's side, in C (docs/native-api.md): tVariant, the component's
 * vtables as seen from their address points, and the host objects' layout prefixes — for the C
 * hosts that load the library as 1C does (native/test/driver.c, bench/native/bench-driver.c).
 * Linux x86_64: Itanium layout (two destructor slots); Windows x64/x86: MSVC layout (one destructor
 * slot, __stdcall methods). Include after the system headers (stdbool, stddef, stdint, time).
 */
#ifndef ONEC_WEBSOCKET_NATIVE_API_H
#define ONEC_WEBSOCKET_NATIVE_API_H

#if defined(_WIN32)
#define CONV __stdcall
#else
#define CONV
#endif

typedef uint16_t WCHAR_T;

/* ---- tVariant (Linux x86_64: 64 bytes, vt at +60; Windows: 48 bytes, vt at +44) ---- */
typedef struct tVariant {
  union {
    int32_t lVal;
    int64_t llVal;
    double dblVal;
    bool bVal;
    struct tm tmVal;
    struct { char* pstrVal; uint32_t strLen; } s;
    struct { WCHAR_T* pwstrVal; uint32_t wstrLen; } w;
  } u;
  uint32_t cbElements;
  uint16_t vt;
} tVariant;
#if defined(_WIN32)
_Static_assert(sizeof(struct tm) == 36 && sizeof(long) == 4, "Windows struct tm and long");
_Static_assert(sizeof(tVariant) == 48, "tVariant size");
_Static_assert(offsetof(tVariant, cbElements) == 40 && offsetof(tVariant, vt) == 44, "vt offset");
_Static_assert(offsetof(tVariant, u.w.wstrLen) == sizeof(void*), "wstrLen offset");
#else
_Static_assert(sizeof(tVariant) == 64, "tVariant size");
_Static_assert(offsetof(tVariant, vt) == 60, "vt offset");
#endif

enum { VTYPE_EMPTY = 0, VTYPE_NULL = 1, VTYPE_I4 = 3, VTYPE_R8 = 5, VTYPE_TM = 7, VTYPE_PSTR = 8, VTYPE_BOOL = 11, VTYPE_PWSTR = 22, VTYPE_BLOB = 23 };

/* ---- component vtables (from their address points; 2 destructor slots, 1 on MSVC) ---- */
#if defined(_WIN32)
/* MSVC: the scalar deleting destructor (flags bit 0 = free the memory too). It is not ADDIN_API in
   the SDK, so on x86 it is __thiscall: `this` in ECX, the flags on the stack. */
#if defined(_WIN64)
#define THISCALL
#else
#define THISCALL __attribute__((thiscall))
#endif
typedef void*(THISCALL* Dtor)(void*, unsigned);
#define DTORS Dtor deleting;
#define DTOR_INIT(f) f
#define PREFIX void* col; /* MSVC: the complete object locator pointer */
#define PREFIX_INIT NULL
#else
/* Itanium: the complete-object destructor D1 (memory stays), then the deleting destructor D0. */
typedef void (*Dtor)(void*);
#define DTORS Dtor complete, deleting;
#define DTOR_INIT(f) f, f
#define PREFIX intptr_t top; void* ti; /* Itanium: offset-to-top, typeinfo */
#define PREFIX_INIT 0, NULL
#endif
typedef struct {
  DTORS
  bool(CONV* Init)(void*, void*);
  bool(CONV* setMemManager)(void*, void*);
  long(CONV* GetInfo)(void*);
  void(CONV* Done)(void*);
} InitDoneVT;
typedef struct {
  DTORS
  bool(CONV* RegisterExtensionAs)(void*, WCHAR_T**);
  long(CONV* GetNProps)(void*);
  long(CONV* FindProp)(void*, const WCHAR_T*);
  const WCHAR_T*(CONV* GetPropName)(void*, long, long);
  bool(CONV* GetPropVal)(void*, long, tVariant*);
  bool(CONV* SetPropVal)(void*, long, tVariant*);
  bool(CONV* IsPropReadable)(void*, long);
  bool(CONV* IsPropWritable)(void*, long);
  long(CONV* GetNMethods)(void*);
  long(CONV* FindMethod)(void*, const WCHAR_T*);
  const WCHAR_T*(CONV* GetMethodName)(void*, long, long);
  long(CONV* GetNParams)(void*, long);
  bool(CONV* GetParamDefValue)(void*, long, long, tVariant*);
  bool(CONV* HasRetVal)(void*, long);
  bool(CONV* CallAsProc)(void*, long, tVariant*, long);
  bool(CONV* CallAsFunc)(void*, long, tVariant*, tVariant*, long);
} LangExtVT;
typedef struct {
  DTORS
  void(CONV* Set)(void*, const WCHAR_T*);
} OneStringVT;
/* the contract's slot numbers (section 2), counted from the address point */
#define SLOT(T, m) (offsetof(T, m) / sizeof(void*))
#if defined(_WIN32)
_Static_assert(SLOT(InitDoneVT, Init) == 1 && SLOT(InitDoneVT, Done) == 4, "MSVC IInitDoneBase slots");
_Static_assert(SLOT(LangExtVT, RegisterExtensionAs) == 1 && SLOT(LangExtVT, CallAsFunc) == 16, "MSVC ILanguageExtenderBase slots");
_Static_assert(SLOT(OneStringVT, Set) == 1, "MSVC LocaleBase/UserLanguageBase slots");
#else
_Static_assert(SLOT(InitDoneVT, Init) == 2 && SLOT(InitDoneVT, Done) == 5, "Itanium IInitDoneBase slots");
_Static_assert(SLOT(LangExtVT, RegisterExtensionAs) == 2 && SLOT(LangExtVT, CallAsFunc) == 17, "Itanium ILanguageExtenderBase slots");
_Static_assert(SLOT(OneStringVT, Set) == 2, "Itanium LocaleBase/UserLanguageBase slots");
#endif

typedef struct {
  void** base; /* IComponentBase*: four vptrs */
} Obj;
#define VT0(o) (*(InitDoneVT**)&(o)->base[0])
#define VT1(o) (*(LangExtVT**)&(o)->base[1])
#define VT2(o) (*(OneStringVT**)&(o)->base[2])
#define VT3(o) (*(OneStringVT**)&(o)->base[3])
#define SELF(o, k) ((void*)&(o)->base[k])
/* the destructor slots of vptr #k (every component vtable starts with them) */
#define DTORS_OF(o, k) (*(OneStringVT**)&(o)->base[k])

#endif

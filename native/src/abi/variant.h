// tVariant and the TYPEVAR codes exactly as the host lays them out (contract section 3).
#pragma once

#include <ctime>

#include "abi/platform.h"

namespace abi {

enum : uint16_t {
  VTYPE_EMPTY = 0,
  VTYPE_NULL = 1,
  VTYPE_I2 = 2,
  VTYPE_I4 = 3,
  VTYPE_R4 = 4,
  VTYPE_R8 = 5,
  VTYPE_DATE = 6,
  VTYPE_TM = 7,
  VTYPE_PSTR = 8,
  VTYPE_INTERFACE = 9,
  VTYPE_ERROR = 10,
  VTYPE_BOOL = 11,
  VTYPE_VARIANT = 12,
  VTYPE_I1 = 13,
  VTYPE_UI1 = 14,
  VTYPE_UI2 = 15,
  VTYPE_UI4 = 16,
  VTYPE_I8 = 17,
  VTYPE_UI8 = 18,
  VTYPE_INT = 19,
  VTYPE_UINT = 20,
  VTYPE_HRESULT = 21,
  VTYPE_PWSTR = 22,
  VTYPE_BLOB = 23,
  VTYPE_CLSID = 24,
  VTYPE_STR_BLOB = 0x0fff,
  VTYPE_VECTOR = 0x1000,
  VTYPE_ARRAY = 0x2000,
  VTYPE_BYREF = 0x4000,
  VTYPE_RESERVED = 0x8000,
  VTYPE_ILLEGAL = 0xffff,
};

/** IID / uuid_t: 16 opaque bytes (GUID on Windows, hence its 4-byte alignment there). */
struct Iid {
#if defined(_WIN32)
  uint32_t d1;
  uint16_t d2, d3;
  uint8_t d4[8];
#else
  uint8_t bytes[16];
#endif
};

struct tVariant {
  union {
    int8_t i8Val;
    int16_t shortVal;
    int32_t lVal;
    int intVal;
    unsigned int uintVal;
    int64_t llVal;
    uint8_t ui8Val;
    uint16_t ushortVal;
    uint32_t ulVal;
    uint64_t ullVal;
    int32_t errCode;
    long hRes;
    float fltVal;
    double dblVal;
    bool bVal;
    char chVal;
    wchar_t wchVal;
    double date;
    Iid IDVal;
    tVariant* pvarVal;
    struct tm tmVal;
    struct {
      void* pInterfaceVal;
      Iid InterfaceID;
    } iface;
    struct {
      char* pstrVal;
      uint32_t strLen;
    } str;
    struct {
      WCHAR_T* pwstrVal;
      uint32_t wstrLen;
    } wstr;
  };
  uint32_t cbElements;
  uint16_t vt;
};

// The contract's layout table (section 3.1), checked per target.
#if defined(ONEC_TARGET_LINUX_X86_64)
static_assert(sizeof(struct tm) == 56, "struct tm (Linux x86_64)");
static_assert(sizeof(tVariant) == 64 && alignof(tVariant) == 8, "tVariant size (Linux x86_64)");
static_assert(offsetof(tVariant, str) == 0 && offsetof(tVariant, str.strLen) == 8, "strLen");
static_assert(offsetof(tVariant, wstr.wstrLen) == 8, "wstrLen");
static_assert(offsetof(tVariant, iface.InterfaceID) == 8, "InterfaceID");
static_assert(offsetof(tVariant, cbElements) == 56, "cbElements");
static_assert(offsetof(tVariant, vt) == 60, "vt");
static_assert(sizeof(long) == 8, "long is 64-bit on Linux x86_64");
#elif defined(ONEC_TARGET_WIN_X64)
static_assert(sizeof(struct tm) == 36, "struct tm (Windows): nine ints");
static_assert(sizeof(tVariant) == 48 && alignof(tVariant) == 8, "tVariant size (Windows x64)");
static_assert(offsetof(tVariant, str) == 0 && offsetof(tVariant, str.strLen) == 8, "strLen");
static_assert(offsetof(tVariant, wstr.wstrLen) == 8, "wstrLen");
static_assert(offsetof(tVariant, iface.InterfaceID) == 8, "InterfaceID");
static_assert(offsetof(tVariant, cbElements) == 40, "cbElements");
static_assert(offsetof(tVariant, vt) == 44, "vt");
static_assert(sizeof(long) == 4 && sizeof(unsigned long) == 4, "long is 32-bit on Windows x64 (LLP64)");
static_assert(sizeof(wchar_t) == 2 && sizeof(Iid) == 16 && alignof(Iid) == 4, "WCHAR_T/GUID (Windows)");
#elif defined(ONEC_TARGET_WIN_X86)
static_assert(sizeof(struct tm) == 36, "struct tm (Windows): nine ints");
// MSVC aligns double/int64 to 8 inside structs; so must we (GCC's i386 default for members is 4)
static_assert(alignof(double) == 8 && alignof(int64_t) == 8, "8-byte member alignment (Windows x86)");
static_assert(sizeof(tVariant) == 48 && alignof(tVariant) == 8, "tVariant size (Windows x86)");
static_assert(offsetof(tVariant, str) == 0 && offsetof(tVariant, str.strLen) == 4, "strLen");
static_assert(offsetof(tVariant, wstr.wstrLen) == 4, "wstrLen");
static_assert(offsetof(tVariant, iface.InterfaceID) == 4, "InterfaceID");
static_assert(offsetof(tVariant, cbElements) == 40, "cbElements");
static_assert(offsetof(tVariant, vt) == 44, "vt");
static_assert(sizeof(long) == 4 && sizeof(void*) == 4, "long and pointers are 32-bit on Windows x86");
static_assert(sizeof(wchar_t) == 2 && sizeof(Iid) == 16 && alignof(Iid) == 4, "WCHAR_T/GUID (Windows)");
#elif defined(ONEC_TARGET_LINUX_I386)
static_assert(sizeof(tVariant) == 52, "tVariant size (Linux i386)");
static_assert(offsetof(tVariant, wstr.wstrLen) == 4, "wstrLen");
static_assert(offsetof(tVariant, cbElements) == 44, "cbElements");
static_assert(offsetof(tVariant, vt) == 48, "vt");
#else
#error "unknown target: add its tVariant layout from the contract"
#endif

}  // namespace abi

// Target-ABI switches for the Native API binary contract (docs/native-api.md).
//
// The 1C platform is an MSVC program on Windows and a g++ program elsewhere, so the layout we must
// produce depends on the TARGET, not on the compiler building this library: on Windows the MSVC
// layout (one destructor slot, __stdcall on x86) even if built with MinGW; everywhere else the
// Itanium C++ ABI layout (two destructor slots).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(_WIN32)
#define ONEC_ABI_MSVC 1
#define ONEC_ABI_ITANIUM 0
#else
#define ONEC_ABI_MSVC 0
#define ONEC_ABI_ITANIUM 1
#endif

// ADDIN_API in the SDK: __stdcall on Windows (only matters on x86), nothing elsewhere.
#if defined(_WIN32) && !defined(_WIN64)
#define ONEC_STDCALL __stdcall
#else
#define ONEC_STDCALL
#endif

// The virtual destructors are not ADDIN_API in the SDK (`virtual ~IInitDoneBase() {}`), so on
// Windows x86 MSVC gives the scalar deleting destructor its default member convention, __thiscall
// (`this` in ECX, the flags argument on the stack, callee pops); on x64 there is one convention.
#if defined(_WIN32) && !defined(_WIN64)
#define ONEC_THISCALL __attribute__((thiscall))
#else
#define ONEC_THISCALL
#endif

#if defined(_WIN32)
#define ONEC_EXPORT extern "C"  // exported through a .def file
#else
#define ONEC_EXPORT extern "C" __attribute__((visibility("default")))
#endif

namespace abi {

/** WCHAR_T: one UTF-16 code unit on every platform (never wchar_t on Linux, which is 32-bit). */
using WCHAR_T = char16_t;
static_assert(sizeof(WCHAR_T) == 2, "WCHAR_T is a UTF-16 code unit");

/** Number of vtable slots a virtual destructor occupies: Itanium D1+D0, MSVC scalar deleting. */
constexpr std::size_t kDtorSlots = ONEC_ABI_MSVC ? 1 : 2;

/** Picks the contract's slot number for the target ABI. */
constexpr std::size_t slot(std::size_t itanium, std::size_t msvc) {
  return ONEC_ABI_MSVC ? msvc : itanium;
}

#if defined(__x86_64__) && defined(__linux__)
#define ONEC_TARGET_LINUX_X86_64 1
#elif defined(_WIN64)
#define ONEC_TARGET_WIN_X64 1
#elif defined(_WIN32)
#define ONEC_TARGET_WIN_X86 1
#elif defined(__i386__) && defined(__linux__)
#define ONEC_TARGET_LINUX_I386 1
#endif

}  // namespace abi

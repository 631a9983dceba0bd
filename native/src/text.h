// Small UTF-16 / UTF-8 helpers. Never wcs*: WCHAR_T is 16-bit, wchar_t is 32-bit on Linux.
#pragma once

#include <cstddef>
#include <string>

namespace text {

/** Length of a NUL-terminated UTF-16 string (0 for nullptr). */
std::size_t length(const char16_t* s);

/** UTF-8 bytes to UTF-16; invalid sequences become U+FFFD. */
std::u16string fromUtf8(const char* s, std::size_t n);
inline std::u16string fromUtf8(const std::string& s) { return fromUtf8(s.data(), s.size()); }

/** UTF-16 to UTF-8; unpaired surrogates become U+FFFD. */
std::string toUtf8(const char16_t* s, std::size_t n);
inline std::string toUtf8(const std::u16string& s) { return toUtf8(s.data(), s.size()); }

/** Decimal text of a number (integers without a fraction). */
std::u16string number(long long v);

}  // namespace text

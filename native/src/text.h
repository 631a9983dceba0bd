// Small UTF-16 / UTF-8 helpers. Never wcs*: WCHAR_T is 16-bit, wchar_t is 32-bit on Linux.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace text {

/** Length of a NUL-terminated UTF-16 string (0 for nullptr). */
std::size_t length(const char16_t* s);

// Decoding UTF-8: invalid sequences become U+FFFD. In two steps, so a caller can size the
// destination first and decode straight into it (host memory).
/** UTF-16 units the UTF-8 bytes decode to. */
std::size_t utf16Length(const uint8_t* s, std::size_t n);
/** Decodes into `out` (room for utf16Length units); returns the end of what it wrote. */
char16_t* decodeUtf8(const uint8_t* s, std::size_t n, char16_t* out);

// Encoding UTF-8: unpaired surrogates become U+FFFD, the same way.
/** UTF-8 bytes the UTF-16 text encodes to. */
std::size_t utf8Length(const char16_t* s, std::size_t n);
/** Encodes into `out` (room for utf8Length bytes); returns the end of what it wrote. */
uint8_t* encodeUtf8(const char16_t* s, std::size_t n, uint8_t* out);

/** UTF-8 bytes to UTF-16. */
std::u16string fromUtf8(const char* s, std::size_t n);
inline std::u16string fromUtf8(const std::string& s) { return fromUtf8(s.data(), s.size()); }

/** UTF-16 to UTF-8. */
std::string toUtf8(const char16_t* s, std::size_t n);
inline std::string toUtf8(const std::u16string& s) { return toUtf8(s.data(), s.size()); }

/** The last `count` lines of `s`, trailing blank space dropped (a log's tail). */
std::string lastLines(std::string s, int count);

/** Decimal text of a number (integers without a fraction). */
std::u16string number(long long v);

}  // namespace text

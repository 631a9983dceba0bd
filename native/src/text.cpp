#include "text.h"

#include <cstring>

namespace text {

std::size_t length(const char16_t* s) {
  if (s == nullptr) return 0;
  std::size_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}

namespace {

constexpr char32_t kReplacement = 0xfffd;

bool highSurrogate(char32_t c) { return c >= 0xd800 && c <= 0xdbff; }
bool lowSurrogate(char32_t c) { return c >= 0xdc00 && c <= 0xdfff; }

/**
 * The code point of the UTF-8 sequence at s[i] (U+FFFD for an invalid one) and where the next
 * starts. Called for non-ASCII lead bytes only.
 */
char32_t nextCodePoint(const uint8_t* s, std::size_t n, std::size_t& i) {
  uint8_t c = s[i];
  int extra;
  char32_t cp;
  char32_t min;
  if ((c & 0xe0) == 0xc0) {
    extra = 1, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    extra = 2, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    extra = 3, cp = c & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  std::size_t j = i + 1;
  for (int k = 0; k < extra; ++k, ++j) {
    if (j >= n || (s[j] & 0xc0) != 0x80) {
      // a truncated sequence: one U+FFFD for what was read, go on at the byte that broke it
      i = j;
      return kReplacement;
    }
    cp = (cp << 6) | (s[j] & 0x3f);
  }
  i = j;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return kReplacement;
  return cp;
}

// ASCII runs are most message text: they are scanned and copied a word at a time.

/**
 * How many units from s[i] on are ASCII (UTF-8 bytes or UTF-16 units), checked a 64-bit word at a
 * time: a unit is ASCII when none of its bits above the low seven is set.
 */
template <class Unit>
std::size_t asciiRun(const Unit* s, std::size_t n, std::size_t i) {
  constexpr std::size_t kPerWord = sizeof(uint64_t) / sizeof(Unit);
  constexpr uint64_t kHighBits = sizeof(Unit) == 1 ? 0x8080808080808080ULL : 0xff80ff80ff80ff80ULL;
  std::size_t start = i;
  while (i + kPerWord <= n) {
    uint64_t word;
    std::memcpy(&word, s + i, sizeof word);
    if ((word & kHighBits) != 0) break;
    i += kPerWord;
  }
  while (i < n && s[i] < 0x80) ++i;
  return i - start;
}

/** The code point of the UTF-16 text at s[i] (U+FFFD for a lone surrogate); moves i past it. */
char32_t nextCodePoint(const char16_t* s, std::size_t n, std::size_t& i) {
  char32_t c = s[i++];
  if (highSurrogate(c) && i < n && lowSurrogate(s[i])) return 0x10000 + ((c - 0xd800) << 10) + (s[i++] - 0xdc00);
  return highSurrogate(c) || lowSurrogate(c) ? kReplacement : c;
}

/**
 * Units the text takes in the other encoding: ASCII runs count one each, a word at a time; every
 * other code point counts what `width` says.
 */
template <class Unit, class Width>
std::size_t convertedLength(const Unit* s, std::size_t n, Width width) {
  std::size_t total = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t ascii = asciiRun(s, n, i);
    i += ascii;
    total += ascii;
    if (i < n) total += width(nextCodePoint(s, n, i));
  }
  return total;
}

}  // namespace

std::size_t utf16Length(const uint8_t* s, std::size_t n) {
  return convertedLength(s, n, [](char32_t cp) -> std::size_t { return cp >= 0x10000 ? 2 : 1; });
}

char16_t* decodeUtf8(const uint8_t* s, std::size_t n, char16_t* out) {
  std::size_t i = 0;
  while (i < n) {
    for (std::size_t end = i + asciiRun(s, n, i); i < end;) *out++ = s[i++];
    if (i == n) break;
    char32_t cp = nextCodePoint(s, n, i);
    if (cp < 0x10000) {
      *out++ = static_cast<char16_t>(cp);
    } else {
      cp -= 0x10000;
      *out++ = static_cast<char16_t>(0xd800 + (cp >> 10));
      *out++ = static_cast<char16_t>(0xdc00 + (cp & 0x3ff));
    }
  }
  return out;
}

std::size_t utf8Length(const char16_t* s, std::size_t n) {
  return convertedLength(s, n, [](char32_t cp) -> std::size_t { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; });
}

uint8_t* encodeUtf8(const char16_t* s, std::size_t n, uint8_t* out) {
  std::size_t i = 0;
  while (i < n) {
    for (std::size_t end = i + asciiRun(s, n, i); i < end;) *out++ = static_cast<uint8_t>(s[i++]);
    if (i == n) break;
    char32_t cp = nextCodePoint(s, n, i);
    if (cp < 0x80) {
      *out++ = static_cast<uint8_t>(cp);
    } else if (cp < 0x800) {
      *out++ = static_cast<uint8_t>(0xc0 | (cp >> 6));
      *out++ = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out++ = static_cast<uint8_t>(0xe0 | (cp >> 12));
      *out++ = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
      *out++ = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    } else {
      *out++ = static_cast<uint8_t>(0xf0 | (cp >> 18));
      *out++ = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3f));
      *out++ = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3f));
      *out++ = static_cast<uint8_t>(0x80 | (cp & 0x3f));
    }
  }
  return out;
}

std::u16string fromUtf8(const char* s, std::size_t n) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s);
  std::u16string out(utf16Length(bytes, n), u'\0');
  decodeUtf8(bytes, n, &out[0]);
  return out;
}

std::string toUtf8(const char16_t* s, std::size_t n) {
  std::string out(utf8Length(s, n), '\0');
  encodeUtf8(s, n, reinterpret_cast<uint8_t*>(&out[0]));
  return out;
}

std::string lastLines(std::string s, int count) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  int lines = 0;
  for (std::size_t i = s.size(); i > 0; --i) {
    if (s[i - 1] == '\n' && ++lines == count) {
      s.erase(0, i);
      break;
    }
  }
  return s;
}

std::u16string number(long long v) {
  char buf[32];
  int n = 0;
  unsigned long long u = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  std::u16string out;
  if (v < 0) out.push_back(u'-');
  while (n > 0) out.push_back(static_cast<char16_t>(buf[--n]));
  return out;
}

}  // namespace text

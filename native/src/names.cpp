#include "names.h"

namespace names {

char16_t fold(char16_t c) {
  if (c < 0x80) return (c >= u'A' && c <= u'Z') ? static_cast<char16_t>(c + 0x20) : c;
  // Latin-1: À..Þ except × (U+00D7)
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return static_cast<char16_t>(c + 0x20);
  // Cyrillic: Ѐ..Џ (incl. Ё U+0401) → ѐ..џ; А..Я → а..я
  if (c >= 0x400 && c <= 0x40f) return static_cast<char16_t>(c + 0x50);
  if (c >= 0x410 && c <= 0x42f) return static_cast<char16_t>(c + 0x20);
  // Cyrillic pairs where the capital is even: Ѡ..ҁ, Ҋ..ҿ, Ӑ..ԯ
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) || (c >= 0x4d0 && c <= 0x52f)) {
    return static_cast<char16_t>(c | 1);
  }
  if (c == 0x4c0) return 0x4cf;  // Ӏ → ӏ
  // Ӂ..ӎ: capital is odd
  if (c >= 0x4c1 && c <= 0x4ce && (c & 1) != 0) return static_cast<char16_t>(c + 1);
  return c;
}

bool equal(const char16_t* a, const char16_t* b) {
  if (a == nullptr || b == nullptr) return false;
  for (;; ++a, ++b) {
    if (*a == 0 || *b == 0) return *a == *b;
    if (*a != *b && fold(*a) != fold(*b)) return false;
  }
}

long findMethod(const gen::Class& cls, const char16_t* name) {
  for (unsigned i = 0; i < cls.methodCount; ++i) {
    const gen::Method& m = cls.methods[i];
    if (equal(name, m.ru) || equal(name, m.en)) return static_cast<long>(i);
    for (unsigned k = 0; k < m.aliasCount; ++k) {
      if (equal(name, m.aliases[k])) return static_cast<long>(i);
    }
  }
  return -1;
}

long findProp(const gen::Class& cls, const char16_t* name) {
  for (unsigned i = 0; i < cls.propCount; ++i) {
    if (equal(name, cls.props[i].ru) || equal(name, cls.props[i].en)) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace names

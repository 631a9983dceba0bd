// Case-insensitive member lookup as BSL does it: Latin and Cyrillic (incl. Ё/ё), self-contained —
// never an OS locale (a missing ru_RU locale must not break or abort the host).
#pragma once

#include <cstddef>

#include "table.h"

namespace names {

/** Simple lower-case mapping of one UTF-16 unit: Latin, Latin-1 letters, Cyrillic (U+0400–U+052F). */
char16_t fold(char16_t c);

/** Case-insensitive equality of a NUL-terminated name and a NUL-terminated table name. */
bool equal(const char16_t* a, const char16_t* b);

/** FindMethod: index by Russian name, English name or alias; -1 if none. */
long findMethod(const gen::Class& cls, const char16_t* name);

/** FindProp: index by Russian or English name; -1 if none. */
long findProp(const gen::Class& cls, const char16_t* name);

}  // namespace names

// The library's own texts (generated from src/i18n/messages.ts, keys marked `library`) and the
// choice of language.
#pragma once

#include <initializer_list>
#include <string>

#include "messages_data.h"

namespace messages {

enum class Lang { Ru, En };

/** Like langFromLocale in messages.ts: starts with "en" (any case, after blanks) → English. */
Lang fromLocale(const char16_t* locale, std::size_t length);

/** The message in `lang` with {0}, {1}… replaced by `args` (a missing argument stays as {n}). */
std::u16string format(Lang lang, gen::Msg id, std::initializer_list<std::u16string> args = {});

}  // namespace messages

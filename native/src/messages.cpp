#include "messages.h"

#include <vector>

#include "text.h"

namespace messages {

Lang fromLocale(const char16_t* locale, std::size_t length) {
  std::size_t i = 0;
  // \s of a JS regex, as far as 1C locale strings can contain it
  while (i < length && (locale[i] == u' ' || locale[i] == u'\t' || locale[i] == u'\r' ||
                        locale[i] == u'\n' || locale[i] == u'\f' || locale[i] == u'\v' ||
                        locale[i] == 0xa0 || locale[i] == 0xfeff)) {
    ++i;
  }
  if (i + 2 <= length) {
    char16_t a = locale[i], b = locale[i + 1];
    if ((a == u'e' || a == u'E') && (b == u'n' || b == u'N')) return Lang::En;
  }
  return Lang::Ru;
}

std::u16string format(Lang lang, gen::Msg id, std::initializer_list<std::u16string> args) {
  const char16_t* tpl = gen::kMessages[lang == Lang::En ? 1 : 0][static_cast<unsigned>(id)];
  std::vector<const std::u16string*> list;
  for (const auto& a : args) list.push_back(&a);
  std::u16string out;
  std::size_t n = text::length(tpl);
  for (std::size_t i = 0; i < n; ++i) {
    if (tpl[i] == u'{') {
      std::size_t j = i + 1;
      std::size_t index = 0;
      while (j < n && tpl[j] >= u'0' && tpl[j] <= u'9' && j - i < 6) {
        index = index * 10 + (tpl[j] - u'0');
        ++j;
      }
      if (j > i + 1 && j < n && tpl[j] == u'}' && index < list.size()) {
        out += *list[index];
        i = j;
        continue;
      }
    }
    out.push_back(tpl[i]);
  }
  return out;
}

}  // namespace messages

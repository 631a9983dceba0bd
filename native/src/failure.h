// The one exception type used inside the library (never crosses the ABI: every entry point
// catches it). It carries either a message id + arguments (formatted in the object's language
// when reported) or a ready text (an error the engine sent).
#pragma once

#include <string>

#include "messages_data.h"

struct Failure {
  gen::Msg id = gen::Msg::internalError;
  std::u16string arg0, arg1;
  bool hasText = false;
  std::u16string text;

  static Failure of(gen::Msg id, std::u16string a0 = {}, std::u16string a1 = {}) {
    Failure f;
    f.id = id;
    f.arg0 = std::move(a0);
    f.arg1 = std::move(a1);
    return f;
  }
  static Failure withText(std::u16string t) {
    Failure f;
    f.hasText = true;
    f.text = std::move(t);
    return f;
  }
};

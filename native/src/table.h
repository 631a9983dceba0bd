// Types of the generated member table (native/generated/table.cpp, written by
// scripts/gen-native.mjs from src/api/table.ts — never edit the data by hand).
#pragma once

#include <cstddef>

namespace gen {

enum class ConstKind : unsigned char { None, Undefined, Boolean, Number, String };

/** A constant from the table: a parameter default or a property's whenEngineLost value. */
struct Const {
  ConstKind kind;  // None = absent (parameter is mandatory)
  bool boolean;
  double number;
  const char16_t* text;
  std::size_t textLength;
};

enum class ParamKind : unsigned char { String, Number, Message, Out };
enum class LocalMethod : unsigned char { None, ErrorDescription };
enum class EngineLostPolicy : unsigned char { Error, Restart, Succeed };
/** What the library does itself after the engine accepted a SET (external events). */
enum class PropAction : unsigned char { None, ExternalEvents, EventBufferDepth };

struct Param {
  const char16_t* ru;
  const char16_t* en;
  ParamKind kind;
  Const defaultValue;
};

struct Method {
  const char16_t* ru;
  const char16_t* en;
  const char16_t* const* aliases;
  unsigned aliasCount;
  const Param* params;
  unsigned paramCount;
  bool returns;
  LocalMethod local;
  EngineLostPolicy onEngineLost;
  /** index of the call's Timeout parameter (bounds the library's wait), or -1 */
  int timeoutParam;
  /** takes received messages (Принять, ПринятьСообщение): one batch serves only its own method */
  bool takesMessages;
};

struct Prop {
  const char16_t* ru;
  const char16_t* en;
  bool readable;
  bool writable;
  Const whenEngineLost;
  PropAction action;
};

struct Class {
  const char16_t* name;
  const Method* methods;
  unsigned methodCount;
  const Prop* props;
  unsigned propCount;
};

/** Class ids on the wire are positions in this array. */
extern const Class kClasses[];
extern const unsigned kClassCount;
/** GetClassNames: the class names joined by '|' */
extern const char16_t kClassNames[];

}  // namespace gen

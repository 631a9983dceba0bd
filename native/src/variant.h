// tVariant ↔ wire values (docs/protocol.md "Values"), and host-memory ownership of payloads.
#pragma once

#include <string>

#include "abi/variant.h"
#include "host.h"
#include "table.h"
#include "wire.h"

namespace variant {

/** Appends the wire form of a host value (a call argument) to a request. */
void encode(wire::Writer& w, const abi::tVariant& v);

/** A numeric argument as a double (I4, R8, …); false if the variant is not a number. */
bool numeric(const abi::tVariant& v, double& out);

/**
 * Frees a host-allocated payload the variant holds (PWSTR, BLOB) with FreeMemory and leaves it
 * VTYPE_EMPTY. Used before rewriting a parameter (out-parameters).
 */
void release(const host::Memory& mem, abi::tVariant& v);

/**
 * Stores a decoded value into `v` (which holds no payload: call release() first for parameters).
 * Strings/blobs are AllocMemory'd; returns false if the host refused the memory (v stays EMPTY).
 */
bool store(const host::Memory& mem, abi::tVariant& v, const wire::Value& value);

/** Stores a table constant (default / whenEngineLost). False if memory was refused. */
bool store(const host::Memory& mem, abi::tVariant& v, const gen::Const& c);

/** Stores a UTF-16 string. False if memory was refused. */
bool storeString(const host::Memory& mem, abi::tVariant& v, const char16_t* s, std::size_t n);

void storeBool(abi::tVariant& v, bool b);

/** ms since 1970-01-01 UTC ↔ broken-down UTC time (proleptic Gregorian). */
double msFromTm(const struct tm& t);
void tmFromMs(double ms, struct tm& t);

}  // namespace variant

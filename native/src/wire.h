// Encoding and decoding of the library ↔ engine protocol (docs/protocol.md): frames, values and
// responses. Pure byte handling; no I/O, no host memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wire {

enum Op : uint8_t {
  OPEN = 0x01,
  CALL = 0x02,
  GET = 0x03,
  SET = 0x04,
  LOCALE = 0x05,
  // an object's events connection (engine/event_pump.cpp, docs/protocol.md "External events")
  SUBSCRIBE = 0x06,
  NEXT = 0x07,
  ACK = 0x08,
  POST = 0x09,   // a CALL under a send grant: never answered
  TAKEN = 0x0a,  // batched results handed out since the last request: never answered
  SHARE = 0x0b,  // names the connection's shared-memory areas (engine/shared.h)
};
constexpr uint8_t kResponseBit = 0x80;
constexpr uint32_t kMaxFrame = 1u << 30;  // 1 GiB

enum Tag : uint8_t {
  UNDEFINED = 0,
  BOOLEAN = 1,
  INT32 = 2,
  FLOAT64 = 3,
  STRING = 4,
  BINARY = 5,
  DATE = 6,
  NUL = 7,
  UNSUPPORTED = 8,
  UTF8 = 9,  // text as UTF-8 bytes: message bodies, both ways
  SHARED = 10,  // a message body in shared memory: u8 kind (UTF8 or BINARY), u32 offset, u32 length
};

/** Builds one request frame: u32 length, u8 op, body. */
class Writer {
 public:
  explicit Writer(uint8_t op) : Writer(op, std::vector<uint8_t>()) {}
  /** Builds into `reuse`, keeping its capacity (a session's request buffer, engine/session.h). */
  Writer(uint8_t op, std::vector<uint8_t>&& reuse);
  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void i32(int32_t v);
  void f64(double v);
  void units(const char16_t* s, std::size_t n);  // UTF-16LE
  void bytes(const void* p, std::size_t n);

  void undefined() { u8(UNDEFINED); }
  void string(const char16_t* s, std::size_t n);
  /**
   * Text as UTF-8 (lone surrogates become U+FFFD, as the engine's own encoding would make them);
   * returns the byte count.
   */
  std::size_t utf8(const char16_t* s, std::size_t n);
  /** A message body of `kind` (UTF8 or BINARY) in shared memory (tag SHARED). */
  void shared(Tag kind, uint32_t offset, uint32_t length);
  /** Finishes the frame (writes its length) and returns it. */
  std::vector<uint8_t>& finish();
  /** Hands the buffer over (for the next Writer) once the frame has been sent. */
  std::vector<uint8_t> release() { return std::move(buf_); }

 private:
  std::vector<uint8_t> buf_;
};

/** A decoded value. Strings and binary data point into the response buffer (no copy). */
struct Value {
  Tag tag = UNDEFINED;
  bool boolean = false;
  int32_t int32 = 0;
  double number = 0;  // FLOAT64, and DATE (ms since 1970-01-01 UTC)
  const uint8_t* data = nullptr;  // STRING: count UTF-16LE units; BINARY, UTF8: count bytes
  uint32_t count = 0;
  uint16_t vt = 0;  // UNSUPPORTED
  // SHARED (until the session resolves it into UTF8 or BINARY pointing into the shared area)
  Tag kind = UNDEFINED;
  uint32_t offset = 0;

  /** STRING: unit i (the buffer is unaligned, little-endian). */
  char16_t unit(std::size_t i) const {
    return static_cast<char16_t>(data[2 * i] | (data[2 * i + 1] << 8));
  }
  /** STRING or UTF8 as UTF-16 (empty for other tags). */
  std::u16string toU16() const;
};

struct OutParam {
  uint8_t index;
  Value value;
};

/** One result of a call: its value and out-parameters (a response, or a further batched one). */
struct Result {
  Value value;
  std::vector<OutParam> outParams;
};

/** Permission to send a method's calls without waiting for their answers (docs/protocol.md). */
struct Grant {
  bool present = false;
  uint16_t method = 0;
  uint32_t credit = 0;  // bytes of message bodies
  bool keyed = false;   // the first argument must be one of keys
  std::vector<int32_t> keys;
};

struct Response {
  bool ok = false;
  Value value;
  std::vector<OutParam> outParams;
  Value error;
  /** further results of the same call, ready in the engine (a batch of received messages) */
  std::vector<Result> more;
  Grant grant;
};

/** The TAKEN frame: `taken` batched results were handed out; `dropRest`: the others are given up. */
std::vector<uint8_t> takenFrame(uint32_t taken, bool dropRest);

/** Thrown for malformed input from the engine. */
struct ProtocolError {
  const char* what;
};

/** Parses a response body (after the op byte). Throws ProtocolError. */
Response parseResponse(const uint8_t* body, std::size_t size);

}  // namespace wire

#include "wire.h"

#include <cstring>

#include "text.h"

namespace wire {

Writer::Writer(uint8_t op, std::vector<uint8_t>&& reuse) : buf_(std::move(reuse)) {
  buf_.clear();
  buf_.reserve(64);
  buf_.resize(4);  // length, filled by finish()
  buf_.push_back(op);
}

void Writer::u16(uint16_t v) {
  buf_.push_back(static_cast<uint8_t>(v));
  buf_.push_back(static_cast<uint8_t>(v >> 8));
}

void Writer::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void Writer::i32(int32_t v) { u32(static_cast<uint32_t>(v)); }

void Writer::f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

void Writer::units(const char16_t* s, std::size_t n) {
  std::size_t at = buf_.size();
  buf_.resize(at + 2 * n);
  uint8_t* p = buf_.data() + at;
  for (std::size_t i = 0; i < n; ++i) {
    p[2 * i] = static_cast<uint8_t>(s[i]);
    p[2 * i + 1] = static_cast<uint8_t>(s[i] >> 8);
  }
}

void Writer::bytes(const void* p, std::size_t n) {
  if (n == 0) return;
  const auto* b = static_cast<const uint8_t*>(p);
  buf_.insert(buf_.end(), b, b + n);
}

void Writer::string(const char16_t* s, std::size_t n) {
  u8(STRING);
  u32(static_cast<uint32_t>(n));
  units(s, n);
}

std::size_t Writer::utf8(const char16_t* s, std::size_t n) {
  std::size_t count = text::utf8Length(s, n);
  u8(UTF8);
  u32(static_cast<uint32_t>(count));
  std::size_t start = buf_.size();
  buf_.resize(start + count);
  text::encodeUtf8(s, n, buf_.data() + start);
  return count;
}

void Writer::shared(Tag kind, uint32_t offset, uint32_t length) {
  u8(SHARED);
  u8(kind);
  u32(offset);
  u32(length);
}

std::vector<uint8_t>& Writer::finish() {
  uint32_t len = static_cast<uint32_t>(buf_.size() - 4);
  for (int i = 0; i < 4; ++i) buf_[i] = static_cast<uint8_t>(len >> (8 * i));
  return buf_;
}

std::u16string Value::toU16() const {
  std::u16string s;
  if (tag == UTF8) {
    s.resize(text::utf16Length(data, count));
    text::decodeUtf8(data, count, &s[0]);
  } else if (tag == STRING) {
    s.resize(count);
    for (uint32_t i = 0; i < count; ++i) s[i] = unit(i);
  }
  return s;
}

namespace {

class Reader {
 public:
  Reader(const uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}

  void need(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) throw ProtocolError{"truncated response"};
  }
  uint8_t u8() {
    need(1);
    return *p_++;
  }
  uint16_t u16() {
    need(2);
    uint16_t v = static_cast<uint16_t>(p_[0] | (p_[1] << 8));
    p_ += 2;
    return v;
  }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p_[i]) << (8 * i);
    p_ += 4;
    return v;
  }
  double f64() {
    need(8);
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += 8;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  const uint8_t* take(std::size_t n) {
    need(n);
    const uint8_t* at = p_;
    p_ += n;
    return at;
  }
  bool done() const { return p_ == end_; }

  /** A count, then that many (index, value) pairs. */
  void outParams(std::vector<OutParam>& out) {
    uint8_t count = u8();
    out.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
      OutParam op;
      op.index = u8();
      op.value = value();
      out.push_back(op);
    }
  }

  Value value() {
    Value v;
    uint8_t tag = u8();
    switch (tag) {
      case UNDEFINED:
      case NUL:
        break;
      case BOOLEAN:
        v.boolean = u8() != 0;
        break;
      case INT32:
        v.int32 = static_cast<int32_t>(u32());
        break;
      case FLOAT64:
      case DATE:
        v.number = f64();
        break;
      case STRING:
        v.count = u32();
        v.data = take(2 * static_cast<std::size_t>(v.count));
        break;
      case BINARY:
      case UTF8:
        v.count = u32();
        v.data = take(v.count);
        break;
      case UNSUPPORTED:
        v.vt = u16();
        break;
      case SHARED: {
        uint8_t kind = u8();
        if (kind != UTF8 && kind != BINARY) throw ProtocolError{"bad shared body kind"};
        v.kind = static_cast<Tag>(kind);
        v.offset = u32();
        v.count = u32();
        break;
      }
      default:
        throw ProtocolError{"unknown value tag"};
    }
    v.tag = static_cast<Tag>(tag);
    return v;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace

Response parseResponse(const uint8_t* body, std::size_t size) {
  Reader r(body, size);
  Response resp;
  uint8_t status = r.u8();
  if (status > 1) throw ProtocolError{"bad status byte"};
  resp.ok = status == 0;
  resp.value = r.value();
  r.outParams(resp.outParams);
  resp.error = r.value();
  uint16_t k = r.u16();
  resp.more.resize(k);
  for (Result& more : resp.more) {
    more.value = r.value();
    r.outParams(more.outParams);
  }
  if (r.u8() != 0) {
    Grant& g = resp.grant;
    g.present = true;
    g.method = r.u16();
    g.credit = r.u32();
    g.keyed = r.u8() != 0;
    if (g.keyed) {
      uint16_t count = r.u16();
      g.keys.reserve(count);
      for (unsigned i = 0; i < count; ++i) g.keys.push_back(static_cast<int32_t>(r.u32()));
    }
  }
  if (!r.done()) throw ProtocolError{"trailing bytes in response"};
  return resp;
}

std::vector<uint8_t> takenFrame(uint32_t taken, bool dropRest) {
  Writer w(TAKEN);
  w.u32(taken);
  w.u8(dropRest ? 1 : 0);
  return std::move(w.finish());
}

}  // namespace wire

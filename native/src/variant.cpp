#include "variant.h"

#include <cmath>
#include <cstring>

#include "text.h"

namespace variant {

using namespace abi;

namespace {

constexpr double kMsPerDay = 86400000.0;
/** days from 1899-12-30 (OLE Automation epoch) to 1970-01-01 */
constexpr double kOleEpochDays = 25569.0;

bool fitsInt32(double d) {
  return d >= -2147483648.0 && d <= 2147483647.0 && std::floor(d) == d && !(d == 0 && std::signbit(d));
}

void encodeNumber(wire::Writer& w, double d) {
  if (fitsInt32(d)) {
    w.u8(wire::INT32);
    w.i32(static_cast<int32_t>(d));
  } else {
    w.u8(wire::FLOAT64);
    w.f64(d);
  }
}

void encodeInt(wire::Writer& w, int32_t v) {
  w.u8(wire::INT32);
  w.i32(v);
}

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms, re-derived).
long long daysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void civilFromDays(long long z, long long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

double msFromOleDate(double date) {
  double day = std::trunc(date);
  double frac = std::fabs(date - day);  // OLE: the time part is unsigned even before 1899-12-30
  return std::round((day - kOleEpochDays) * kMsPerDay + frac * kMsPerDay);
}

}  // namespace

double msFromTm(const struct tm& t) {
  long long year = static_cast<long long>(t.tm_year) + 1900;
  long long mon = t.tm_mon;
  year += mon >= 0 ? mon / 12 : -((11 - mon) / 12);
  mon = ((mon % 12) + 12) % 12;
  long long days = daysFromCivil(year, static_cast<unsigned>(mon + 1), 1) + (t.tm_mday - 1);
  long long secs = days * 86400 + static_cast<long long>(t.tm_hour) * 3600 +
                   static_cast<long long>(t.tm_min) * 60 + t.tm_sec;
  return static_cast<double>(secs) * 1000.0;
}

void tmFromMs(double ms, struct tm& t) {
  std::memset(&t, 0, sizeof t);
  if (!std::isfinite(ms)) ms = 0;
  // keep years inside int range
  const double limit = 1e17;
  if (ms > limit) ms = limit;
  if (ms < -limit) ms = -limit;
  long long total = static_cast<long long>(std::floor(ms / 1000.0));
  long long days = total >= 0 ? total / 86400 : -((86399 - total) / 86400);
  long long secs = total - days * 86400;
  long long y;
  unsigned m, d;
  civilFromDays(days, y, m, d);
  t.tm_year = static_cast<int>(y - 1900);
  t.tm_mon = static_cast<int>(m) - 1;
  t.tm_mday = static_cast<int>(d);
  t.tm_hour = static_cast<int>(secs / 3600);
  t.tm_min = static_cast<int>((secs / 60) % 60);
  t.tm_sec = static_cast<int>(secs % 60);
  t.tm_wday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  t.tm_yday = static_cast<int>(days - daysFromCivil(y, 1, 1));
  t.tm_isdst = 0;
}

void encode(wire::Writer& w, const tVariant& v) {
  switch (v.vt) {
    case VTYPE_EMPTY:
      w.u8(wire::UNDEFINED);
      return;
    case VTYPE_NULL:
      w.u8(wire::NUL);
      return;
    case VTYPE_BOOL:
      w.u8(wire::BOOLEAN);
      w.u8(v.bVal ? 1 : 0);
      return;
    case VTYPE_I1:
      return encodeInt(w, v.i8Val);
    case VTYPE_I2:
      return encodeInt(w, v.shortVal);
    case VTYPE_I4:
      return encodeInt(w, v.lVal);
    case VTYPE_UI1:
      return encodeInt(w, v.ui8Val);
    case VTYPE_UI2:
      return encodeInt(w, v.ushortVal);
    case VTYPE_ERROR:
      return encodeInt(w, v.errCode);
    case VTYPE_INT:
      return encodeNumber(w, static_cast<double>(v.intVal));
    case VTYPE_R4:
      return encodeNumber(w, static_cast<double>(v.fltVal));
    case VTYPE_R8:
      return encodeNumber(w, v.dblVal);
    case VTYPE_I8:
      return encodeNumber(w, static_cast<double>(v.llVal));
    case VTYPE_UI4:
      return encodeNumber(w, static_cast<double>(v.ulVal));
    case VTYPE_UI8:
      return encodeNumber(w, static_cast<double>(v.ullVal));
    case VTYPE_UINT:
      return encodeNumber(w, static_cast<double>(v.uintVal));
    case VTYPE_HRESULT:
      return encodeNumber(w, static_cast<double>(v.hRes));
    case VTYPE_PWSTR:
      if (v.wstr.pwstrVal == nullptr) return w.string(u"", 0);
      return w.string(v.wstr.pwstrVal, v.wstr.wstrLen);
    case VTYPE_PSTR: {
      std::u16string s;
      if (v.str.pstrVal != nullptr) s = text::fromUtf8(v.str.pstrVal, v.str.strLen);
      return w.string(s.data(), s.size());
    }
    case VTYPE_BLOB:
      w.u8(wire::BINARY);
      if (v.str.pstrVal == nullptr) {
        w.u32(0);
      } else {
        w.u32(v.str.strLen);
        w.bytes(v.str.pstrVal, v.str.strLen);
      }
      return;
    case VTYPE_TM:
      w.u8(wire::DATE);
      w.f64(msFromTm(v.tmVal));
      return;
    case VTYPE_DATE:
      w.u8(wire::DATE);
      w.f64(msFromOleDate(v.date));
      return;
    default:
      w.u8(wire::UNSUPPORTED);
      w.u16(v.vt);
      return;
  }
}

bool numeric(const tVariant& v, double& out) {
  switch (v.vt) {
    case VTYPE_I1: out = v.i8Val; return true;
    case VTYPE_I2: out = v.shortVal; return true;
    case VTYPE_I4: out = v.lVal; return true;
    case VTYPE_UI1: out = v.ui8Val; return true;
    case VTYPE_UI2: out = v.ushortVal; return true;
    case VTYPE_ERROR: out = v.errCode; return true;
    case VTYPE_INT: out = v.intVal; return true;
    case VTYPE_R4: out = v.fltVal; return true;
    case VTYPE_R8: out = v.dblVal; return true;
    case VTYPE_I8: out = static_cast<double>(v.llVal); return true;
    case VTYPE_UI4: out = v.ulVal; return true;
    case VTYPE_UI8: out = static_cast<double>(v.ullVal); return true;
    case VTYPE_UINT: out = v.uintVal; return true;
    case VTYPE_HRESULT: out = static_cast<double>(v.hRes); return true;
    default: return false;
  }
}

void release(const host::Memory& mem, tVariant& v) {
  if (v.vt == VTYPE_PWSTR) {
    mem.free(v.wstr.pwstrVal);
  } else if (v.vt == VTYPE_BLOB) {
    mem.free(v.str.pstrVal);
  }
  std::memset(&v, 0, sizeof v);
  v.vt = VTYPE_EMPTY;
}

namespace {

void clear(tVariant& v) {
  std::memset(&v, 0, sizeof v);
  v.vt = VTYPE_EMPTY;
}

}  // namespace

void storeBool(tVariant& v, bool b) {
  clear(v);
  v.bVal = b;
  v.vt = VTYPE_BOOL;
}

bool storeString(const host::Memory& mem, tVariant& v, const char16_t* s, std::size_t n) {
  clear(v);
  auto* p = static_cast<char16_t*>(mem.alloc((n + 1) * sizeof(char16_t)));
  if (p == nullptr) return false;
  if (n != 0) std::memcpy(p, s, n * sizeof(char16_t));
  p[n] = 0;
  v.wstr.pwstrVal = p;
  v.wstr.wstrLen = static_cast<uint32_t>(n);
  v.vt = VTYPE_PWSTR;
  return true;
}

bool store(const host::Memory& mem, tVariant& v, const wire::Value& value) {
  clear(v);
  switch (value.tag) {
    case wire::UNDEFINED:
    case wire::UNSUPPORTED:
    case wire::SHARED:  // never reaches here: the session resolves it (engine/session.cpp)
      return true;
    case wire::NUL:
      v.vt = VTYPE_NULL;
      return true;
    case wire::BOOLEAN:
      storeBool(v, value.boolean);
      return true;
    case wire::INT32:
      v.lVal = value.int32;
      v.vt = VTYPE_I4;
      return true;
    case wire::FLOAT64:
      v.dblVal = value.number;
      v.vt = VTYPE_R8;
      return true;
    case wire::DATE:
      tmFromMs(value.number, v.tmVal);
      v.vt = VTYPE_TM;
      return true;
    case wire::STRING: {
      std::size_t n = value.count;
      auto* p = static_cast<char16_t*>(mem.alloc((n + 1) * sizeof(char16_t)));
      if (p == nullptr) return false;
      for (std::size_t i = 0; i < n; ++i) p[i] = value.unit(i);
      p[n] = 0;
      v.wstr.pwstrVal = p;
      v.wstr.wstrLen = static_cast<uint32_t>(n);
      v.vt = VTYPE_PWSTR;
      return true;
    }
    case wire::UTF8: {
      // received text comes as UTF-8 (half the bytes of UTF-16 for ASCII): decoded straight into host memory
      std::size_t n = text::utf16Length(value.data, value.count);
      auto* p = static_cast<char16_t*>(mem.alloc((n + 1) * sizeof(char16_t)));
      if (p == nullptr) return false;
      text::decodeUtf8(value.data, value.count, p);
      p[n] = 0;
      v.wstr.pwstrVal = p;
      v.wstr.wstrLen = static_cast<uint32_t>(n);
      v.vt = VTYPE_PWSTR;
      return true;
    }
    case wire::BINARY: {
      // never hand out a null pointer, even for an empty blob
      auto* p = static_cast<char*>(mem.alloc(value.count == 0 ? 1 : value.count));
      if (p == nullptr) return false;
      if (value.count != 0) std::memcpy(p, value.data, value.count);
      v.str.pstrVal = p;
      v.str.strLen = value.count;
      v.vt = VTYPE_BLOB;
      return true;
    }
  }
  return true;
}

bool store(const host::Memory& mem, tVariant& v, const gen::Const& c) {
  clear(v);
  switch (c.kind) {
    case gen::ConstKind::None:
    case gen::ConstKind::Undefined:
      return true;
    case gen::ConstKind::Boolean:
      storeBool(v, c.boolean);
      return true;
    case gen::ConstKind::Number:
      if (fitsInt32(c.number)) {
        v.lVal = static_cast<int32_t>(c.number);
        v.vt = VTYPE_I4;
      } else {
        v.dblVal = c.number;
        v.vt = VTYPE_R8;
      }
      return true;
    case gen::ConstKind::String:
      return storeString(mem, v, c.text, c.textLength);
  }
  return true;
}

}  // namespace variant

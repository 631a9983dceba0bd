// Windows counterpart of sys.cpp: clock, error texts, sleeping, the environment, UTF-8 ↔ UTF-16.
#include "engine/sys.h"

#include <windows.h>

namespace sys {

int64_t nowMs() { return static_cast<int64_t>(GetTickCount64()); }

std::wstring widen(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  if (n <= 0) return std::wstring();
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), &out[0], n);
  return out;
}

std::string narrow(const wchar_t* s, std::size_t n) {
  if (s == nullptr || n == 0) return std::string();
  int k = WideCharToMultiByte(CP_UTF8, 0, s, static_cast<int>(n), nullptr, 0, nullptr, nullptr);
  if (k <= 0) return std::string();
  std::string out(static_cast<std::size_t>(k), '\0');
  WideCharToMultiByte(CP_UTF8, 0, s, static_cast<int>(n), &out[0], k, nullptr, nullptr);
  return out;
}

namespace {

std::string formatMessage(DWORD err, DWORD lang) {
  wchar_t* buf = nullptr;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                           nullptr, err, lang, reinterpret_cast<wchar_t*>(&buf), 0, nullptr);
  std::string text = n > 0 ? narrow(buf, n) : std::string();
  if (buf != nullptr) LocalFree(buf);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

std::string errorText(int err) {
  DWORD code = static_cast<DWORD>(err);
  // English first (the texts end up in logs and error messages read by support); the system's
  // language if English resources are not installed.
  std::string text = formatMessage(code, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
  if (text.empty()) text = formatMessage(code, 0);
  if (text.empty()) return "error " + std::to_string(code);
  return text + " (error " + std::to_string(code) + ")";
}

void sleepMs(int ms) { Sleep(ms > 0 ? static_cast<DWORD>(ms) : 0); }

std::string env(const char* name) {
  std::wstring wname = widen(name);
  DWORD n = GetEnvironmentVariableW(wname.c_str(), nullptr, 0);
  if (n == 0) return std::string();
  std::wstring value(n, L'\0');
  DWORD got = GetEnvironmentVariableW(wname.c_str(), &value[0], n);
  if (got == 0 || got >= n) return std::string();
  value.resize(got);
  return narrow(value);
}

}  // namespace sys

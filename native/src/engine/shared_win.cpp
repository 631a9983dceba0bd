#include "engine/shared.h"

#include <windows.h>
#include <bcrypt.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "engine/rundir.h"
#include "engine/sys.h"

// Windows: each area is a file in the library's private runtime folder (its DACL admits the user,
// SYSTEM and Administrators only), created CREATE_NEW under a name nobody can guess and opened
// FILE_FLAG_DELETE_ON_CLOSE, so it disappears once the library and the engine have both closed it —
// whatever way either ends. The library maps it (a file mapping); the engine opens it by path and
// reads and writes it with ReadFile/WriteFile, which a view of the same local file sees coherently.
// A mapping blocks shrinking the file (ERROR_USER_MAPPED_FILE), so every resize first drops it.
namespace engine {

namespace {

std::atomic<unsigned> gAreaCounter{0};

/** 16 random hex digits (the system's RNG); "" when it fails. */
std::string randomHex() {
  unsigned char bytes[8];
  if (BCryptGenRandom(nullptr, bytes, sizeof bytes, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return std::string();
  char text[17];
  for (int i = 0; i < 8; ++i) std::snprintf(text + 2 * i, 3, "%02x", bytes[i]);
  return std::string(text, 16);
}

/** A new, empty area file; `index` gets its file index. INVALID_HANDLE_VALUE on failure. */
HANDLE createArea(const std::wstring& path, uint64_t& index) {
  HANDLE h = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, CREATE_NEW, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
  if (h == INVALID_HANDLE_VALUE) return h;
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) {
    CloseHandle(h);
    return INVALID_HANDLE_VALUE;
  }
  // the index libuv reports as fstat's ino (FileInternalInformation), which the engine checks
  index = (static_cast<uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
  return h;
}

void putU64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

/** The path as the protocol's String value: tag 4, u32 UTF-16 units, UTF-16LE. */
void putString(std::vector<uint8_t>& b, const std::wstring& s) {
  b.push_back(4);
  uint32_t n = static_cast<uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(n >> (8 * i)));
  for (wchar_t c : s) {
    b.push_back(static_cast<uint8_t>(c & 0xff));
    b.push_back(static_cast<uint8_t>((c >> 8) & 0xff));
  }
}

bool setSize(HANDLE file, uint64_t size) {
  LARGE_INTEGER at;
  at.QuadPart = static_cast<LONGLONG>(size);
  return SetFilePointerEx(file, at, nullptr, FILE_BEGIN) && SetEndOfFile(file);
}

void unmap(uint8_t*& view, void*& mapping) {
  if (view != nullptr) UnmapViewOfFile(view);
  view = nullptr;
  if (mapping != nullptr) CloseHandle(static_cast<HANDLE>(mapping));
  mapping = nullptr;
}

/** A view of the first `size` bytes of `file` (which holds at least that many); null on failure. */
uint8_t* mapFile(HANDLE file, uint64_t size, bool writable, void*& mapping) {
  if (size == 0 || size > static_cast<uint64_t>(static_cast<SIZE_T>(-1))) return nullptr;
  HANDLE m = CreateFileMappingW(file, nullptr, writable ? PAGE_READWRITE : PAGE_READONLY, static_cast<DWORD>(size >> 32),
                                static_cast<DWORD>(size), nullptr);
  if (m == nullptr) return nullptr;
  void* view = MapViewOfFile(m, writable ? FILE_MAP_WRITE : FILE_MAP_READ, 0, 0, static_cast<SIZE_T>(size));
  if (view == nullptr) {
    CloseHandle(m);
    return nullptr;
  }
  mapping = m;
  return static_cast<uint8_t*>(view);
}

std::size_t pageRound(uint64_t n) {
  const uint64_t page = 4096;
  return static_cast<std::size_t>((n + page - 1) / page * page);
}

}  // namespace

bool SharedAreas::enabled() { return sys::env(kSharedMemoryEnv) != "0"; }

bool SharedAreas::create(std::vector<uint8_t>& body) {
  close();
  std::string random = randomHex();
  if (random.empty()) return false;
  std::string dir = pathsIn(runtimeDirPath()).dir;
  char name[96];
  std::snprintf(name, sizeof name, "\\shared-%lu-%u-%s", static_cast<unsigned long>(GetCurrentProcessId()),
                gAreaCounter.fetch_add(1) + 1, random.c_str());
  std::wstring out = sys::widen(dir + name + ".out");
  std::wstring in = sys::widen(dir + name + ".in");
  uint64_t outIndex = 0, inIndex = 0;
  HANDLE o = createArea(out, outIndex);
  HANDLE i = o == INVALID_HANDLE_VALUE ? INVALID_HANDLE_VALUE : createArea(in, inIndex);
  if (i == INVALID_HANDLE_VALUE) {
    if (o != INVALID_HANDLE_VALUE) CloseHandle(o);
    return false;
  }
  outFile_ = o;
  inFile_ = i;
  body.push_back(2);  // Windows: path and file index of each
  putString(body, out);
  putU64(body, outIndex);
  putString(body, in);
  putU64(body, inIndex);
  return true;
}

bool SharedAreas::created() const { return outFile_ != nullptr; }

uint8_t* SharedAreas::outRoom(std::size_t n) {
  if (outFile_ == nullptr) return nullptr;
  if (n <= outSize_) return outMap_;
  std::size_t size = pageRound(n);
  unmap(outMap_, outMapping_);
  outSize_ = 0;
  HANDLE file = static_cast<HANDLE>(outFile_);
  if (!setSize(file, size)) return nullptr;
  outMap_ = mapFile(file, size, true, outMapping_);
  if (outMap_ == nullptr) {
    (void)setSize(file, 0);
    return nullptr;
  }
  outSize_ = size;
  return outMap_;
}

const uint8_t* SharedAreas::inView(uint64_t offset, uint64_t n) {
  if (inFile_ == nullptr) return nullptr;
  inMayHold_ = true;
  uint64_t end = offset + n;
  if (end > inMapped_) {
    // map only what the file holds: a mapping larger than the file would grow it
    LARGE_INTEGER size;
    HANDLE file = static_cast<HANDLE>(inFile_);
    if (!GetFileSizeEx(file, &size) || static_cast<uint64_t>(size.QuadPart) < end) return nullptr;
    unmap(inMap_, inMapping_);
    inMapped_ = 0;
    inMap_ = mapFile(file, end, false, inMapping_);
    if (inMap_ == nullptr) return nullptr;
    inMapped_ = static_cast<std::size_t>(end);
  }
  return inMap_ + offset;
}

void SharedAreas::shrink() {
  unmap(outMap_, outMapping_);
  outSize_ = 0;
  unmap(inMap_, inMapping_);
  inMapped_ = 0;
  inMayHold_ = false;
  if (outFile_ != nullptr) (void)setSize(static_cast<HANDLE>(outFile_), 0);
  if (inFile_ != nullptr) (void)setSize(static_cast<HANDLE>(inFile_), 0);
}

void SharedAreas::close() {
  // emptied first: the engine may keep its handle a moment longer, and the file lives until then
  shrink();
  if (outFile_ != nullptr) CloseHandle(static_cast<HANDLE>(outFile_));
  if (inFile_ != nullptr) CloseHandle(static_cast<HANDLE>(inFile_));
  outFile_ = nullptr;
  inFile_ = nullptr;
}

}  // namespace engine

#include "engine/shared.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/sys.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

namespace engine {

namespace {

// The memfd_create wrapper is glibc 2.27; the library imports nothing newer than 2.17, so the raw
// system call (Linux 3.17). ENOSYS on an older kernel simply means no shared memory.
int memfd(const char* name) {
#if defined(SYS_memfd_create)
  long fd = syscall(SYS_memfd_create, name, MFD_CLOEXEC);
  return fd < 0 ? -1 : static_cast<int>(fd);
#else
  (void)name;
  errno = ENOSYS;
  return -1;
#endif
}

std::size_t pageRound(uint64_t n) {
  const uint64_t page = 4096;
  return static_cast<std::size_t>((n + page - 1) / page * page);
}

void putU32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void putU64(std::vector<uint8_t>& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void unmap(uint8_t*& map, std::size_t size) {
  if (map != nullptr) ::munmap(map, size);
  map = nullptr;
}

}  // namespace

bool SharedAreas::enabled() { return sys::env(kSharedMemoryEnv) != "0"; }

bool SharedAreas::create(std::vector<uint8_t>& body) {
  close();
  outFd_ = memfd("onec-websocket-out");
  inFd_ = memfd("onec-websocket-in");
  sys::FileInfo out, in;
  if (outFd_ < 0 || inFd_ < 0 || !sys::fstatFd(outFd_, out) || !sys::fstatFd(inFd_, in)) {
    close();
    return false;
  }
  body.push_back(1);  // Linux: pid and fds
  putU32(body, static_cast<uint32_t>(::getpid()));
  putU32(body, static_cast<uint32_t>(outFd_));
  putU64(body, out.ino);
  putU32(body, static_cast<uint32_t>(inFd_));
  putU64(body, in.ino);
  return true;
}

bool SharedAreas::created() const { return outFd_ >= 0; }

uint8_t* SharedAreas::outRoom(std::size_t n) {
  if (outFd_ < 0) return nullptr;
  if (n <= outSize_) return outMap_;
  std::size_t size = pageRound(n);
  unmap(outMap_, outSize_);
  outSize_ = 0;
  if (::ftruncate(outFd_, static_cast<off_t>(size)) != 0) return nullptr;
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, outFd_, 0);
  if (p == MAP_FAILED) {
    (void)::ftruncate(outFd_, 0);
    return nullptr;
  }
  outMap_ = static_cast<uint8_t*>(p);
  outSize_ = size;
  return outMap_;
}

const uint8_t* SharedAreas::inView(uint64_t offset, uint64_t n) {
  if (inFd_ < 0) return nullptr;
  inMayHold_ = true;
  uint64_t end = offset + n;
  if (end > inMapped_) {
    // map only what the file holds: touching a page past its end would raise SIGBUS
    sys::FileInfo st;
    if (!sys::fstatFd(inFd_, st) || static_cast<uint64_t>(st.size) < end) return nullptr;
    unmap(inMap_, inMapped_);
    inMapped_ = 0;
    std::size_t size = pageRound(end);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, inFd_, 0);
    if (p == MAP_FAILED) return nullptr;
    inMap_ = static_cast<uint8_t*>(p);
    inMapped_ = size;
  }
  return inMap_ + offset;
}

void SharedAreas::shrink() {
  unmap(outMap_, outSize_);
  outSize_ = 0;
  unmap(inMap_, inMapped_);
  inMapped_ = 0;
  inMayHold_ = false;
  if (outFd_ >= 0) (void)::ftruncate(outFd_, 0);
  if (inFd_ >= 0) (void)::ftruncate(inFd_, 0);
}

void SharedAreas::close() {
  unmap(outMap_, outSize_);
  outSize_ = 0;
  unmap(inMap_, inMapped_);
  inMapped_ = 0;
  inMayHold_ = false;
  if (outFd_ >= 0) sys::closeFd(outFd_);
  if (inFd_ >= 0) sys::closeFd(inFd_);
  outFd_ = -1;
  inFd_ = -1;
}

}  // namespace engine

// Shared memory for large message bodies between the library and the engine (docs/protocol.md,
// "Shared memory"): two areas per engine connection, "out" (the library writes, the engine reads)
// and "in" (the engine writes, the library reads). Linux: memfds (shared.cpp) the engine reopens
// through /proc/<pid>/fd; Windows: files in the private runtime folder (shared_win.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace engine {

/**
 * Message bodies of at least this many bytes cross in shared memory instead of through the socket
 * (the engine's SHARED_FROM in src/daemon/shared.ts is the same).
 */
constexpr std::size_t kSharedFrom = 256 * 1024;

/** The environment variable that turns shared memory off ("0"). */
constexpr const char* kSharedMemoryEnv = "ONEC_WEBSOCKET_SHARED_MEMORY";

class SharedAreas {
 public:
  SharedAreas() = default;
  ~SharedAreas() { close(); }
  SharedAreas(const SharedAreas&) = delete;
  SharedAreas& operator=(const SharedAreas&) = delete;

  /** Shared memory is not switched off by the environment. */
  static bool enabled();

  /**
   * Creates both areas (empty) and appends the body of the SHARE request that names them to
   * `body`. False (nothing created) when they cannot be made.
   */
  bool create(std::vector<uint8_t>& body);
  bool created() const;

  /** Room for `n` bytes at the start of the out area (grown as needed); null on failure. */
  uint8_t* outRoom(std::size_t n);
  /** The in area's bytes [offset, offset + n) mapped; null when the area does not hold them. */
  const uint8_t* inView(uint64_t offset, uint64_t n);

  /** Either area holds memory (is mapped or has a size). */
  bool holdsMemory() const { return outSize_ > 0 || inMapped_ > 0 || inMayHold_; }
  /** Gives the memory of both areas back (size 0, unmapped); they stay shared. */
  void shrink();
  /** Unmaps and closes both. */
  void close();

 private:
#if defined(_WIN32)
  void* outFile_ = nullptr;
  void* inFile_ = nullptr;
  void* outMapping_ = nullptr;
  void* inMapping_ = nullptr;
#else
  int outFd_ = -1;
  int inFd_ = -1;
#endif
  uint8_t* outMap_ = nullptr;
  std::size_t outSize_ = 0;  // the out area's size, all of it mapped
  uint8_t* inMap_ = nullptr;
  std::size_t inMapped_ = 0;
  bool inMayHold_ = false;  // the engine may have written into the in area since the last shrink
};

}  // namespace engine

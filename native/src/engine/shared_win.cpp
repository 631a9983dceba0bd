#include "engine/shared.h"

#include "engine/sys.h"

// Windows: not yet (docs/protocol.md, "Shared memory"): large bodies go through the pipe.
namespace engine {

bool SharedAreas::enabled() { return false; }
bool SharedAreas::create(std::vector<uint8_t>&) { return false; }
bool SharedAreas::created() const { return false; }
uint8_t* SharedAreas::outRoom(std::size_t) { return nullptr; }
const uint8_t* SharedAreas::inView(uint64_t, uint64_t) { return nullptr; }
void SharedAreas::shrink() {}
void SharedAreas::close() {}

}  // namespace engine

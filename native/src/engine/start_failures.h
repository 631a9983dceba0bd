// What reaching the engine can fail with, shared by the launcher and the runtime directory code of
// both platforms; and the embedded engine bundle they install.
#pragma once

#include <string>

#include "failure.h"
#include "text.h"

extern "C" {
// engine_blob.S / bundle_win.S: the bundle bytes and their count
extern const unsigned char onec_engine_bundle[];
extern const unsigned long long onec_engine_bundle_size;
}

namespace engine {

inline Failure startFailed(const std::string& why) {
  return Failure::of(gen::Msg::engineStartFailed, text::fromUtf8(why));
}

inline Failure unsafeDir(const std::string& dir, const std::string& why) {
  return Failure::of(gen::Msg::engineUnsafeDir, text::fromUtf8(dir), text::fromUtf8(why));
}

}  // namespace engine

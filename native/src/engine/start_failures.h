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

/**
 * A node we did not bring ourselves (ONEC_WEBSOCKET_NODE, PATH) runs `node --version` first: the
 * engine needs 18 or later, and an older one would fail in ways an administrator cannot read.
 * Judges that answer (`problem`: why there was none); throws engineNodeTooOld or engineStartFailed.
 */
inline void checkNodeVersionOutput(const std::string& node, std::string out, const std::string& problem) {
  constexpr unsigned kNodeMinMajor = 18;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (!problem.empty()) throw startFailed(node + " --version: " + problem);
  unsigned major = 0;
  std::size_t i = out.size() > 1 && out[0] == 'v' ? 1 : out.size();
  std::size_t digits = 0;
  for (; i < out.size() && out[i] >= '0' && out[i] <= '9' && digits < 6; ++i, ++digits) {
    major = major * 10 + static_cast<unsigned>(out[i] - '0');
  }
  if (digits == 0 || i >= out.size() || out[i] != '.') {
    throw startFailed(node + " --version: " + (out.empty() ? std::string("no version printed") : "\"" + out + "\""));
  }
  if (major < kNodeMinMajor) throw Failure::of(gen::Msg::engineNodeTooOld, text::fromUtf8(node), text::fromUtf8(out));
}

}  // namespace engine

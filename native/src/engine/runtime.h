// The Node.js runtime a self-contained library carries (docs/runtime.md): its metadata, the folders
// it may be extracted to, and the extraction itself. A slim library links the same code with an
// empty payload (hasEmbeddedRuntime() is false). runtime.cpp is the POSIX implementation,
// runtime_win.cpp the Windows one.
#pragma once

#include <string>
#include <vector>

#include "failure.h"
#include "text.h"

extern "C" {
// generated/runtime_<platform>.S (scripts/prepare-runtimes.mjs); runtime_none*.S in slim builds
extern const unsigned char onec_runtime_payload[];
extern const unsigned long long onec_runtime_payload_size;
extern const unsigned long long onec_runtime_file_size;  // the extracted program's size
extern const char onec_runtime_version[];                 // "22.23.2"
extern const char onec_runtime_codec[];                   // "zstd" | "raw"
extern const char onec_runtime_sha256[];                  // of the extracted program, hex
}

namespace engine {

/** This library carries a Node.js runtime (the self-contained build). */
inline bool hasEmbeddedRuntime() { return onec_runtime_payload_size > 0 && onec_runtime_file_size > 0; }

/**
 * Where the runtime may live, in order: $ONEC_WEBSOCKET_DIR alone if set; else the per-user cache
 * ($XDG_CACHE_HOME or $HOME/.cache)/onec-websocket, /var/tmp/onec-websocket-<euid>, then
 * `socketDir` (the engine's runtime directory, often RAM-backed).
 */
std::vector<std::string> runtimeFolders(const std::string& socketDir);

/**
 * The embedded program, extracted into `folder`/node-<version>-<sha16>/ if it is not there intact
 * (compared by size, inode, mtime and ctime with the marker written at extraction), under a lock
 * shared by every library using that folder. Returns the program's path; or "" with `reason` set
 * when the folder cannot be used (not ours, noexec, no space, ...). The engine's log (`logPath`)
 * gets a line for each extraction. Throws Failure (engineRuntimeDamaged) when the embedded payload
 * is corrupt.
 */
std::string ensureRuntimeIn(const std::string& folder, const std::string& logPath, std::string& reason);

/** Removes node-* folders of other runtimes in `folder` not used for kRuntimeUnusedDays. */
void removeUnusedRuntimes(const std::string& folder);

constexpr int kRuntimeUnusedDays = 14;

/**
 * Starts the engine on the embedded runtime in the first folder that takes it: `start(program)`
 * returns "" once the engine runs, or why the system refused to run the program from there (then
 * the next folder is tried). Other runtimes unused there for long are removed afterwards. Throws
 * engineRuntimeNoFolder listing each folder tried with its reason.
 */
template <typename Start>
void startOnEmbeddedRuntime(const std::string& socketDir, const std::string& logPath, Start start) {
  std::string list;
  for (const std::string& folder : runtimeFolders(socketDir)) {
    std::string reason;
    std::string program = ensureRuntimeIn(folder, logPath, reason);
    if (!program.empty()) {
      reason = start(program);
      if (reason.empty()) {
        removeUnusedRuntimes(folder);
        return;
      }
    }
    list += (list.empty() ? "" : "; ") + folder + " (" + reason + ")";
  }
  throw Failure::of(gen::Msg::engineRuntimeNoFolder, text::fromUtf8(list));
}

}  // namespace engine

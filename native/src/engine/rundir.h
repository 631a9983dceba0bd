// The engine's runtime directory: where it lives, checking that it is ours and private, and the
// embedded engine bundle written there.
#pragma once

#include <string>

namespace engine {

struct RuntimePaths {
  std::string dir;
  std::string bundle;  // engine-<hash16>.mjs
  std::string socket;  // engine-<hash16>.sock; Windows: \\.\pipe\onec-websocket-<user SID>-<hash16>-<dir hash16>
  std::string lock;    // engine-<hash16>.lock
  std::string log;     // engine-<hash16>.log
};

/**
 * $ONEC_WEBSOCKET_DIR, else $XDG_RUNTIME_DIR/onec-websocket, else /tmp/onec-websocket-<euid>.
 * Windows: %ONEC_WEBSOCKET_DIR%, else %LOCALAPPDATA%\onec-websocket (the known folder if the
 * variable is missing).
 */
std::string runtimeDirPath();

/** The file names for this library's engine (no file system access). */
RuntimePaths pathsIn(const std::string& dir);

/**
 * Creates (0700) and checks the runtime directory: a real directory, owned by geteuid(), no group
 * or other permissions (tightened if it is ours). Windows: created with a protected DACL (the
 * user, SYSTEM, Administrators); not a reparse point; owned by the user (or the token's default
 * owner); a DACL granting anyone else is replaced by that one. Throws Failure (engineUnsafeDir,
 * engineStartFailed).
 */
RuntimePaths prepareRuntimeDir();

/**
 * Creates `dir` (0700) if missing and checks it as prepareRuntimeDir does (POSIX). Returns "" when
 * it is usable, else why not; *unsafe tells an unsafe directory from one that could not be made.
 */
std::string makePrivateDir(const std::string& dir, bool* unsafe = nullptr);

/** Writes the embedded bundle (tmp + rename, 0600) unless a file of the same size is there. */
void ensureBundle(const RuntimePaths& paths);

}  // namespace engine

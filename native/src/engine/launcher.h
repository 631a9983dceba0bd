// Reaching the engine process: connect to its socket, or start it (once per user, under a lock).
#pragma once

#include <string>

#include "engine/connection.h"
#include "engine/rundir.h"
#include "engine/runtime.h"
#include "engine/start_failures.h"
#include "engine/sys.h"

namespace engine {

/**
 * Connects `conn` to this library's engine, starting the engine if it is not running.
 * Throws Failure: engineUnsafeDir, engineNodeNotFound, engineStartFailed (with the log's tail).
 */
void connectOrStart(Connection& conn);

/** $ONEC_WEBSOCKET_NODE, node/nodejs on PATH, then well-known paths; "" if none is executable. */
std::string findNode();

/** Throws engineStartFailed unless `node --version` answers in time with Node.js 18 or newer. */
void checkNodeVersion(const std::string& node);

/**
 * Starts the engine on the Node.js docs/runtime.md chooses, the same on every platform: a node the
 * administrator set ($ONEC_WEBSOCKET_NODE) or, in a slim library, one found by findNode — used as it
 * is once its version is checked; otherwise the embedded runtime. `start(node)` returns "" once the
 * engine runs, or why the system refused to run that program. `notFound` is this platform's text
 * for a slim library that finds no node.
 */
template <typename Start>
void startOnChosenNode(const RuntimePaths& paths, gen::Msg notFound, Start start) {
  if (!sys::env("ONEC_WEBSOCKET_NODE").empty() || !hasEmbeddedRuntime()) {
    std::string node = findNode();
    if (node.empty()) throw Failure::of(notFound);
    checkNodeVersion(node);
    std::string refused = start(node);
    if (!refused.empty()) throw startFailed(node + ": " + refused);
    return;
  }
  // The embedded runtime: the first folder where it can be extracted and really runs (noexec we
  // could not see, a security policy: the next one).
  startOnEmbeddedRuntime(paths.dir, paths.log, start);
}

}  // namespace engine

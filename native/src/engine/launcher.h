// Reaching the engine process: connect to its socket, or start it (once per user, under a lock).
#pragma once

#include <string>

#include "engine/connection.h"
#include "engine/rundir.h"

namespace engine {

/**
 * Connects `conn` to this library's engine, starting the engine if it is not running.
 * Throws Failure: engineUnsafeDir, engineNodeNotFound, engineStartFailed (with the log's tail).
 */
void connectOrStart(Connection& conn);

/** $ONEC_WEBSOCKET_NODE, node/nodejs on PATH, then well-known paths; "" if none is executable. */
std::string findNode();

}  // namespace engine

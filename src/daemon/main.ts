#!/usr/bin/env node
/**
 * The engine process: the native library starts it on demand and talks to it over a private Unix
 * socket (docs/protocol.md). It serves every add-in object of one OS user and exits after an idle
 * period with nothing to serve.
 */
import { runEngine } from './engine-process.js';

runEngine(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`onec-websocket engine: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});

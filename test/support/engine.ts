/** The bundled engine (build/engine.mjs) started by a test on a socket of its own, as the library starts it. */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CLIENT, findMember } from '../../src/api/table.js';
import { ROOT, startCliEcho, type Peer } from './processes.js';
import { waitFor } from './wait.js';

export interface EngineOptions {
  /** --idle: exit after this long with nothing to serve (0: never) */
  idleMs?: number;
  /** ONEC_WEBSOCKET_SERVER_GRACE_MS: how long a server outlives its object */
  graceMs?: number;
  stdio?: StdioOptions;
}

export function spawnEngine(socket: string, { idleMs = 60_000, graceMs = 0, stdio = 'ignore' }: EngineOptions = {}): ChildProcess {
  return spawn(process.execPath, [`${ROOT}build/engine.mjs`, '--socket', socket, '--idle', String(idleMs)], {
    stdio,
    env: { ...process.env, ONEC_WEBSOCKET_SERVER_GRACE_MS: String(graceMs) },
  });
}

/** Resolves once the engine's socket file exists. */
export async function engineSocketReady(socket: string): Promise<void> {
  await waitFor(() => existsSync(socket), 10_000, 'engine socket');
}

/** A suite's engine and echo peer: `echo` is set once the suite's tests run. */
export interface SuiteEngine {
  /** a private folder: the socket is in it, a test may put files beside it */
  dir: string;
  socket: string;
  echo: Peer & { url: string };
}

/**
 * Starts an engine on a socket of its own and our CLI echo as the peer before the calling suite's
 * tests, and stops both after them. Call it inside `describe`.
 */
export function suiteEngine(prefix: string, options: EngineOptions = {}): SuiteEngine {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const suite = { dir, socket: join(dir, 'engine.sock') } as SuiteEngine;
  let engine: ChildProcess | undefined;
  before(async () => {
    suite.echo = await startCliEcho();
    engine = spawnEngine(suite.socket, options);
    await engineSocketReady(suite.socket);
  });
  after(async () => {
    engine?.kill();
    await suite.echo?.stop();
  });
  return suite;
}

/** A method's number in the API table, as the library sends it (Russian or English name). */
export const methodNumber = (spec: typeof CLIENT, name: string): number => findMember(spec.methods, name);
/** A property's number in the API table. */
export const propNumber = (spec: typeof CLIENT, name: string): number => findMember(spec.props, name);

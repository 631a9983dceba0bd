/** The bundled engine (build/engine.mjs) started by a test on a socket of its own, as the library starts it. */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLIENT, findMember } from '../../src/api/table.js';
import { ROOT } from './processes.js';
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

/** A method's number in the API table, as the library sends it (Russian or English name). */
export const methodNumber = (spec: typeof CLIENT, name: string): number => findMember(spec.methods, name);
/** A property's number in the API table. */
export const propNumber = (spec: typeof CLIENT, name: string): number => findMember(spec.props, name);

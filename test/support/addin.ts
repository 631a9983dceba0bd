/**
 * Helpers for the add-in integration tests (test/addin-*.test.ts): BSL-like calls through the host
 * emulator into the real native library, which talks to a real engine process.
 *
 * Every test file runs in its own engine sandbox: a fresh private ONEC_WEBSOCKET_DIR, so it never
 * touches (or is served by) the user's real engine, and its engines can be found by the directory
 * path in their command line. The sandbox is also the only folder the self-contained library may
 * extract its Node.js into, so each test file's engines run on the embedded runtime.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { defaultLibraryPath } from '../../src/cli/library-path.js';
import { attachAddIn, type AddInHost, type HostOptions } from '../../src/host/index.js';
import { startCliEcho, type Peer } from './processes.js';

/**
 * The library the add-in tests load: the self-contained one (it carries Node.js), unless a test
 * runs a child on another one through ONEC_WEBSOCKET_TEST_LIBRARY (e.g. SLIM_LIBRARY).
 */
export const LIBRARY = process.env.ONEC_WEBSOCKET_TEST_LIBRARY ?? defaultLibraryPath();
/** The same library without Node.js (today's behaviour: node from ONEC_WEBSOCKET_NODE or PATH). */
export const SLIM_LIBRARY = defaultLibraryPath().replace(/\/build\/([^/]+)$/, '/build/slim/$1');

export interface EngineSandbox {
  /** the engine directory (ONEC_WEBSOCKET_DIR) */
  readonly dir: string;
  /** pids of the engine processes running from this directory */
  enginePids(): number[];
  /** SIGKILLs those engines (by pid) and removes the directory */
  cleanup(): void;
}

/**
 * Points this process (and so the library loaded into it, and the engines it starts) at a fresh
 * engine directory. Call before the first add-in call.
 */
export function isolateEngine(options: { idleMs?: number } = {}): EngineSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'onec-ws-addin-'));
  chmodSync(dir, 0o700);
  process.env.ONEC_WEBSOCKET_DIR = dir;
  // the engines run on the library's embedded Node.js, as on a machine without one
  delete process.env.ONEC_WEBSOCKET_NODE;
  if (options.idleMs !== undefined) process.env.ONEC_WEBSOCKET_IDLE_MS = String(options.idleMs);
  return {
    dir,
    enginePids: () => enginePids(dir),
    cleanup() {
      for (const pid of enginePids(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Engines started from `dir`: their command line is `node <dir>/engine-<hash>.mjs --socket …`.
 * Read from /proc (like `pgrep -f`, without needing procps on the machine).
 */
export function enginePids(dir: string): number[] {
  const wanted = `${dir}/engine-`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // a zombie has an empty command line: it is not running any more
    if (cmdline.split('\0').some((arg) => arg.includes(wanted))) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

/** ПодключитьВнешнююКомпоненту(<the built library>, "WebSocket", ТипВнешнейКомпоненты.Native) */
export function attach(options: HostOptions = {}): AddInHost {
  return attachAddIn(LIBRARY, 'WebSocket', options);
}

/** The fixtures most add-in test files share. */
export interface AddInFixture {
  readonly sandbox: EngineSandbox;
  /** the library, attached as ПодключитьВнешнююКомпоненту does */
  readonly host: AddInHost;
  /** our CLI echo server, in its own process (the emulator's calls block this one's event loop) */
  readonly echo: Peer & { url: string };
}

/**
 * Registers on the enclosing describe: an engine sandbox at once; before its tests an echo server
 * (unless `echo: false`) and the library attached; after them all of it closed and the sandbox's
 * engines killed.
 */
export function useAddIn(options: { idleMs?: number; echo?: boolean } = {}): AddInFixture {
  const sandbox = isolateEngine(options);
  let host: AddInHost | undefined;
  let echo: (Peer & { url: string }) | undefined;
  before(async () => {
    if (options.echo !== false) echo = await startCliEcho();
    host = attach();
  });
  after(async () => {
    host?.close();
    await echo?.stop();
    sandbox.cleanup();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('add-in fixture used before its before() hook ran');
    return value;
  };
  return {
    sandbox,
    get host() {
      return ready(host);
    },
    get echo() {
      return ready(echo);
    },
  };
}

export const CLIENT_TYPE = 'AddIn.WebSocket.Client';
export const SERVER_TYPE = 'AddIn.WebSocket.Server';

/** Sleeps without blocking the event loop. */
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

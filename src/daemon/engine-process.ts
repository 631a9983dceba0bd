import { chmodSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server as NetServer } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_GRACE_MS, ParkedServers } from './parked-servers.js';
import { Session } from './session.js';

const DEFAULT_IDLE_MS = 60_000;
const STARTUP_GRACE_MS = 5_000;

/**
 * Windows: the library passes a named pipe (`\\.\pipe\onec-websocket-<user SID>-<bundle hash>-<dir
 * hash>`, see native/src/engine/rundir_win.cpp), not a socket file. A pipe has no file to unlink or
 * chmod: libuv creates it with the first-instance flag (so a name someone else already serves is
 * refused with EADDRINUSE) and the default DACL, which the library narrows to the user once it is
 * connected (docs/windows.md).
 */
export function isPipeName(path: string): boolean {
  return /^[\\/]{2}[.?][\\/]pipe[\\/]/i.test(path);
}

export async function runEngine(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { socket: { type: 'string' }, idle: { type: 'string' } },
  });
  const socketPath = values.socket;
  if (!socketPath) throw new Error('usage: engine --socket <path> [--idle <ms>]');
  const idleMs = Number(values.idle ?? process.env.ONEC_WEBSOCKET_IDLE_MS ?? DEFAULT_IDLE_MS);
  const pipe = isPipeName(socketPath);
  if (process.platform === 'win32' && !pipe) throw new Error(`on Windows --socket takes a pipe name (\\\\.\\pipe\\...), not ${socketPath}`);

  if (await isServed(socketPath)) return; // another engine already answers there
  if (!pipe) removeStale(socketPath);

  process.on('uncaughtException', (error) => {
    process.stderr.write(`onec-websocket engine: uncaught ${error.stack ?? error.message}\n`);
  });

  const server = createServer();
  let live = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const graceMs = Number(process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS ?? DEFAULT_SERVER_GRACE_MS);
  const parked = new ParkedServers(graceMs, () => armIdle());
  // Idle means no object connected and no server waiting out its grace period. The library that
  // started the engine connects a moment after the socket appears: until someone has, wait at
  // least STARTUP_GRACE_MS whatever the idle period, or a tiny idle period would race that connect.
  let served = false;
  const armIdle = (): void => {
    clearTimeout(idleTimer);
    const wait = served ? idleMs : Math.max(idleMs, STARTUP_GRACE_MS);
    if (live === 0 && parked.size === 0 && idleMs > 0) idleTimer = setTimeout(() => shutdown(server, socketPath, pipe), wait);
  };
  server.on('connection', (socket) => {
    live++;
    served = true;
    clearTimeout(idleTimer);
    new Session(socket, parked, () => {
      live--;
      armIdle();
    });
  });
  const listen = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  if (pipe) {
    await listen();
  } else {
    const previousMask = process.umask(0o177);
    await listen();
    process.umask(previousMask);
    chmodSync(socketPath, 0o600);
  }
  process.on('SIGTERM', () => shutdown(server, socketPath, pipe));
  process.on('SIGINT', () => shutdown(server, socketPath, pipe));
  armIdle();
}

function isServed(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing there
  }
}

function shutdown(server: NetServer, socketPath: string, pipe: boolean): void {
  server.close();
  if (!pipe) removeStale(socketPath);
  process.exit(0);
}

import { chmodSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server as NetServer } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVER_GRACE_MS, ParkedServers } from './parked-servers.js';
import { Session } from './session.js';

const DEFAULT_IDLE_MS = 60_000;

export async function runEngine(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { socket: { type: 'string' }, idle: { type: 'string' } },
  });
  const socketPath = values.socket;
  if (!socketPath) throw new Error('usage: engine --socket <path> [--idle <ms>]');
  const idleMs = Number(values.idle ?? process.env.ONEC_WEBSOCKET_IDLE_MS ?? DEFAULT_IDLE_MS);

  if (await isServed(socketPath)) return; // another engine already answers there
  removeStale(socketPath);

  process.on('uncaughtException', (error) => {
    process.stderr.write(`onec-websocket engine: uncaught ${error.stack ?? error.message}\n`);
  });

  const server = createServer();
  let live = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const graceMs = Number(process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS ?? DEFAULT_SERVER_GRACE_MS);
  const parked = new ParkedServers(graceMs, () => armIdle());
  // Idle means no object connected and no server waiting out its grace period.
  const armIdle = (): void => {
    clearTimeout(idleTimer);
    if (live === 0 && parked.size === 0 && idleMs > 0) idleTimer = setTimeout(() => shutdown(server, socketPath), idleMs);
  };
  server.on('connection', (socket) => {
    live++;
    clearTimeout(idleTimer);
    new Session(socket, parked, () => {
      live--;
      armIdle();
    });
  });
  const previousMask = process.umask(0o177);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  process.umask(previousMask);
  chmodSync(socketPath, 0o600);
  process.on('SIGTERM', () => shutdown(server, socketPath));
  process.on('SIGINT', () => shutdown(server, socketPath));
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

function shutdown(server: NetServer, socketPath: string): void {
  server.close();
  removeStale(socketPath);
  process.exit(0);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = `${ROOT}dist/src/cli/main.js`;
/** Debian's python3, which sees Debian's python3-websockets. */
export const PYTHON = '/usr/bin/python3';

export interface Peer {
  process: ChildProcess;
  /** the first line the peer printed that matched */
  ready: RegExpExecArray;
  lines: string[];
  stop(): Promise<void>;
}

/** Starts a helper process and waits until it prints a line matching `ready`. */
export async function startPeer(command: string, args: string[], ready: RegExp, timeoutMs = 15_000): Promise<Peer> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} did not start: ${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = ready.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    // 'close', not 'exit': a line printed just before exiting may still be unread at 'exit'
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${stderr}`));
    });
  });
  return {
    process: child,
    ready: match,
    lines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Our CLI echo server in its own process, on a free port; resolves with its ws:// URL. */
export async function startCliEcho(extra: string[] = []): Promise<Peer & { url: string }> {
  const peer = await startPeer(process.execPath, [CLI, 'echo', '--port', '0', ...extra], /listening on (wss?:\/\/\S+)/);
  return { ...peer, url: peer.ready[1] as string };
}

/** Runs a process to its end and returns its exit code and output. */
export async function run(command: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

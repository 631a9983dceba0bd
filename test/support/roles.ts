/**
 * Separate "1C processes" for the add-in tests that need more than one (each a child Node process
 * running test/support/addin-role.ts through the host emulator), and what those tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { enginePids } from './addin.js';
import { ROOT } from './processes.js';

export const ROLE = `${ROOT}dist/test/support/addin-role.js`;

export interface Role {
  child: ChildProcess;
  lines: string[];
  /** resolves with the first line (seen so far or later) matching `pattern` */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** resolves with the exit code */
  exit(timeoutMs?: number): Promise<number | null>;
  stderr(): string;
}

/** Starts a child and collects its output lines. */
export function spawnRole(command: string, args: string[], env: NodeJS.ProcessEnv): Role {
  const child = spawn(command, args, { env, cwd: tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let waiters: Array<() => void> = [];
  let stderr = '';
  let ended = false;
  const wake = (): void => {
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  };
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    wake();
  });
  // 'close': the process ended and its output has been read to the end
  const closed = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      wake();
      resolve(code);
    }),
  );
  const describeState = (): string => `${command} ${args.join(' ')}\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;
  return {
    child,
    lines,
    stderr: () => stderr,
    line(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line ${pattern} within ${timeoutMs} ms: ${describeState()}`)), timeoutMs);
        const check = (): void => {
          const found = lines.map((l) => pattern.exec(l)).find((m) => m !== null);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (ended) {
            clearTimeout(timer);
            reject(new Error(`ended before printing ${pattern}: ${describeState()}`));
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    async exit(timeoutMs = 30_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The JSON payloads of the lines starting with `word`. */
export function payloads(role: Role, word: string): unknown[] {
  return role.lines.filter((l) => l.startsWith(`${word} `)).map((l) => JSON.parse(l.slice(word.length + 1)) as unknown);
}

export function privateDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  return dir;
}

export function killEngines(dir: string): void {
  for (const pid of enginePids(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A regular expression matching a message template with its {n} placeholders filled by anything. */
export function templatePattern(template: string, fixed: Record<number, string>): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = template.split(/(\{\d+\})/).map((part) => {
    const m = /^\{(\d+)\}$/.exec(part);
    if (!m) return escape(part);
    const value = fixed[Number(m[1])];
    return value === undefined ? '(.+)' : escape(value);
  });
  return new RegExp(`^${parts.join('')}$`);
}

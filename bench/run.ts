/**
 * `npm run bench`: the add-in as BSL sees it (a C host calling the native library, which forwards to
 * the engine process) against the best plain-`ws` baseline, each pair measured in the same run on
 * the same peer. Prints one table: our figure, the baseline's, the ratio, the target.
 *
 *   node dist/bench/run.js [--quick] [--only rt,stream,fanin,large,idle,call] [--json FILE]
 *
 * --quick divides every count by 5 (a smoke run; its figures are noisier). Every process it starts
 * is stopped by pid; the engines run in private temporary runtime directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultLibraryPath } from '../src/cli/library-path.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = `${ROOT}dist/bench/`;
const DRIVER = `${DIST}bench-driver`;
const LIB = defaultLibraryPath();

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'string' },
  },
});
const SCALE = options.quick ? 0.2 : 1;
const only = options.only ? new Set(options.only.split(',')) : undefined;
const n = (count: number): number => Math.max(1, Math.round(count * SCALE));

// ---- processes ---------------------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  /** the next stdout line (rejects if the process ends first) */
  line(): Promise<string>;
  /** waits for a line starting with `prefix`, returns the rest */
  expect(prefix: string): Promise<string>;
  send(text: string): void;
  /** ends stdin and waits for the exit (SIGTERM after `graceMs`) */
  stop(graceMs?: number): Promise<void>;
  stderr(): string;
}

const started = new Set<ChildProcess>();

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  started.add(child);
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  child.stdin?.on('error', () => undefined);
  const rl: Interface = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  let ended = false;
  rl.on('line', (l) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w.resolve(l);
    } else queue.push(l);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      started.delete(child);
      waiting?.reject(new Error(`${command} ${args.join(' ')} ended (${code}): ${errors.trim()}`));
      resolve();
    }),
  );
  const proc: Proc = {
    child,
    line() {
      const l = queue.shift();
      if (l !== undefined) return Promise.resolve(l);
      if (ended) return Promise.reject(new Error(`${command} ended: ${errors.trim()}`));
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    async expect(prefix) {
      for (;;) {
        const l = await proc.line();
        if (l.startsWith(prefix)) return l.slice(prefix.length);
      }
    },
    send(text) {
      child.stdin?.write(`${text}\n`);
    },
    async stop(graceMs = 5000) {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    stderr: () => errors,
  };
  return proc;
}

async function json<T>(proc: Proc): Promise<T> {
  for (;;) {
    const l = await proc.line();
    if (l.startsWith('{')) return JSON.parse(l) as T;
  }
}

const node = (script: string, args: string[]): Proc => start(process.execPath, [`${DIST}${script}`, ...args]);

/** A private runtime directory, so each case gets its own engine (and its own peak memory). */
interface EngineScope {
  env: NodeJS.ProcessEnv;
  pid(): number;
  dispose(): void;
}

function engineScope(): EngineScope {
  const dir = mkdtempSync('/tmp/owsb-');
  let found: number | undefined;
  return {
    env: { ONEC_WEBSOCKET_DIR: dir, ONEC_WEBSOCKET_IDLE_MS: '10000', ONEC_WEBSOCKET_SERVER_GRACE_MS: '0' },
    pid() {
      if (found !== undefined) return found;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
          if (cmdline.includes(`${dir}/engine-`) && cmdline.includes('--socket')) return (found = Number(entry));
        } catch {
          // gone
        }
      }
      throw new Error(`no engine found for ${dir}`);
    },
    dispose() {
      try {
        process.kill(this.pid(), 'SIGTERM');
      } catch {
        // never started, or already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Resets the process's peak resident size to its current one (Linux ≥ 4.0). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- results -----------------------------------------------------------------------------------

interface Row {
  case: string;
  ours: number;
  baseline: number | undefined;
  unit: string;
  /** ours/baseline (or the figure itself when there is no baseline) */
  ratio: number;
  target: string;
  holds: boolean | undefined;
  note?: string;
}

const rows: Row[] = [];

function higherIsBetter(name: string, ours: number, baseline: number, unit: string, min: number): Row {
  const ratio = ours / baseline;
  const row = { case: name, ours, baseline, unit, ratio, target: `≥ ${min}`, holds: ratio >= min };
  rows.push(row);
  printRow(row);
  return row;
}

function lowerIsBetter(name: string, ours: number, baseline: number | undefined, unit: string, ratio: number, max: number, what = '', note?: string): Row {
  const row = { case: name, ours, baseline, unit, ratio, target: `≤ ${max}${what}`, holds: ratio <= max, note };
  rows.push(row);
  printRow(row);
  return row;
}

function info(name: string, ours: number, baseline: number | undefined, unit: string, note?: string): void {
  const row = { case: name, ours, baseline, unit, ratio: baseline ? ours / baseline : NaN, target: '', holds: undefined, note };
  rows.push(row);
  printRow(row);
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const COLUMNS = [34, 13, 13, 10, 7, 9, 5];
function line(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(COLUMNS[i] as number) : c.padStart(COLUMNS[i] as number))).join(' ');
}

function printRow(row: Row): void {
  const verdict = row.holds === undefined ? '' : row.holds ? 'yes' : 'NO';
  process.stdout.write(`${line([row.case, fmt(row.ours), fmt(row.baseline), row.unit, fmt(row.ratio), row.target, verdict])}${row.note ? `  ${row.note}` : ''}\n`);
}

// ---- cases -------------------------------------------------------------------------------------

async function withEcho<T>(body: (url: string) => Promise<T>): Promise<T> {
  const echo = node('peers/echo.js', []);
  try {
    const port = await echo.expect('port ');
    return await body(`ws://127.0.0.1:${port}`);
  } finally {
    await echo.stop();
  }
}

interface Throughput {
  messages: number;
  seconds: number;
}

async function ours<T>(args: string[]): Promise<T> {
  const scope = engineScope();
  try {
    const driver = start(DRIVER, [LIB, ...args], scope.env);
    const result = await json<T>(driver);
    await driver.stop();
    return result;
  } finally {
    scope.dispose();
  }
}

async function baseline<T>(args: string[]): Promise<T> {
  const client = node('baseline/ws-client.js', args);
  const result = await json<T>(client);
  await client.stop();
  return result;
}

const rate = (t: Throughput): number => t.messages / t.seconds;

async function roundTrips(): Promise<void> {
  for (const [inflight, rounds] of [
    [1, n(20_000)],
    [16, n(5_000)],
    [128, n(1_000)],
  ] as const) {
    await withEcho(async (url) => {
      const base = await baseline<Throughput>(['rt', url, '32', String(inflight), String(rounds)]);
      const our = await ours<Throughput>(['rt', url, '32', String(inflight), String(rounds)]);
      higherIsBetter(`round trips, 32 B, ${inflight} in flight`, rate(our), rate(base), 'msg/s', inflight === 1 ? 0.6 : 0.8);
    });
  }
}

async function streaming(): Promise<void> {
  for (const [size, count] of [
    [32, n(200_000)],
    [4096, n(200_000)],
  ] as const) {
    await withEcho(async (url) => {
      const base = await baseline<Throughput>(['stream', url, String(size), String(count)]);
      const our = await ours<Throughput>(['stream', url, String(size), String(count)]);
      higherIsBetter(`streaming ${count.toLocaleString('en-US')} × ${size === 32 ? '32 B' : '4 KiB'}`, rate(our), rate(base), 'msg/s', 0.8);
    });
  }
}

async function fanIn(): Promise<void> {
  const clients = 100;
  const per = n(2000);
  const total = clients * per;
  const fan = async (url: string): Promise<Throughput> => {
    const c = node('peers/fan-clients.js', [url, String(clients), String(per), '32']);
    const r = await json<Throughput>(c);
    await c.stop();
    return r;
  };
  const base = await withEcho(fan);
  const scope = engineScope();
  let our: Throughput;
  try {
    const driver = start(DRIVER, [LIB, 'serve', String(total)], scope.env);
    const port = await driver.expect('port ');
    our = await fan(`ws://127.0.0.1:${port}`);
    await json(driver);
    await driver.stop();
  } finally {
    scope.dispose();
  }
  higherIsBetter(`fan-in ${clients} clients × ${per.toLocaleString('en-US')}`, rate(our), rate(base), 'msg/s', 0.8);
}

async function large(): Promise<void> {
  const MiB = 1024 * 1024;
  for (const [size, count] of [
    [MiB, n(40)],
    [16 * MiB, Math.max(2, n(5))],
  ] as const) {
    for (const kind of ['text', 'binary'] as const) {
      await withEcho(async (url) => {
        const args = ['large', url, String(size), kind, String(count)];
        const measure = async (proc: Proc, pidOf: () => number): Promise<{ t: Throughput; peak: number }> => {
          await proc.expect('ready');
          const pid = pidOf();
          await sleep(200);
          const before = status(pid, 'VmRSS');
          resetPeak(pid);
          proc.send('go');
          const t = await json<Throughput>(proc);
          const peak = status(pid, 'VmHWM') - before;
          await proc.stop();
          return { t, peak };
        };
        const client = node('baseline/ws-client.js', args);
        const base = await measure(client, () => client.child.pid as number);
        const scope = engineScope();
        let our: { t: Throughput; peak: number };
        try {
          const driver = start(DRIVER, [LIB, ...args], scope.env);
          our = await measure(driver, () => scope.pid());
        } finally {
          scope.dispose();
        }
        const label = `${size / MiB} MiB ${kind}`;
        const mbs = (t: Throughput): number => (size * t.messages) / t.seconds / 1e6;
        higherIsBetter(`large ${label} ×${count} (each way)`, mbs(our.t), mbs(base.t), 'MB/s', 0.9);
        lowerIsBetter(`  peak memory growth, ${label}`, our.peak / MiB, base.peak / MiB, 'MiB', our.peak / size, 3, '× size', 'ratio = engine growth / message size; baseline = the ws client process');
      });
    }
  }
}

async function idle(): Promise<void> {
  const count = n(10_000);
  const hold = async (serverPid: number, url: string): Promise<{ seconds: number; grown: number; rss: number }> => {
    await sleep(500);
    const before = status(serverPid, 'VmRSS');
    const clients = node('peers/idle-clients.js', [url, String(count)]);
    const r = await json<{ connections: number; seconds: number }>(clients);
    await sleep(1500);
    const rss = status(serverPid, 'VmRSS');
    await clients.stop();
    return { seconds: r.seconds, grown: rss - before, rss };
  };
  const echo = node('peers/echo.js', []);
  let base;
  try {
    const port = await echo.expect('port ');
    base = await hold(echo.child.pid as number, `ws://127.0.0.1:${port}`);
  } finally {
    await echo.stop();
  }
  const scope = engineScope();
  let our;
  try {
    const driver = start(DRIVER, [LIB, 'hold'], scope.env);
    const port = await driver.expect('port ');
    our = await hold(scope.pid(), `ws://127.0.0.1:${port}`);
    await driver.stop();
  } finally {
    scope.dispose();
  }
  const KiB = 1024;
  info(`idle: accept ${count.toLocaleString('en-US')} clients`, count / our.seconds, count / base.seconds, 'conn/s');
  lowerIsBetter(`idle: memory growth`, our.grown / 1024 / 1024, base.grown / 1024 / 1024, 'MiB', our.grown / base.grown, 1.2);
  lowerIsBetter(`idle: memory per connection`, our.grown / count / KiB, base.grown / count / KiB, 'KiB', our.grown / count / KiB, 15, ' KiB', 'ratio column = KiB per connection');
  info(`idle: total resident memory`, our.rss / 1024 / 1024, base.rss / 1024 / 1024, 'MiB');
}

async function callOverhead(): Promise<void> {
  const calls = n(20_000);
  const dir = mkdtempSync('/tmp/owsb-');
  const peer = node('peers/unix-echo.js', [`${dir}/bare.sock`]);
  let bare: { medianUs: number };
  try {
    await peer.expect('ready');
    const driver = start(DRIVER, ['-', 'bare', `${dir}/bare.sock`, String(calls)]);
    bare = await json(driver);
    await driver.stop();
  } finally {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const our = await ours<{ medianUs: number }>(['status', String(calls)]);
  lowerIsBetter('call overhead: Статус (median)', our.medianUs, bare.medianUs, 'µs', our.medianUs / bare.medianUs, 1.5, '×', 'baseline = bare C ↔ Node round trip on a Unix socket');
}

// ---- main --------------------------------------------------------------------------------------

function buildDriver(): void {
  mkdirSync(DIST, { recursive: true });
  const source = `${ROOT}bench/native/bench-driver.c`;
  if (existsSync(DRIVER) && statSync(DRIVER).mtimeMs >= statSync(source).mtimeMs) return;
  const r = spawnSync('gcc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-o', DRIVER, source, '-ldl'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('gcc failed');
}

const CASES: Array<[string, () => Promise<void>]> = [
  ['rt', roundTrips],
  ['stream', streaming],
  ['fanin', fanIn],
  ['large', large],
  ['idle', idle],
  ['call', callOverhead],
];

async function main(): Promise<void> {
  buildDriver();
  if (!existsSync(LIB)) throw new Error(`missing ${LIB}: npm run build`);
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
  };
  process.stdout.write(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}\n`);
  if (SCALE !== 1) process.stdout.write(`--quick: every count divided by ${1 / SCALE}\n`);
  process.stdout.write(`ratio = ours / baseline; higher is better for rates, lower for memory and time per call\n\n`);
  process.stdout.write(`${line(['case', 'ours', 'baseline', 'unit', 'ratio', 'target', 'holds'])}\n`);
  process.stdout.write(`${'-'.repeat(COLUMNS.reduce((a, b) => a + b + 1, 0))}\n`);
  const t0 = Date.now();
  for (const [name, run] of CASES) {
    if (only && !only.has(name)) continue;
    try {
      await run();
    } catch (error) {
      process.stdout.write(`${name}: FAILED ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  process.stdout.write(`\n${rows.filter((r) => r.holds === true).length} of ${rows.filter((r) => r.holds !== undefined).length} targets hold; ${seconds.toFixed(0)} s\n`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ machine, scale: SCALE, seconds, rows }, null, 2)}\n`);
}

process.on('exit', () => {
  for (const child of started) child.kill('SIGTERM');
});
await main();

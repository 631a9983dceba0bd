/**
 * Document section 6.3: a scheduled job runs every second; each run is a new 1C session whose
 * objects die when it ends, without Остановить(). Each run sets Владелец to its infobase's connection
 * string (examples/scheduled-job-server.bsl), so the server keeps its port, connections, ids and
 * queued messages between runs, and a client that stays connected loses nothing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from './support/proc.js';
import { ROOT } from './support/processes.js';
import { jobRun } from './support/job-run.js';

const runtimeDir = mkdtempSync(join(tmpdir(), 'onec-ws-job-'));
process.env.ONEC_WEBSOCKET_DIR = runtimeDir;
process.env.ONEC_WEBSOCKET_IDLE_MS = '2000';
process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = '5000';

describe('scheduled-job server (document 6.3)', () => {
  after(() => {
    spawnSync('pkill', ['-f', runtimeDir]);
  });

  it('20 short job runs (10 objects here, 10 separate processes) serve one steady client without loss', async () => {
    const port = await freePort();
    const total = 300;
    const runs: Array<{ answered: number; ids: number[] }> = [];
    runs.push(jobRun(port, 300)); // the first run opens the port
    const client = spawn(process.execPath, [`${ROOT}dist/test/support/steady-client.js`, `ws://127.0.0.1:${port}/`, String(total), '25', '60000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let clientOutput = '';
    client.stdout.on('data', (c: Buffer) => (clientOutput += c.toString()));
    for (let i = 1; i < 10; i++) runs.push(jobRun(port, 300));
    for (let i = 0; i < 10; i++) {
      const result = spawnSync(process.execPath, [`${ROOT}dist/test/support/job-run.js`, String(port), '300'], {
        env: process.env,
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      runs.push(JSON.parse(result.stdout) as { answered: number; ids: number[] });
    }
    // Later runs drain what is left.
    while (runs.reduce((n, r) => n + r.answered, 0) < total && runs.length < 60) runs.push(jobRun(port, 300));
    await new Promise((r) => client.once('close', r));
    const report = JSON.parse(clientOutput) as { answers: string[]; closes: number };
    assert.equal(runs.reduce((n, r) => n + r.answered, 0), total, `every message answered exactly once: ${JSON.stringify(runs)} ${clientOutput}`);
    assert.deepEqual(report.answers, Array.from({ length: total }, (_, i) => `ответ:${i}`), 'all answers, in order');
    assert.deepEqual([...new Set(runs.flatMap((r) => r.ids))], [1], 'the client kept connection id 1 across every run');
    assert.ok(runs.filter((r) => r.answered > 0).length >= 10, 'the work was spread over many runs');
  });
});

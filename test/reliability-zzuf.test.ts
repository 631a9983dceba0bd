/**
 * Live traffic mutated by zzuf (Debian's package), fixed seeds: a TCP relay (test/peers/tcp_proxy.py)
 * runs under `zzuf -n -s <seed> -r <ratio>`, so every byte it forwards, in both directions, may have
 * bits flipped. Through it:
 *  - 40 ws clients (another process) talk to a server run by 1C (the emulator), which answers
 *    whatever arrives;
 *  - a 1C client object connects to an echo server (another process), sends and receives.
 * Handshakes and messages get garbled, connections fail or close; that is expected. What must hold:
 * the engine process survives every seed (same pid), nothing hangs past its timeout, the server
 * drops the broken connections, engine memory stays bounded, and clean traffic works afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { out, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, delay, isolateEngine, SERVER_TYPE } from './support/addin.js';
import { freePort, rss } from './support/proc.js';
import { ROOT, startCliEcho, type Peer } from './support/processes.js';

const ZZUF = '/usr/bin/zzuf';
const PROXY = `${ROOT}test/peers/tcp_proxy.py`;
const CLIENTS = `${ROOT}dist/test/support/fuzz-clients.js`;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const RATIO = '0.0002';

/** The relay under zzuf, in its own process group (so it can be stopped whole); resolves once it accepts. */
async function fuzzedRelay(target: number, seed: number): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  // -E .: fuzz no file the interpreter opens, only what it reads from the network
  const child: ChildProcess = spawn(ZZUF, ['-n', '-s', String(seed), '-r', RATIO, '-E', '.', '/usr/bin/python3', PROXY, String(target), String(port)], {
    stdio: 'ignore',
    detached: true,
  });
  const stop = (): void => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return { port, stop };
    if (Date.now() > deadline) {
      stop();
      throw new Error('the zzuf relay did not start');
    }
    await delay(50);
  }
}

describe('reliability: traffic mutated by zzuf', { skip: existsSync(ZZUF) ? false : 'zzuf is not installed (apt-get install zzuf)' }, () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let server: AddInObject;
  let echo: Peer & { url: string };
  let engine = 0;
  let rssBefore = 0;

  before(async () => {
    echo = await startCliEcho();
    host = attach();
    server = host.create(SERVER_TYPE);
    server.set('МаксимальныйРазмерСообщения', 1 << 20);
    server.call('Запустить', '127.0.0.1', 0);
    engine = sandbox.enginePids()[0] as number;
    rssBefore = rss(engine);
  });
  after(async () => {
    server?.destroy();
    host?.close();
    await echo?.stop();
    sandbox.cleanup();
  });

  it(`the server side: ${SEEDS.length} seeds × 40 clients × 20 messages through the fuzzed relay`, async () => {
    const totals = { opened: 0, sent: 0, answers: 0, errors: 0, received: 0 };
    for (const seed of SEEDS) {
      const relay = await fuzzedRelay(server.get('Порт') as number, seed);
      try {
        const clients = spawn(process.execPath, [CLIENTS, `ws://127.0.0.1:${relay.port}/fuzz`, '40', '20', '2500'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let output = '';
        clients.stdout.on('data', (c: Buffer) => (output += c.toString()));
        const exited = once(clients, 'close');
        let done = false;
        void exited.then(() => (done = true));
        // 1C answers whatever arrives, in short blocking slices so the event loop can watch the clients
        while (!done) {
          const id = out(0);
          const data = out('');
          const started = Date.now();
          while (Date.now() - started < 200 && server.call('Принять', 20, id, data) === true) {
            totals.received++;
            server.call('Отправить', id.value as number, data.value as string);
          }
          await delay(5);
        }
        const stats = JSON.parse(output) as typeof totals;
        for (const k of ['opened', 'sent', 'answers', 'errors'] as const) totals[k] += stats[k];
        assert.deepEqual(sandbox.enginePids(), [engine], `seed ${seed}: the engine survived`);
      } finally {
        relay.stop();
      }
    }
    // the fuzzed clients are gone: the server forgets them all
    const deadline = Date.now() + 15_000;
    while (server.get('Соединения') !== '' && Date.now() < deadline) {
      if (server.call('Принять', 10, out(), out()) === true) totals.received++;
      await delay(50);
    }
    assert.equal(server.get('Соединения'), '', 'every fuzzed connection was dropped');
    // what they sent before going is still queued for 1C: take it all
    while (server.call('Принять', 200, out(), out()) === true) totals.received++;
    process.stdout.write(`# figure: zzuf server side: ${JSON.stringify(totals)}\n`);
    assert.ok(totals.opened > 0 && totals.received > 0, 'some traffic got through');
  });

  it(`the client side: ${SEEDS.length} seeds × a 1C client through the fuzzed relay to an echo server`, async () => {
    const echoPort = Number(new URL(echo.url).port);
    const totals = { connected: 0, failed: 0, echoed: 0, ended: 0 };
    for (const seed of SEEDS) {
      const relay = await fuzzedRelay(echoPort, seed);
      const client = host.create(CLIENT_TYPE);
      try {
        client.set('ТаймаутПодключения', 2000);
        try {
          client.call('Подключиться', `ws://127.0.0.1:${relay.port}/`);
          totals.connected++;
        } catch {
          totals.failed++;
          continue;
        }
        for (let i = 0; i < 50; i++) {
          try {
            client.call('Отправить', `${seed}:${i}:${'щ'.repeat(i * 3)}`);
          } catch {
            break;
          }
        }
        const started = Date.now();
        const data = out('');
        while (Date.now() - started < 2000) {
          if (client.call('Принять', 100, data) === true) totals.echoed++;
          else if (client.get('Статус') !== 1) {
            totals.ended++;
            break;
          }
        }
        assert.ok(Date.now() - started < 4000, 'Принять kept to its timeouts');
      } finally {
        client.destroy();
        relay.stop();
      }
      assert.deepEqual(sandbox.enginePids(), [engine], `seed ${seed}: the engine survived`);
    }
    process.stdout.write(`# figure: zzuf client side: ${JSON.stringify(totals)}\n`);
  });

  it('afterwards: the same engine, bounded memory, clean traffic both ways', () => {
    assert.deepEqual(sandbox.enginePids(), [engine]);
    const grown = rss(engine) - rssBefore;
    process.stdout.write(`# figure: zzuf: engine RSS grew by ${Math.round(grown / 1048576)} MiB\n`);
    assert.ok(grown < 200 * 1048576, `engine RSS grew by ${Math.round(grown / 1048576)} MiB`);
    const client = host.create(CLIENT_TYPE);
    try {
      client.call('Подключиться', echo.url);
      client.call('Отправить', 'чисто');
      const data = out('');
      assert.equal(client.call('Принять', 5000, data), true);
      assert.equal(data.value, 'чисто');
      const local = host.create(CLIENT_TYPE);
      try {
        local.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}/clean`);
        local.call('Отправить', 'серверу');
        const id = out(0);
        assert.equal(server.call('Принять', 5000, id, data), true);
        assert.equal(data.value, 'серверу');
      } finally {
        local.destroy();
      }
    } finally {
      client.destroy();
    }
    server.destroy();
    host.close();
    host.assertClean();
  });
});

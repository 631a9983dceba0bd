/**
 * Load and loss (`npm run test:stress`; docs/reliability.md "Load and loss" has the figures):
 *  - 10,000 concurrent WebSocket clients (4 processes) to one server run by 1C through the emulator;
 *    every client sends N numbered messages; 1C receives every one of them, in per-client order,
 *    and answers each; every client gets every answer, in order — counts checked exactly;
 *  - 1C sends 100,000 numbered messages to one peer, which checks it got all of them in order;
 *  - 100,000 connections opened and closed against a 1C server, and 10,000 Подключиться/Отключиться
 *    of one 1C client object: afterwards the engine holds as many sockets as before and its memory
 *    has not grown beyond a bound.
 * Counts can be scaled with ONEC_WEBSOCKET_STRESS_SCALE (e.g. 0.1) on a small machine; the test
 * prints the figures it measured.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { out, type AddInObject } from '../../src/host/index.js';
import { CLIENT_TYPE, delay, SERVER_TYPE, useAddIn } from '../support/addin.js';
import { fds, rss, socketFds } from '../support/proc.js';
import { ROOT, startCliEcho, startPeer, type Peer } from '../support/processes.js';

const LOAD = `${ROOT}dist/test/support/load-clients.js`;
const SCALE = Number(process.env.ONEC_WEBSOCKET_STRESS_SCALE ?? 1);
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));
/** The descriptor limit wanted: 65536, or the hard limit where that is lower (a container may cap it). */
const HARD = Number(execFileSync('prlimit', ['--pid', String(process.pid), '--nofile', '--output', 'HARD', '--noheadings'], { encoding: 'utf8' }).trim()) || 65536;
const NOFILE = Math.min(65536, HARD);
const MiB = 1024 * 1024;

/** Raises this process's soft descriptor limit (the engine the library starts inherits it). */
function raiseNoFile(): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${NOFILE}:${HARD}`]);
}

function figure(text: string): void {
  process.stdout.write(`# figure: ${text}\n`);
}

interface Loader {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  line(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/** A load-clients.js process with the raised descriptor limit. */
function loader(args: string[]): Loader {
  const child = spawn('prlimit', [`--nofile=${NOFILE}:${HARD}`, process.execPath, LOAD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  // 'close', not 'exit': the JSON line printed just before exiting may still be unread at 'exit'
  let closed = false;
  child.once('close', () => (closed = true));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  return {
    child,
    lines,
    async line(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (Date.now() > deadline || closed) throw new Error(`no ${pattern} from load-clients ${args.join(' ')}: ${lines.join('\n')} ${stderr}`);
        await delay(20);
      }
    },
  };
}

function connectionCount(server: AddInObject): number {
  const text = server.get('Соединения') as string;
  return text === '' ? 0 : text.split(' | ').length;
}

describe('stress: load and loss', () => {
  raiseNoFile();
  const addin = useAddIn({ idleMs: 600_000, echo: false });

  it(`${scaled(10_000)} concurrent clients × ${10} numbered messages: 1C receives all in per-client order and answers each`, async () => {
    const processes = 4;
    const perProcess = scaled(2500);
    const messages = 10;
    const clients = processes * perProcess;
    const total = clients * messages;
    const server = addin.host.create(SERVER_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0);
      const url = `ws://127.0.0.1:${server.get('Порт') as number}/load`;
      const engine = addin.sandbox.enginePids()[0] as number;
      const openStarted = Date.now();
      const loaders = Array.from({ length: processes }, (_, p) => loader(['numbered', url, String(perProcess), String(messages), `p${p}`, `127.0.0.${p + 2}`]));
      await Promise.all(loaders.map((l) => l.line(/^OPEN /, 180_000)));
      const openMs = Date.now() - openStarted;
      assert.equal(connectionCount(server), clients, 'every client is listed in Соединения');
      const engineFds = fds(engine);
      figure(`${clients} clients connected in ${openMs} ms; engine fds ${engineFds}, RSS ${Math.round(rss(engine) / MiB)} MiB`);

      for (const l of loaders) l.child.stdin.write('600000\n');
      const started = Date.now();
      const nextSeq = new Map<string, number>();
      const id = out(0);
      const data = out('');
      let received = 0;
      let outOfOrder = 0;
      const byId = new Map<number, string>();
      while (received < total) {
        if (server.call('Принять', 30_000, id, data) !== true) break;
        const text = data.value as string;
        const [tag, conn, seq] = text.split(':');
        const key = `${tag}:${conn}`;
        if (Number(seq) !== (nextSeq.get(key) ?? 0)) outOfOrder++;
        nextSeq.set(key, Number(seq) + 1);
        // one connection id per client, and one client per id
        const owner = byId.get(id.value as number);
        if (owner === undefined) byId.set(id.value as number, key);
        else if (owner !== key) outOfOrder++;
        server.call('Отправить', id.value as number, `ответ:${text}`);
        received++;
      }
      const receiveMs = Date.now() - started;
      const results = await Promise.all(
        loaders.map(async (l) => JSON.parse(await l.line(/^\{/, 300_000)) as { opened: number; sent: number; answered: number; outOfOrder: number; errors: number }),
      );
      const answered = results.reduce((n, r) => n + r.answered, 0);
      figure(
        `${clients} clients × ${messages}: 1C received ${received}/${total} in ${receiveMs} ms (${Math.round((received * 1000) / receiveMs)} msg/s, each answered), clients got ${answered} answers; engine RSS ${Math.round(rss(engine) / MiB)} MiB`,
      );
      assert.equal(received, total, 'every message reached 1C');
      assert.equal(outOfOrder, 0, 'per-client order at the 1C side');
      assert.equal(byId.size, clients, 'one connection id per client');
      for (const r of results) {
        assert.deepEqual(
          { opened: r.opened, sent: r.sent, answered: r.answered, outOfOrder: r.outOfOrder, errors: r.errors },
          { opened: perProcess, sent: perProcess * messages, answered: perProcess * messages, outOfOrder: 0, errors: 0 },
        );
      }
      assert.equal(server.call('Принять', 200, out(), out()), false, 'nothing more than what was sent');
    } finally {
      server.call('Остановить'); // not parked for a grace period: later baselines stay clean
      server.destroy();
    }
  });

  it(`1C sends ${scaled(100_000)} numbered messages to one peer, which gets all of them in order`, async () => {
    const count = scaled(100_000);
    const peer: Peer = await startPeer(process.execPath, [LOAD, 'count-server', String(count)], /^listening on (\d+)$/);
    const client = addin.host.create(CLIENT_TYPE);
    try {
      client.call('Подключиться', `ws://127.0.0.1:${peer.ready[1] as string}/count`);
      const started = Date.now();
      for (let i = 0; i < count; i++) client.call('Отправить', String(i));
      const sendMs = Date.now() - started;
      const data = out('');
      assert.equal(client.call('Принять', 120_000, data), true);
      const totalMs = Date.now() - started;
      figure(`1C sent ${count} messages in ${sendMs} ms (${Math.round((count * 1000) / sendMs)} Отправить/s), the peer confirmed after ${totalMs} ms`);
      assert.equal(data.value, `получено ${count} по порядку`);
    } finally {
      client.destroy();
      await peer.stop();
    }
  });

  it(`connect/disconnect churn: ${scaled(100_000)} connections to a 1C server; no fd or memory growth`, async () => {
    const server = addin.host.create(SERVER_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0);
      const url = `ws://127.0.0.1:${server.get('Порт') as number}/churn`;
      const engine = addin.sandbox.enginePids()[0] as number;
      const runChurn = async (total: number): Promise<{ opened: number; failed: number; ms: number }> => {
        const per = Math.ceil(total / 4);
        const loaders = Array.from({ length: 4 }, (_, p) => loader(['churn', url, String(per), '50', `127.0.0.${p + 6}`]));
        const results = await Promise.all(loaders.map(async (l) => JSON.parse(await l.line(/^\{/, 600_000)) as { opened: number; failed: number; ms: number }));
        return results.reduce((a, r) => ({ opened: a.opened + r.opened, failed: a.failed + r.failed, ms: Math.max(a.ms, r.ms) }), { opened: 0, failed: 0, ms: 0 });
      };
      const settle = async (): Promise<void> => {
        const deadline = Date.now() + 30_000;
        while (connectionCount(server) > 0 && Date.now() < deadline) await delay(100);
        await delay(500);
      };
      const warm = await runChurn(scaled(10_000));
      await settle();
      const fdsBefore = fds(engine);
      const socketsBefore = socketFds(engine);
      const rssBefore = rss(engine);
      const total = scaled(100_000);
      const churn = await runChurn(total);
      await settle();
      const fdsAfter = fds(engine);
      const socketsAfter = socketFds(engine);
      const rssAfter = rss(engine);
      figure(
        `churn: warm-up ${warm.opened} + ${churn.opened}/${total} connections in ${churn.ms} ms (${Math.round((churn.opened * 1000) / churn.ms)}/s), failed ${churn.failed}; engine fds ${fdsBefore} → ${fdsAfter}, sockets ${socketsBefore} → ${socketsAfter}, RSS ${Math.round(rssBefore / MiB)} → ${Math.round(rssAfter / MiB)} MiB`,
      );
      assert.equal(churn.opened, Math.ceil(total / 4) * 4);
      assert.equal(churn.failed, 0);
      assert.equal(connectionCount(server), 0);
      assert.ok(socketsAfter <= socketsBefore, `no socket left behind (${socketsBefore} → ${socketsAfter})`);
      assert.ok(fdsAfter <= fdsBefore + 2, `fds ${fdsBefore} → ${fdsAfter}`);
      assert.ok(rssAfter - rssBefore < 64 * MiB, `RSS grew by ${Math.round((rssAfter - rssBefore) / MiB)} MiB`);
      // ids went on counting: the next client is number warm + churn + 1
      const probe = addin.host.create(CLIENT_TYPE);
      try {
        probe.call('Подключиться', url);
        assert.match(server.get('Соединения') as string, new RegExp(`^${warm.opened + churn.opened + 1}: 127\\.0\\.0\\.1:\\d+$`));
      } finally {
        probe.destroy();
      }
    } finally {
      server.call('Остановить'); // not parked for a grace period: later baselines stay clean
      server.destroy();
    }
  });

  it(`client object churn: ${scaled(10_000)} × Подключиться/Отключиться on one 1C object; no fd or memory growth`, async () => {
    const echo = await startCliEcho();
    const client = addin.host.create(CLIENT_TYPE);
    try {
      const cycle = (n: number): number => {
        const started = Date.now();
        for (let i = 0; i < n; i++) {
          client.call('Подключиться', echo.url);
          client.call('Отключиться');
        }
        return Date.now() - started;
      };
      cycle(scaled(1000));
      const engine = addin.sandbox.enginePids()[0] as number; // started by the first Подключиться when this test runs alone
      await delay(2500); // closing handshakes finish (closeGracefully waits up to 2 s)
      const fdsBefore = fds(engine);
      const rssBefore = rss(engine);
      const n = scaled(10_000);
      const ms = cycle(n);
      // closing handshakes finish within 2 s of the last Отключиться; allow a slow machine 10 s
      const deadline = Date.now() + 10_000;
      do {
        await delay(500);
      } while (fds(engine) > fdsBefore + 2 && Date.now() < deadline);
      const fdsAfter = fds(engine);
      const rssAfter = rss(engine);
      figure(`client churn: ${n} Подключиться/Отключиться in ${ms} ms (${Math.round((n * 1000) / ms)}/s); engine fds ${fdsBefore} → ${fdsAfter}, RSS ${Math.round(rssBefore / MiB)} → ${Math.round(rssAfter / MiB)} MiB`);
      assert.ok(fdsAfter <= fdsBefore + 2, `fds ${fdsBefore} → ${fdsAfter}`);
      assert.ok(rssAfter - rssBefore < 64 * MiB, `RSS grew by ${Math.round((rssAfter - rssBefore) / MiB)} MiB`);
    } finally {
      client.destroy();
      await echo.stop();
    }
  });

  it('the emulator\'s memory manager is clean', () => {
    addin.host.close();
    addin.host.assertClean();
  });
});

/**
 * Keep-alive pings (issue 13, docs/limits.md "Ping / dead peer"): on by default, so a peer that
 * vanished without closing (NAT timeout, pulled cable, a frozen host) is noticed and `Принять(0)`
 * cannot wait forever on it.
 *
 * - The defaults themselves (30 s interval, 30 s timeout) are checked on the engine with mocked
 *   timers: a raw peer that completes the handshake and then answers nothing is pinged at 30 s and
 *   dropped 30 s later — without a test that waits a real minute.
 * - Through the add-in, a real python3-websockets peer is frozen with SIGSTOP (its kernel keeps the
 *   TCP connection open, as for a host that vanished) with a short interval.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { out, type AddInHost, type AddInObject } from '../src/host/index.js';
import { Client, Server } from '../src/index.js';
import { attach, CLIENT_TYPE, isolateEngine, SERVER_TYPE, type EngineSandbox } from './support/addin.js';
import { PYTHON, ROOT, startPeer, type Peer } from './support/processes.js';
import { rawClient } from './support/raw-client.js';
import { frame, rawWebSocketServer } from './support/raw-websocket.js';

const peers = fileURLToPath(new URL('../../test/peers/', import.meta.url));

// Captured before any test mocks the timers: real time for waiting on the network.
const realSetTimeout = globalThis.setTimeout;
const realSleep = (ms: number): Promise<void> => new Promise((r) => realSetTimeout(r, ms));

/**
 * `mock.timers.enable` in the object form of the Node.js these tests run on (20.11+); the type
 * definitions are pinned to Node 18 (the floor), which only knew an array.
 */
type EnableTimers = (options: { apis: string[] }) => void;
const mockTimers = (t: { mock: { timers: { enable: unknown } } }): void =>
  (t.mock.timers.enable as EnableTimers).call(t.mock.timers, { apis: ['setInterval', 'setTimeout'] });

async function realWaitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await realSleep(10);
  }
}

/** Calls `onPing` for every ping frame (client frames: masked, short) the raw peer receives. */
function countPings(socket: Socket, onPing: () => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = (pending[1] as number) & 0x7f;
      const size = 2 + 4 + length; // pings and pongs are short: no extended length
      if (pending.length < size) break;
      if (((pending[0] as number) & 0x0f) === 9) onPing();
      pending = pending.subarray(size);
    }
  });
}

describe('keep-alive defaults (engine, mocked timers)', () => {
  it('our Client pings a silent server after 30 s and gives it up 30 s after that: Статус −1, Receive(0) ends', async (t) => {
    let pings = 0;
    const peer = await rawWebSocketServer((socket) =>
      countPings(socket, () => pings++),
    );
    mockTimers(t);
    const client = new Client();
    let closed = false;
    client.observer = { opened: () => undefined, closed: () => (closed = true) };
    try {
      await client.connect(peer.url);
      t.mock.timers.tick(29_999);
      await realSleep(200);
      assert.equal(pings, 0, 'no ping before 30 s');
      t.mock.timers.tick(1);
      await realWaitFor(() => pings === 1, 5000, 'the first ping at 30 s');
      t.mock.timers.tick(29_999);
      await realSleep(200);
      assert.equal(client.status, 1, 'still connected 30 s after the unanswered ping, less 1 ms');
      t.mock.timers.tick(1);
      await realWaitFor(() => closed, 5000, 'the client to give the server up');
      assert.equal(client.status, -1);
      assert.deepEqual(await client.receive(0), { received: false });
    } finally {
      t.mock.timers.reset();
      await client.disconnect();
      await peer.close();
    }
  });

  it('silence is not held against a peer while our Client itself stopped reading (the program is behind)', async (t) => {
    let pings = 0;
    const peer = await rawWebSocketServer((socket) => {
      socket.write(frame(1, 'x'.repeat(4096)));
      countPings(socket, () => pings++);
    });
    mockTimers(t);
    const client = new Client({ limits: { incomingHighWater: 1024, incomingLowWater: 512 } });
    let closed = false;
    client.observer = { opened: () => undefined, closed: () => (closed = true) };
    try {
      await client.connect(peer.url);
      await realWaitFor(() => client.queued.messages === 1, 5000, 'the 4 KiB message (over the high-water mark: reading stops)');
      for (let second = 30; second <= 120; second += 30) {
        t.mock.timers.tick(30_000);
        await realSleep(100);
      }
      assert.ok(pings >= 1, 'pinged');
      assert.equal(client.status, 1, 'unanswered pings while we do not read prove nothing');
      assert.equal((await client.receive(0)).received, true, 'the program catches up: reading resumes');
      for (let second = 150; second <= 210 && !closed; second += 30) {
        t.mock.timers.tick(30_000);
        await realSleep(100);
      }
      await realWaitFor(() => closed, 5000, 'the client to give the silent server up within 60 s once it reads again');
      assert.equal(client.status, -1);
    } finally {
      t.mock.timers.reset();
      await client.disconnect();
      await peer.close();
    }
  });

  it('our Server pings a silent client after 30 s and drops it when no answer came by the next 30 s', async (t) => {
    mockTimers(t);
    const server = new Server();
    try {
      await server.run('127.0.0.1', 0);
      const silent = await rawClient(server.port);
      assert.match(silent.response, /^HTTP\/1\.1 101 /);
      await realWaitFor(() => server.connectionIds.length === 1, 5000, 'the client to be listed');
      t.mock.timers.tick(29_999);
      await realSleep(200);
      assert.equal(silent.frames.length, 0, 'no ping before 30 s');
      t.mock.timers.tick(1);
      await realWaitFor(() => silent.frames.some((f) => f.opcode === 9), 5000, 'the first ping at 30 s');
      t.mock.timers.tick(29_999);
      await realSleep(200);
      assert.equal(server.connectionIds.length, 1, 'still listed 30 s after the unanswered ping, less 1 ms');
      t.mock.timers.tick(1);
      await realWaitFor(() => silent.isClosed() && server.connectionIds.length === 0, 5000, 'the silent client to be dropped');
      silent.socket.destroy();
    } finally {
      t.mock.timers.reset();
      await server.stop();
    }
  });
});

describe('keep-alive of many server connections (one timer for all, engine, mocked timers)', () => {
  it('a client that answers stays, a silent one beside it is dropped, and each is judged by its own answers', async (t) => {
    mockTimers(t);
    const server = new Server();
    let answering: WebSocket | undefined;
    try {
      await server.run('127.0.0.1', 0);
      // a ws client answers every ping with a pong by itself
      answering = new WebSocket(`ws://127.0.0.1:${server.port}/`);
      let pongsSent = 0;
      answering.on('ping', () => pongsSent++);
      await new Promise<void>((resolve, reject) => {
        answering?.once('open', () => resolve());
        answering?.once('error', reject);
      });
      const silent = await rawClient(server.port);
      await realWaitFor(() => server.connectionIds.length === 2, 5000, 'both clients to be listed');
      for (let round = 1; round <= 3; round++) {
        t.mock.timers.tick(30_000);
        await realWaitFor(() => pongsSent === round, 5000, `ping ${round} answered`);
        await realSleep(100);
      }
      await realWaitFor(() => silent.isClosed(), 5000, 'the silent client to be dropped');
      assert.equal(server.connectionIds.length, 1, 'the answering client is still listed after three pings');
      assert.equal(answering.readyState, WebSocket.OPEN);
      silent.socket.destroy();
    } finally {
      t.mock.timers.reset();
      answering?.terminate();
      await server.stop();
    }
  });
});

describe('a peer that stops answering (SIGSTOP of a python3-websockets process), through the add-in', () => {
  let sandbox: EngineSandbox;
  let host: AddInHost;
  before(() => {
    sandbox = isolateEngine();
    host = attach();
  });
  after(() => {
    host.close();
    sandbox.cleanup();
  });

  /** Freezes the peer; the returned function thaws and stops it. */
  function freeze(peer: Peer): () => Promise<void> {
    peer.process.kill('SIGSTOP');
    return async () => {
      peer.process.kill('SIGCONT');
      await peer.stop();
    };
  }

  it('the defaults are the ones docs/features.md and docs/limits.md state: 30 000 ms, pings on', () => {
    const Клиент = host.create(CLIENT_TYPE);
    const Сервер = host.create(SERVER_TYPE);
    try {
      assert.equal(Клиент.get('ИнтервалПинга'), 30_000);
      assert.equal(Клиент.get('ТаймаутПинга'), 30_000);
      assert.equal(Сервер.get('ИнтервалПинга'), 30_000);
      Клиент.set('ИнтервалПинга', 5000);
      assert.equal(Клиент.get('ТаймаутПинга'), 5000, 'an unset timeout is the interval');
      Клиент.set('ТаймаутПинга', 0);
      assert.equal(Клиент.get('ТаймаутПинга'), 5000, '0 is the interval too');
    } finally {
      Клиент.destroy();
      Сервер.destroy();
    }
    const features = readFileSync(`${ROOT}docs/features.md`, 'utf8');
    assert.match(features, /\| `ИнтервалПинга` \| `PingInterval` \| Number \(ms\), r\/w \| Ping the server every 30 000 ms by default/);
    assert.match(features, /\| `ИнтервалПинга` \| `PingInterval` \| Number \(ms\), r\/w \| Ping clients every 30 000 ms by default/);
    assert.match(readFileSync(`${ROOT}docs/limits.md`, 'utf8'), /\| Ping \/ dead peer \| on: a ping after 30 s, an answer expected within 30 s \|/);
  });

  it('our Client: Принять(0) returns Ложь and Статус becomes −1 within ИнтервалПинга + ТаймаутПинга', async () => {
    const peer = await startPeer(PYTHON, [`${peers}py_echo_server.py`], /READY (\d+)/);
    const Клиент: AddInObject = host.create(CLIENT_TYPE);
    let thaw = async (): Promise<void> => peer.stop();
    try {
      Клиент.set('ИнтервалПинга', 200);
      Клиент.set('ТаймаутПинга', 300);
      Клиент.call('Подключиться', `ws://127.0.0.1:${peer.ready[1]}/`);
      Клиент.call('Отправить', 'до');
      const Данные = out('');
      assert.equal(Клиент.call('Принять', 5000, Данные), true);
      assert.equal(Данные.value, 'до');
      thaw = freeze(peer);
      const started = Date.now();
      assert.equal(Клиент.call('Принять', 0, Данные), false, 'Receive(0) ends when the peer is declared dead');
      const elapsed = Date.now() - started;
      process.stdout.write(`# figure: frozen server noticed after ${elapsed} ms (interval 200, timeout 300)\n`);
      // at most interval + timeout (500 ms), with room for a loaded machine
      assert.ok(elapsed < 3000, `detected after ${elapsed} ms`);
      assert.equal(Клиент.get('Статус'), -1);
    } finally {
      Клиент.destroy();
      await thaw();
    }
  });

  it('our Server: a frozen client leaves Соединения within twice ИнтервалПинга', async () => {
    const Сервер = host.create(SERVER_TYPE);
    let peer: Peer | undefined;
    let thaw = async (): Promise<void> => peer?.stop();
    try {
      Сервер.set('ИнтервалПинга', 200);
      Сервер.call('Запустить', '127.0.0.1', 0);
      peer = await startPeer(PYTHON, [`${peers}py_client.py`, `ws://127.0.0.1:${Сервер.get('Порт') as number}/`, '--expect', '1'], /OPEN/);
      await realWaitFor(() => Сервер.get('Соединения') !== '', 5000, 'the python client to be listed');
      thaw = freeze(peer);
      const started = Date.now();
      await realWaitFor(() => Сервер.get('Соединения') === '', 5000, 'the frozen client to be dropped');
      const elapsed = Date.now() - started;
      process.stdout.write(`# figure: frozen client dropped after ${elapsed} ms (interval 200)\n`);
      assert.ok(elapsed < 3000, `dropped after ${elapsed} ms`);
    } finally {
      Сервер.destroy();
      await thaw();
    }
  });
});

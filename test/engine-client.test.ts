import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { Client, EngineError } from '../src/index.js';
import { startCliEcho, type Peer } from './support/processes.js';
import { frame, rawWebSocketServer } from './support/raw-websocket.js';
import { waitFor } from './support/wait.js';

describe('Client against our CLI echo server (separate process)', () => {
  let echo: Peer & { url: string };
  before(async () => {
    echo = await startCliEcho();
  });
  after(async () => echo.stop());

  it('connects, refuses a second connect, echoes Cyrillic, emoji and astral text, times out, disconnects twice', async () => {
    const client = new Client();
    assert.equal(client.status, 0);
    await client.connect(`${echo.url}/first`);
    assert.equal(client.status, 1);
    assert.equal(client.server, `${echo.url}/first`);
    await assert.rejects(client.connect(`${echo.url}/first`), /Подключение уже выполнено/);
    assert.equal(client.status, 1, 'a refused second connect leaves the first connection alone');
    for (const text of ['ase1ЦУ', 'ase1ЙЦУ', 'смайл 😀, скрипичный ключ 𝄞, 漢字', '']) {
      client.send(text);
      assert.deepEqual(await client.receive(0), { received: true, value: text });
    }
    const started = Date.now();
    assert.deepEqual(await client.receive(300), { received: false });
    assert.ok(Date.now() - started >= 280, 'waited for the timeout');
    await client.disconnect();
    await client.disconnect();
    assert.equal(client.status, 0);
  });

  it('keeps message order for many messages sent in a burst', async () => {
    const client = new Client();
    await client.connect(echo.url);
    for (let i = 0; i < 2000; i++) client.send(`n${i}`);
    for (let i = 0; i < 2000; i++) assert.deepEqual(await client.receive(5000), { received: true, value: `n${i}` });
    await client.disconnect();
  });

  it('disconnect before any connect is not an error', async () => {
    await new Client().disconnect();
  });

  it('send without a connection fails clearly', () => {
    assert.throws(() => new Client().send('x'), (e: unknown) => e instanceof EngineError && /Нет подключения/.test(e.message));
  });
});

describe('Client connect failures say why', () => {
  it('refused', async () => {
    const server = createTcpServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const client = new Client();
    await assert.rejects(client.connect(`ws://127.0.0.1:${port}/`), /отверг подключение/);
    assert.equal(client.status, -1);
  });

  it('bad addresses', async () => {
    const client = new Client();
    await assert.rejects(client.connect('http://127.0.0.1/'), /схема «http» не поддерживается/);
    await assert.rejects(client.connect('ws://127.0.0.1:70000/'), /порт вне диапазона/);
    await assert.rejects(client.connect('не адрес'), /не разбирается как URL/);
    await assert.rejects(client.connect('ws://127.0.0.1:1/#frag'), /фрагмент/);
    await assert.rejects(client.connect('ws://user:secret@127.0.0.1:70000/'), (e: Error) => !e.message.includes('secret'));
  });

  it('an HTTP answer instead of an upgrade', async () => {
    const http = createHttpServer((_req, res) => res.writeHead(403).end('no'));
    http.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const { port } = http.address() as AddressInfo;
    const client = new Client();
    await assert.rejects(client.connect(`ws://127.0.0.1:${port}/`), /HTTP 403/);
    assert.equal(client.status, -1);
    http.close();
  });

  it('a server that never answers the handshake hits the connect timeout', async () => {
    const silent = createTcpServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    const client = new Client({ connectTimeoutMs: 300 });
    await assert.rejects(client.connect(`ws://127.0.0.1:${port}/`), /Истекло время ожидания подключения.*300 мс/);
    assert.equal(client.status, -1);
    silent.close();
  });

  it('English texts when asked', async () => {
    const client = new Client();
    const error = await client.connect('ftp://x/').catch((e: EngineError) => e);
    assert.ok(error instanceof EngineError);
    assert.match(error.text('en'), /scheme "ftp" is not supported/);
  });
});

describe('Client receive semantics at the end of a connection', () => {
  it('delivers what arrived before a clean close, then reports nothing; status 0', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    wss.on('connection', (ws) => {
      ws.send('one');
      ws.send('two');
      ws.send('three');
      ws.close(1000, 'bye');
    });
    await new Promise((r) => wss.once('listening', r));
    const client = new Client();
    await client.connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
    await waitFor(() => client.status !== 1);
    const got: string[] = [];
    for (;;) {
      const taken = await client.receive(0);
      if (!taken.received) break;
      got.push(taken.value as string);
    }
    assert.deepEqual(got, ['one', 'two', 'three']);
    assert.equal(client.status, 0);
    assert.deepEqual(client.closeInfo, { code: 1000, reason: 'bye' });
    await assert.rejects(async () => client.send('x'), /закрыто/);
    wss.close();
  });

  it('a receive(0) blocked when the peer vanishes returns nothing; status -1', async () => {
    const raw = await rawWebSocketServer((socket) => setTimeout(() => socket.destroy(), 100));
    const client = new Client();
    await client.connect(raw.url);
    assert.deepEqual(await client.receive(0), { received: false });
    assert.equal(client.status, -1);
    await raw.close();
  });

  it('accepts a message in 20000 fragments (ws alone would refuse more than 16384)', async () => {
    const pieces = 20_000;
    const raw = await rawWebSocketServer((socket) => {
      const frames: Buffer[] = [];
      for (let i = 0; i < pieces; i++) frames.push(frame(i === 0 ? 1 : 0, 'ж', { fin: i === pieces - 1 }));
      socket.write(Buffer.concat(frames));
    });
    const client = new Client();
    await client.connect(raw.url);
    const taken = await client.receive(5000);
    assert.ok(taken.received);
    assert.equal(taken.value, 'ж'.repeat(pieces));
    await client.disconnect();
    await raw.close();
  });

  it('an oversized message closes the connection (1009) and sets status -1', async () => {
    const raw = await rawWebSocketServer((socket) => socket.write(frame(1, 'x'.repeat(2000))));
    const client = new Client({ limits: { maxMessageSize: 1000 } });
    await client.connect(raw.url);
    assert.deepEqual(await client.receive(0), { received: false });
    assert.equal(client.status, -1);
    assert.equal(client.closeInfo?.code, 1006);
    await raw.close();
  });

  it('invalid UTF-8 in a text frame closes the connection and sets status -1', async () => {
    const raw = await rawWebSocketServer((socket) => socket.write(frame(1, Buffer.from([0xc3, 0x28]))));
    const client = new Client();
    await client.connect(raw.url);
    assert.deepEqual(await client.receive(0), { received: false });
    assert.equal(client.status, -1);
    await raw.close();
  });
});

describe('Client flow control', () => {
  it('fails Send with a clear error when the peer stops reading, instead of buffering without end', async () => {
    const raw = await rawWebSocketServer((socket) => socket.pause());
    const client = new Client({ limits: { maxOutgoingBuffer: 1 << 20 } });
    await client.connect(raw.url);
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const error = await (async () => {
      for (let i = 0; i < 10_000; i++) {
        client.send(chunk);
        sent++;
        if (i % 16 === 0) await new Promise((r) => setImmediate(r));
      }
      return undefined;
    })().catch((e: unknown) => e);
    assert.ok(error instanceof EngineError, 'send eventually fails');
    assert.match(error.message, /Буфер отправки переполнен/);
    assert.ok(sent * chunk.length < 64 * 1024 * 1024, `stopped early (${sent} sent)`);
    await client.disconnect();
    await raw.close();
  });

  it('pauses reading when too much waits in the queue, and loses nothing', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const total = 400;
    const payload = 'y'.repeat(10_000);
    let serverSide: WebSocket | undefined;
    wss.on('connection', (ws) => {
      serverSide = ws;
      for (let i = 0; i < total; i++) ws.send(`${i}:${payload}`);
    });
    await new Promise((r) => wss.once('listening', r));
    const highWater = 100_000;
    const client = new Client({ limits: { incomingHighWater: highWater, incomingLowWater: 20_000 } });
    await client.connect(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
    await new Promise((r) => setTimeout(r, 300));
    const queuedBytes = client.queued.bytes;
    assert.ok(queuedBytes <= highWater + 200_000, `queue bounded (${queuedBytes} bytes)`);
    assert.ok(client.queued.messages < total, 'not everything was pulled in while paused');
    assert.ok((serverSide?.bufferedAmount ?? 0) > 0 || client.queued.messages < total, 'the sender is held back');
    for (let i = 0; i < total; i++) {
      const taken = await client.receive(5000);
      assert.ok(taken.received);
      assert.equal((taken.value as string).split(':')[0], String(i));
    }
    await client.disconnect();
    wss.close();
  });
});

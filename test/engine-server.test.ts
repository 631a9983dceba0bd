import assert from 'node:assert/strict';
import { createServer as createTcpServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { Client, Server, EngineError } from '../src/index.js';
import { testCertificates } from './support/certs.js';
import { frame } from './support/raw-websocket.js';
import { waitFor } from './support/wait.js';

function wsOpen(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(data.toString())));
}

describe('Server basics', () => {
  it('numbers connections from 1, lists them, receives with ids, answers, disconnects, stops', async () => {
    const server = new Server();
    await server.run('127.0.0.1', 0);
    assert.equal(server.server, '127.0.0.1');
    assert.ok(server.port > 0);
    const url = `ws://127.0.0.1:${server.port}`;
    const a = await wsOpen(`${url}/first`);
    const b = await wsOpen(`${url}/testadr`);
    await waitFor(() => server.connectionIds.length === 2);
    assert.match(server.connections, /^1: 127\.0\.0\.1:\d+ \| 2: 127\.0\.0\.1:\d+$/);
    assert.equal(server.connections.split(' | ')[0], `1: 127.0.0.1:${(a as unknown as { _socket: { localPort: number } })._socket.localPort}`);
    b.send('from b');
    a.send('ase1ЙЦУ');
    assert.deepEqual(await server.receive(2000), { received: true, value: { id: 2, data: 'from b' } });
    assert.deepEqual(await server.receive(2000), { received: true, value: { id: 1, data: 'ase1ЙЦУ' } });
    assert.deepEqual(await server.receive(200), { received: false });
    const answer = nextMessage(a);
    assert.equal(server.send(1, 'ответ 😀'), true);
    assert.equal(await answer, 'ответ 😀');
    assert.equal(server.send(99, 'nobody'), false);
    const closed = new Promise((r) => b.once('close', r));
    assert.equal(server.disconnect(2), true);
    assert.equal(server.disconnect(2), false);
    await closed;
    assert.match(server.connections, /^1: 127\.0\.0\.1:\d+$/);
    await server.stop();
    await server.stop();
    assert.equal(server.server, '');
    assert.equal(server.port, 0);
    assert.deepEqual(await server.receive(0), { received: false }, 'receive after stop does not hang');
  });

  it('frees the port on stop and never reuses ids', async () => {
    const server = new Server();
    await server.run('127.0.0.1', 0);
    const port = server.port;
    const first = await wsOpen(`ws://127.0.0.1:${port}/`);
    first.close();
    await waitFor(() => server.connectionIds.length === 0);
    await wsOpen(`ws://127.0.0.1:${port}/`);
    await waitFor(() => server.connectionIds.length === 1);
    assert.deepEqual(server.connectionIds, [2]);
    await server.stop();
    const again = new Server();
    await again.run('127.0.0.1', port);
    assert.equal(again.port, port);
    await again.stop();
  });

  it('listens only on the interface asked for', async () => {
    const server = new Server();
    await server.run('127.0.0.1', 0);
    const client = new Client();
    await assert.rejects(client.connect(`ws://127.0.0.2:${server.port}/`), /отверг подключение/);
    await server.stop();
  });

  it('accepts the document\'s «0.0.0.0.», [::1] and localhost; rejects nonsense', async () => {
    for (const [iface, shown] of [['0.0.0.0.', '0.0.0.0'], ['[::1]', '::1'], ['localhost', '127.0.0.1']] as const) {
      const server = new Server();
      await server.run(iface, 0);
      assert.equal(server.server, shown);
      await server.stop();
    }
    await assert.rejects(new Server().run('not an ip', 0), /Неверный интерфейс/);
    await assert.rejects(new Server().run('127.0.0.1', 70000), /Порт должен быть/);
    await assert.rejects(new Server().run('127.0.0.1', 1.5), /Порт должен быть/);
    await assert.rejects(new Server().run('203.0.113.7', 0), /отсутствует на этом компьютере/);
  });

  it('says the port is busy', async () => {
    const blocker = createTcpServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const { port } = blocker.address() as AddressInfo;
    const server = new Server();
    await assert.rejects(server.run('127.0.0.1', port), (e: EngineError) => e.key === 'portBusy' && e.message.includes(String(port)));
    assert.equal(server.server, '');
    blocker.close();
  });

  it('refuses a second run and a receive before any run', async () => {
    const server = new Server();
    await assert.rejects(server.receive(0), /Сервер не запущен/);
    await server.run('127.0.0.1', 0);
    await assert.rejects(server.run('127.0.0.1', 0), /Сервер уже запущен/);
    await server.stop();
  });

  it('answers plain HTTP with 426 and drops a handshake that never completes', async () => {
    const server = new Server({ handshakeTimeoutMs: 500 });
    await server.run('127.0.0.1', 0);
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(response.status, 426);
    const slow = tcpConnect(server.port, '127.0.0.1');
    slow.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    await new Promise((r) => slow.once('close', r));
    assert.ok(Date.now() - started < 5000, 'the slow client was dropped');
    await server.stop();
  });

  it('closes a client that sends unmasked frames, keeps serving others', async () => {
    const server = new Server();
    await server.run('127.0.0.1', 0);
    const good = await wsOpen(`ws://127.0.0.1:${server.port}/`);
    const raw = tcpConnect(server.port, '127.0.0.1');
    raw.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await new Promise((r) => raw.once('data', r));
    raw.write(frame(1, 'unmasked', { mask: false }));
    await new Promise((r) => raw.once('close', r));
    good.send('still here');
    const taken = await server.receive(2000);
    assert.ok(taken.received);
    assert.equal(taken.value.data, 'still here');
    await server.stop();
  });
});

describe('Server over TLS', () => {
  const certs = testCertificates();
  const trust = { ca: certs.caPem };

  async function roundTrip(server: Server): Promise<void> {
    const client = new Client({ tls: trust });
    await client.connect(`wss://127.0.0.1:${server.port}/secure`);
    client.send('секрет');
    const taken = await server.receive(3000);
    assert.ok(taken.received);
    assert.equal(taken.value.data, 'секрет');
    server.send(taken.value.id, 'ok');
    assert.deepEqual(await client.receive(3000), { received: true, value: 'ok' });
    await client.disconnect();
  }

  const forms: Array<[string, (s: Server) => Promise<void>]> = [
    ['one PEM with a traditional RSA key and the certificate', (s) => s.run('127.0.0.1', 0, certs.combinedFile)],
    ['one PEM, key encrypted, with its password', (s) => s.run('127.0.0.1', 0, certs.combinedEncryptedFile, certs.password)],
    ['certificate and key files', (s) => s.run('127.0.0.1', 0, certs.certFile, certs.keyFile)],
    ['the document\'s five-argument form: certificate, encrypted key, password', (s) => s.run('127.0.0.1', 0, certs.certFile, certs.encryptedKeyFile, certs.password)],
  ];
  for (const [name, start] of forms) {
    it(`serves wss with ${name}`, async () => {
      const server = new Server();
      await start(server);
      await roundTrip(server);
      await server.stop();
    });
  }

  it('explains certificate problems', async () => {
    const run = (...args: string[]): Promise<void> => new Server().run('127.0.0.1', 0, ...args);
    await assert.rejects(run('/nonexistent/cert.pem'), /Файл сертификата «\/nonexistent\/cert.pem» не найден/);
    await assert.rejects(run(certs.combinedEncryptedFile, 'wrong'), /пароль не подходит/);
    await assert.rejects(run(certs.combinedEncryptedFile), /пароль не подходит или не указан/);
    await assert.rejects(run(certs.certFile, certs.encryptedKeyFile, 'wrong'), (e: Error) => /пароль не подходит/.test(e.message) && !e.message.includes('wrong'));
    await assert.rejects(run(certs.certFile, certs.otherKeyFile), /не соответствует сертификату/);
    await assert.rejects(run(certs.keyFile), /нет сертификата/);
    await assert.rejects(run(certs.certFile), /нет закрытого ключа/);
    await assert.rejects(run(certs.certFile, '/nonexistent/key.pem', 'x'), /«\/nonexistent\/key.pem» не найден/);
  });

  it('a client that does not trust the certificate gets a TLS error', async () => {
    const server = new Server();
    await server.run('127.0.0.1', 0, certs.certFile, certs.keyFile);
    const client = new Client();
    await assert.rejects(client.connect(`wss://127.0.0.1:${server.port}/`), /Ошибка TLS/);
    assert.equal(client.status, -1);
    await server.stop();
  });
});

describe('Server flow control', () => {
  it('a client that stops reading makes Send fail clearly instead of exhausting memory', async () => {
    const server = new Server({ limits: { maxOutgoingBuffer: 1 << 20 } });
    await server.run('127.0.0.1', 0);
    const raw = tcpConnect(server.port, '127.0.0.1');
    raw.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await new Promise((r) => raw.once('data', r));
    raw.pause();
    await waitFor(() => server.connectionIds.length === 1);
    const chunk = 'z'.repeat(64 * 1024);
    const error = await (async () => {
      for (let i = 0; i < 10_000; i++) {
        server.send(1, chunk);
        if (i % 16 === 0) await new Promise((r) => setImmediate(r));
      }
      return undefined;
    })().catch((e: unknown) => e);
    assert.ok(error instanceof EngineError);
    assert.equal(error.key, 'outgoingBufferFull');
    raw.destroy();
    await server.stop();
  });

  it('delivers every message of many clients in per-client order', async () => {
    const server = new Server({ limits: { incomingHighWater: 50_000, incomingLowWater: 10_000 } });
    await server.run('127.0.0.1', 0);
    const clients = await Promise.all(Array.from({ length: 20 }, () => wsOpen(`ws://127.0.0.1:${server.port}/`)));
    const perClient = 200;
    clients.forEach((ws, c) => {
      for (let i = 0; i < perClient; i++) ws.send(`${c}:${i}:${'p'.repeat(500)}`);
    });
    const next = new Map<string, number>();
    for (let n = 0; n < clients.length * perClient; n++) {
      const taken = await server.receive(5000);
      assert.ok(taken.received, `message ${n} arrived`);
      const [c, i] = (taken.value.data as string).split(':');
      assert.equal(Number(i), next.get(c as string) ?? 0, `client ${c} in order`);
      next.set(c as string, Number(i) + 1);
    }
    assert.deepEqual(await server.receive(100), { received: false });
    await server.stop();
  });
});

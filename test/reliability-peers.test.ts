/**
 * Hostile and broken peers against the add-in, through the emulator, the library and a real engine
 * (docs/reliability.md, "Hostile peers"):
 *  - our Client against a raw server in another process (test/support/hostile-server.ts) that
 *    sends malformed frames, invalid UTF-8, masked frames, oversized frames, broken close frames,
 *    botched handshakes, hangs up without a close frame, goes silent, or stops reading;
 *  - our Server against raw TCP clients written here: unmasked frames, invalid UTF-8, oversized
 *    and malformed frames, slowloris handshakes, idle connections, garbage, a client that stops
 *    reading while 1C sends, and one that vanishes.
 * Every time: what arrived before the fault is delivered, the faulty connection ends (Статус −1 on
 * the client side; gone from Соединения on the server side), nothing hangs, memory stays bounded,
 * and everything else keeps working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { format } from '../src/i18n/messages.js';
import { BslError, out, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, delay, isolateEngine, SERVER_TYPE } from './support/addin.js';
import { rss } from './support/proc.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';
import { frame } from './support/raw-websocket.js';
import { closedWithin, rawClient, upgradeRequest, type RawClient } from './support/raw-client.js';
import { waitFor } from './support/wait.js';

const HOSTILE = `${ROOT}dist/test/support/hostile-server.js`;
const MiB = 1024 * 1024;

/** Ids listed in Соединения. */
function ids(server: AddInObject): number[] {
  const text = server.get('Соединения') as string;
  return text === '' ? [] : text.split(' | ').map((part) => Number(part.split(':')[0]));
}

describe('reliability: hostile peers', () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let hostile: Peer;
  let base = '';
  let engine = 0;

  before(async () => {
    hostile = await startPeer(process.execPath, [HOSTILE], /^listening on (\d+)$/);
    base = `ws://127.0.0.1:${hostile.ready[1] as string}`;
    host = attach();
  });
  after(async () => {
    host?.close();
    await hostile?.stop();
    sandbox.cleanup();
  });

  describe('our Client against a hostile server (another process)', () => {
    const faults: Array<[string, string]> = [
      ['/invalid-utf8', 'invalid UTF-8 in a text frame'],
      ['/overlong-utf8', 'overlong UTF-8 (0xC0 0xAF)'],
      ['/surrogate-utf8', 'an encoded surrogate (0xED 0xA0 0x80)'],
      ['/masked', 'a masked frame from the server'],
      ['/rsv1', 'RSV1 set without an extension'],
      ['/opcode3', 'reserved data opcode 3'],
      ['/opcode11', 'reserved control opcode 11'],
      ['/ping-fragmented', 'a fragmented ping'],
      ['/ping-126', 'a ping with 126 bytes of payload'],
      ['/continuation-first', 'a continuation frame with nothing to continue'],
      ['/text-inside-fragments', 'a new text frame inside a fragmented message'],
      ['/length-msb', 'a 64-bit length with the top bit set'],
      ['/length-huge', 'a declared length of 2^44 bytes'],
      ['/close-1byte', 'a close frame with a 1-byte payload'],
      ['/close-code-999', 'a close frame with code 999'],
      ['/close-bad-reason', 'a close reason that is not UTF-8'],
      ['/fin', 'TCP FIN without a close frame'],
      ['/rst', 'TCP RST without a close frame'],
    ];
    for (const [path, label] of faults) {
      it(`${label}: «до» is delivered, then Принять(0) ends, Статус −1`, () => {
        const client = host.create(CLIENT_TYPE);
        try {
          assert.equal(client.call('Подключиться', `${base}${path}`), true);
          const data = out('');
          assert.equal(client.call('Принять', 5000, data), true);
          assert.equal(data.value, 'до');
          const started = Date.now();
          assert.equal(client.call('Принять', 0, data), false, 'Принять(0) returns when the connection ends');
          assert.ok(Date.now() - started < 5000);
          assert.equal(data.value, '');
          assert.equal(client.get('Статус'), -1);
          assert.throws(() => client.call('Отправить', 'после'), BslError);
        } finally {
          client.destroy();
        }
      });
    }

    it('a frame over МаксимальныйРазмерСообщения (1000) closes with 1009 and Статус −1; 1000 bytes pass', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.set('МаксимальныйРазмерСообщения', 1000);
        client.call('Подключиться', `${base}/oversized?size=1000`);
        const data = out('');
        assert.equal(client.call('Принять', 5000, data), true);
        assert.equal(client.call('Принять', 5000, data), true);
        assert.equal(data.value, 'x'.repeat(1000));
        client.call('Отключиться');
        client.call('Подключиться', `${base}/oversized?size=1001`);
        assert.equal(client.call('Принять', 5000, data), true);
        assert.equal(client.call('Принять', 0, data), false);
        assert.equal(client.get('Статус'), -1);
        // we closed it ourselves on the protocol error: no close frame came back, so 1006
        assert.equal(client.get('КодЗакрытия'), 1006);
      } finally {
        client.destroy();
      }
    });

    it('a frame over the default limit (64 MiB + 1) closes the connection; the engine does not keep it', () => {
      engine = sandbox.enginePids()[0] ?? 0;
      const client = host.create(CLIENT_TYPE);
      try {
        client.call('Подключиться', `${base}/oversized?size=${64 * MiB + 1}`);
        assert.equal(client.call('Принять', 5000, out()), true);
        assert.equal(client.call('Принять', 0, out()), false);
        assert.equal(client.get('Статус'), -1);
        assert.ok(rss(engine) < 400 * MiB, `engine RSS ${Math.round(rss(engine) / MiB)} MiB`);
      } finally {
        client.destroy();
      }
    });

    const handshakes: Array<[string, string, (url: string) => RegExp | string]> = [
      ['/http-200', 'HTTP 200 instead of 101', (url) => format('ru', 'handshakeStatus', [url, '200 OK'])],
      ['/http-401', 'HTTP 401', (url) => format('ru', 'handshakeStatus', [url, '401 Unauthorized'])],
      ['/bad-accept', 'a wrong Sec-WebSocket-Accept', () => /^Не удалось подключиться к .*Sec-WebSocket-Accept/],
      ['/no-upgrade-header', '101 without Upgrade: websocket', (url) => format('ru', 'handshakeStatus', [url, '101 Switching Protocols'])],
      ['/garbage', 'binary garbage instead of HTTP', () => /^Не удалось подключиться к /],
      ['/close-at-once', 'the connection closed before any answer', () => /^Не удалось подключиться к /],
      ['/extension-not-offered', 'an extension we did not offer', () => /^Не удалось подключиться к .*extension/i],
    ];
    for (const [path, label, expected] of handshakes) {
      it(`handshake: ${label} fails Подключиться at once with a clear text; Статус −1`, () => {
        const client = host.create(CLIENT_TYPE);
        try {
          const url = `${base}${path}`;
          const started = Date.now();
          assert.throws(() => client.call('Подключиться', url), BslError);
          assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
          const text = client.call('ОписаниеОшибки') as string;
          const want = expected(url);
          if (typeof want === 'string') assert.equal(text, want);
          else assert.match(text, want);
          assert.equal(client.get('Статус'), -1);
        } finally {
          client.destroy();
        }
      });
    }

    it('handshake: a server that never answers hits ТаймаутПодключения (500 ms), not forever', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.set('ТаймаутПодключения', 500);
        const url = `${base}/hang-handshake`;
        const started = Date.now();
        assert.throws(() => client.call('Подключиться', url), BslError);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 450 && elapsed < 3000, `gave up after ${elapsed} ms`);
        assert.equal(client.call('ОписаниеОшибки'), format('ru', 'connectTimeout', [url, 500]));
        assert.equal(client.get('Статус'), -1);
      } finally {
        client.destroy();
      }
    });

    it('a peer that goes silent (no close, no pong): with pings turned off Статус stays 1 — the known limit', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.set('ИнтервалПинга', 0);
        client.call('Подключиться', `${base}/silent`);
        assert.equal(client.call('Принять', 5000, out()), true);
        const started = Date.now();
        assert.equal(client.call('Принять', 1500, out()), false);
        assert.ok(Date.now() - started >= 1400, 'Принять still honours its timeout');
        assert.equal(client.get('Статус'), 1, 'TCP alone cannot tell a silent peer from a dead one');
      } finally {
        client.destroy();
      }
    });

    it('a peer that goes silent is detected by ИнтервалПинга/ТаймаутПинга: Статус −1 and Принять(0) ends', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.set('ИнтервалПинга', 200);
        client.set('ТаймаутПинга', 300);
        client.call('Подключиться', `${base}/silent`);
        assert.equal(client.call('Принять', 5000, out()), true);
        const started = Date.now();
        assert.equal(client.call('Принять', 0, out()), false);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 300 && elapsed < 3000, `detected after ${elapsed} ms`);
        assert.equal(client.get('Статус'), -1);
      } finally {
        client.destroy();
      }
    });

    it('a peer that stops reading: Отправить fails with outgoingBufferFull after about 64 MiB; engine memory stays bounded', () => {
      engine = sandbox.enginePids()[0] ?? 0;
      const client = host.create(CLIENT_TYPE);
      try {
        client.call('Подключиться', `${base}/no-read`);
        assert.equal(client.call('Принять', 5000, out()), true);
        const before = rss(engine);
        const chunk = 'ы'.repeat(MiB / 2); // 1 MiB of UTF-8
        let sent = 0;
        let error: BslError | undefined;
        for (let i = 0; i < 500 && !error; i++) {
          try {
            client.call('Отправить', chunk);
            sent++;
          } catch (e) {
            error = e as BslError;
          }
        }
        assert.ok(error instanceof BslError, `Отправить never failed (${sent} MiB sent)`);
        assert.match(client.call('ОписаниеОшибки') as string, /^Буфер отправки переполнен \(\d+ байт не отправлено, предел 67108864\)/);
        assert.ok(sent >= 60 && sent <= 80, `${sent} MiB accepted before the error`);
        const grown = rss(engine) - before;
        assert.ok(grown < 300 * MiB, `engine RSS grew by ${Math.round(grown / MiB)} MiB`);
        process.stdout.write(`# figure: no-read client: ${sent} MiB accepted, engine RSS +${Math.round(grown / MiB)} MiB\n`);
        assert.equal(client.get('Статус'), 1, 'the connection itself is still there');
        const started = Date.now();
        assert.equal(client.call('Отключиться'), true);
        assert.ok(Date.now() - started < 5000, 'Отключиться does not wait for the stuck peer');
      } finally {
        client.destroy();
      }
    });
  });

  describe('our Server against hostile clients (raw TCP here)', () => {
    let server: AddInObject;
    let port = 0;
    before(() => {
      server = host.create(SERVER_TYPE);
      server.set('МаксимальныйРазмерСообщения', 4096);
      server.call('Запустить', '127.0.0.1', 0);
      port = server.get('Порт') as number;
      engine = sandbox.enginePids()[0] ?? 0;
    });
    after(() => server?.destroy());

    /** Connects a raw client, sends a valid «до», waits until the server has it; returns the client and its id. */
    async function connected(): Promise<{ raw: RawClient; id: number }> {
      const raw = await rawClient(port);
      assert.match(raw.response, /^HTTP\/1\.1 101 /);
      raw.socket.write(frame(1, 'до', { mask: true }));
      await delay(50);
      const id = out(0);
      const data = out('');
      assert.equal(server.call('Принять', 5000, id, data), true);
      assert.equal(data.value, 'до');
      return { raw, id: id.value as number };
    }

    const faults: Array<[string, () => Buffer, number | undefined]> = [
      ['an unmasked client frame', () => frame(1, 'unmasked'), 1002],
      ['invalid UTF-8', () => frame(1, Buffer.from([0x61, 0xc3, 0x28]), { mask: true }), 1007],
      ['RSV1 without an extension', () => Buffer.from([0xc1, 0x81, 1, 2, 3, 4, 0x79]), 1002],
      ['reserved opcode 3', () => frame(3, 'x', { mask: true }), 1002],
      ['a fragmented ping', () => frame(9, 'p', { mask: true, fin: false }), 1002],
      ['a ping with 126 bytes', () => frame(9, Buffer.alloc(126), { mask: true }), 1002],
      ['a continuation with nothing to continue', () => frame(0, 'x', { mask: true }), 1002],
      ['a 64-bit length with the top bit set', () => Buffer.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]), 1009],
      ['a frame over МаксимальныйРазмерСообщения (4097 > 4096)', () => frame(1, 'x'.repeat(4097), { mask: true }), 1009],
      ['a declared 2^40-byte frame', () => Buffer.from([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]), 1009],
      ['a close frame with code 999', () => frame(8, Buffer.from([0x03, 0xe7]), { mask: true }), 1002],
    ];
    for (const [label, bad, code] of faults) {
      it(`${label}: the server closes that connection (${code}); «до» was delivered; others unaffected`, async () => {
        const good = await connected();
        const { raw, id } = await connected();
        raw.socket.write(bad());
        assert.ok(await closedWithin(raw, 5000), 'the server closed the connection');
        assert.equal(raw.closeCode(), code);
        await waitFor(() => !ids(server).includes(id), 2000, `${id} to leave Соединения`);
        assert.ok(ids(server).includes(good.id));
        assert.equal(server.call('Принять', 100, out(), out()), false, 'nothing from the bad frame was delivered');
        good.raw.socket.write(frame(1, 'хороший', { mask: true }));
        await delay(50);
        const from = out(0);
        const data = out('');
        assert.equal(server.call('Принять', 5000, from, data), true);
        assert.deepEqual([from.value, data.value], [good.id, 'хороший']);
        good.raw.socket.destroy();
      });
    }

    it('a frame of exactly МаксимальныйРазмерСообщения (4096) is delivered', async () => {
      const { raw, id } = await connected();
      raw.socket.write(frame(1, 'я'.repeat(2048), { mask: true }));
      await delay(50);
      const from = out(0);
      const data = out('');
      assert.equal(server.call('Принять', 5000, from, data), true);
      assert.deepEqual([from.value, data.value], [id, 'я'.repeat(2048)]);
      raw.socket.destroy();
    });

    it('handshakes that are not WebSocket upgrades are refused; the server keeps serving', async () => {
      const cases: Array<[string, string | Buffer, RegExp | 'closed']> = [
        ['plain GET', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 426 /],
        ['version 7 (ws speaks 13 and 8)', upgradeRequest('/', { 'Sec-WebSocket-Version': '7' }), /^HTTP\/1\.1 (400|426) /],
        ['no key', upgradeRequest('/', { 'Sec-WebSocket-Key': '' }), /^HTTP\/1\.1 400 /],
        ['a key of the wrong length', upgradeRequest('/', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }), /^HTTP\/1\.1 400 /],
        ['POST', upgradeRequest('/').replace(/^GET/, 'POST'), /^HTTP\/1\.1 (400|405|426) /],
        ['32 KiB of headers', upgradeRequest('/', { 'X-Pad': 'a'.repeat(32 * 1024) }), /^HTTP\/1\.1 431 |closed/],
        ['binary garbage', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), /^HTTP\/1\.1 400 |closed/],
        ['a TLS ClientHello on a plain port', Buffer.from('16030100a5010000a10303', 'hex'), /^HTTP\/1\.1 400 |closed/],
      ];
      for (const [label, request, expected] of cases) {
        const raw = await rawClient(port, { request });
        if (expected === 'closed' || raw.response === '') assert.ok(raw.isClosed() || (await closedWithin(raw, 5000)), `${label}: closed`);
        else assert.match(raw.response, expected as RegExp, label);
        raw.socket.destroy();
      }
      const { raw } = await connected();
      raw.socket.destroy();
    });

    it('slowloris: 200 handshakes dribbling 1 byte every 200 ms and 200 silent connections are dropped within ~11 s; a real client is served meanwhile', async () => {
      const request = upgradeRequest('/', { 'X-Pad': 'a'.repeat(400) });
      const slow: RawClient[] = [];
      const silent: RawClient[] = [];
      const started = Date.now();
      for (let i = 0; i < 200; i++) {
        slow.push(await rawClient(port, { request: request.slice(0, 1), resolveOnConnect: true }));
        silent.push(await rawClient(port, { request: '', resolveOnConnect: true }));
      }
      let offset = 1;
      const dribble = setInterval(() => {
        for (const c of slow) if (!c.isClosed()) c.socket.write(request.slice(offset, offset + 1));
        offset++;
      }, 200);
      try {
        await delay(1000);
        const good = await connected();
        assert.ok(ids(server).includes(good.id));
        good.raw.socket.destroy();
        const all = [...slow, ...silent];
        await waitFor(() => all.every((c) => c.isClosed()), 20_000, 'every slow connection dropped');
        const elapsed = Date.now() - started;
        process.stdout.write(`# figure: slowloris: 400 connections dropped after ${elapsed} ms\n`);
        assert.ok(elapsed < 16_000, `dropped after ${elapsed} ms`);
        assert.ok(slow.every((c) => !c.response.startsWith('HTTP/1.1 101')), 'no slow handshake completed');
      } finally {
        clearInterval(dribble);
      }
      const after = await connected();
      after.raw.socket.destroy();
    });

    it('a client that stops reading: Отправить fails with outgoingBufferFull; engine memory stays bounded; Отключить frees it', async () => {
      const { raw, id } = await connected();
      raw.socket.pause();
      const before = rss(engine);
      const chunk = 'ж'.repeat(MiB / 2);
      let sent = 0;
      let failed = false;
      for (let i = 0; i < 500 && !failed; i++) {
        try {
          assert.equal(server.call('Отправить', id, chunk), true);
          sent++;
        } catch {
          failed = true;
        }
      }
      assert.ok(failed, `Отправить never failed (${sent} MiB)`);
      assert.match(server.call('ОписаниеОшибки') as string, /^Буфер отправки переполнен/);
      const grown = rss(engine) - before;
      process.stdout.write(`# figure: no-read server client: ${sent} MiB accepted, engine RSS +${Math.round(grown / MiB)} MiB\n`);
      assert.ok(sent >= 60 && sent <= 80, `${sent} MiB accepted`);
      assert.ok(grown < 300 * MiB, `engine RSS grew by ${Math.round(grown / MiB)} MiB`);
      assert.ok(ids(server).includes(id));
      const started = Date.now();
      assert.equal(server.call('Отключить', id), true);
      assert.ok(Date.now() - started < 2000);
      assert.ok(!ids(server).includes(id));
      raw.socket.destroy();
    });

    it('a client that vanishes (RST, no close frame) leaves Соединения at once', async () => {
      const { raw, id } = await connected();
      raw.socket.resetAndDestroy();
      await waitFor(() => !ids(server).includes(id), 5000, 'the vanished client to be dropped');
    });
  });

  describe('our Server with ИнтервалПинга against a client that goes silent', () => {
    it('drops a client that answers no ping (a vanished host with the TCP connection still open)', async () => {
      const server = host.create(SERVER_TYPE);
      try {
        server.set('ИнтервалПинга', 200);
        server.call('Запустить', '127.0.0.1', 0);
        const port = server.get('Порт') as number;
        const silent = await rawClient(port);
        assert.match(silent.response, /^HTTP\/1\.1 101 /);
        await waitFor(() => ids(server).length === 1, 5000, 'the client to be listed');
        const started = Date.now();
        await waitFor(() => ids(server).length === 0, 5000, 'the silent client to be dropped');
        const elapsed = Date.now() - started;
        process.stdout.write(`# figure: silent client dropped by server pings after ${elapsed} ms (interval 200 ms)\n`);
        assert.ok(silent.frames.some((f) => f.opcode === 9), 'the server pinged');
        assert.ok(await closedWithin(silent, 2000));
        silent.socket.destroy();
      } finally {
        server.destroy();
      }
    });
  });

  it('the engine survived all of it and the emulator\'s memory manager is clean', () => {
    assert.deepEqual(sandbox.enginePids(), [engine], 'the same engine process throughout');
    const client = host.create(CLIENT_TYPE);
    try {
      client.call('Подключиться', `${base}/echo`);
      client.call('Отправить', 'жив');
      const data = out('');
      assert.equal(client.call('Принять', 5000, data), true);
      assert.equal(data.value, 'жив');
    } finally {
      client.destroy();
    }
    host.close();
    host.assertClean();
  });
});


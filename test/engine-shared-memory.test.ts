/**
 * Shared memory for large message bodies (docs/protocol.md, "Shared memory") spoken to the bundled
 * engine over its socket, as the library does — with two temporary files of this test process as
 * the areas (the engine reopens them through /proc/<pid>/fd as it does the library's memfds): SHARE
 * is accepted only for the files named by their inode; a body at or above SHARED_FROM crosses in
 * the areas both ways, a smaller one through the socket; a batch ends before a large message; an
 * unverifiable SHARE leaves the connection on the socket.
 */
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { CLIENT, SERVER } from '../src/api/table.js';
import { SHARED_FROM } from '../src/daemon/shared.js';
import { Blob1C, Op, Writer } from '../src/daemon/wire.js';
import { TextBytes } from '../src/engine/message.js';
import { methodNumber as m, propNumber as p, suiteEngine } from './support/engine.js';
import { waitFor } from './support/wait.js';
import { WireClient, type WireResponse } from './support/wire-client.js';

interface Area {
  fd: number;
  ino: bigint;
}

function area(dir: string, name: string): Area {
  const fd = openSync(join(dir, name), 'w+');
  return { fd, ino: fstatSync(fd, { bigint: true }).ino };
}

/** A CALL whose one message argument is a body at the start of the out area. */
function sharedCall(methodId: number, binary: boolean, length: number, ...before: number[]): Writer {
  const writer = new Writer().u8(Op.Call).u16(methodId).u8(before.length + 1);
  for (const v of before) writer.value(v);
  return writer.shared(binary, 0, length);
}

describe('shared memory for large bodies (engine over its socket)', () => {
  const suite = suiteEngine('onec-ws-shared-');
  const { dir, socket } = suite;

  /** A client object connected to the echo server, its areas shared; `reads` counts bodies read from the in area. */
  async function sharedClient(name: string): Promise<{ c: WireClient; out: Area; into: Area; reads: number[] }> {
    const c = await WireClient.open(socket);
    assert.ok((await c.openObject(0)).ok);
    const out = area(dir, `${name}-out`);
    const into = area(dir, `${name}-in`);
    const r = await c.share(process.pid, out, into);
    assert.equal(r.ok, true);
    assert.equal(r.value, true, 'the engine opened and verified both areas');
    const reads: number[] = [];
    c.sharedIn = (offset, length) => {
      reads.push(length);
      const bytes = Buffer.alloc(length);
      assert.equal(readSync(into.fd, bytes, 0, length, offset), length);
      return bytes;
    };
    assert.ok((await c.call(m(CLIENT, 'Подключиться'), suite.echo.url)).ok);
    return { c, out, into, reads };
  }

  it('bodies at and above SHARED_FROM cross in the areas both ways, byte-exact; smaller ones through the socket', async () => {
    const { c, out, into, reads } = await sharedClient('both');
    for (const [size, binary] of [
      [SHARED_FROM - 1, true],
      [SHARED_FROM, true],
      [SHARED_FROM + 1, false],
      [3 * SHARED_FROM, false],
    ] as const) {
      const body = Buffer.alloc(size, binary ? 0xa5 : 0x61);
      body.write(binary ? '\u0000\u00ff' : 'Жё😀', 0);
      body[size - 1] = binary ? 0x5a : 0x7a;
      writeSync(out.fd, body, 0, size, 0);
      const sent = await c.request(sharedCall(m(CLIENT, 'Отправить'), binary, size));
      assert.equal(sent.ok, true, `${size}: sent from the out area`);
      const before = reads.length;
      const r: WireResponse = await c.call(m(CLIENT, 'Принять'), 5000, undefined);
      assert.equal(r.ok, true);
      const data = r.outs.get(1);
      const bytes = binary ? (data as Blob1C).bytes : (data as TextBytes).bytes;
      assert.ok(binary ? data instanceof Blob1C : data instanceof TextBytes, `${size}: kind kept`);
      assert.ok(bytes.equals(body), `${size}: the same bytes back`);
      assert.equal(reads.length - before, size >= SHARED_FROM ? 1 : 0, `${size}: through the in area only from SHARED_FROM`);
    }
    assert.ok(fstatSync(into.fd).size >= 3 * SHARED_FROM, 'the engine grew the in area by writing');
    c.close();
    closeSync(out.fd);
    closeSync(into.fd);
  });

  it('ПринятьСообщение gets a large body as its result through the in area', async () => {
    const { c, out, into, reads } = await sharedClient('message');
    const body = Buffer.alloc(SHARED_FROM + 7, 0x33);
    writeSync(out.fd, body, 0, body.length, 0);
    assert.ok((await c.request(sharedCall(m(CLIENT, 'Отправить'), true, body.length))).ok);
    const r = await c.call(m(CLIENT, 'ПринятьСообщение'), 5000);
    assert.ok(r.value instanceof Blob1C && r.value.bytes.equals(body));
    assert.deepEqual(reads, [body.length]);
    c.close();
    closeSync(out.fd);
    closeSync(into.fd);
  });

  it('a batch ends before a message that would cross in shared memory; that one comes with the next Принять', async () => {
    const s = await WireClient.open(socket);
    assert.ok((await s.openObject(1)).ok);
    const out = area(dir, 'batch-out');
    const into = area(dir, 'batch-in');
    assert.equal((await s.share(process.pid, out, into)).value, true);
    const reads: number[] = [];
    s.sharedIn = (offset, length) => {
      reads.push(length);
      const bytes = Buffer.alloc(length);
      readSync(into.fd, bytes, 0, length, offset);
      return bytes;
    };
    assert.ok((await s.call(m(SERVER, 'Запустить'), '127.0.0.1', 0)).ok);
    const port = (await s.get(p(SERVER, 'Порт'))).value as number;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // an empty first message leaves the whole batch budget: exactly SHARED_FROM bytes would fit it
    const large = Buffer.alloc(SHARED_FROM, 7);
    ws.send('');
    ws.send(large);
    ws.send('after');
    await waitFor(
      async () => (JSON.parse(String((await s.get(p(SERVER, 'Health'))).value)) as { queuedMessages: number }).queuedMessages === 3,
      10_000,
      '3 queued messages',
    );
    const first = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.equal((first.outs.get(2) as TextBytes).bytes.length, 0);
    assert.equal(first.more.length, 0, 'the large message is not batched');
    const second = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.ok((second.outs.get(2) as Blob1C).bytes.equals(large));
    assert.deepEqual(reads, [SHARED_FROM], 'it came through the in area');
    const third = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.equal((third.outs.get(2) as TextBytes).toString(), 'after');
    ws.close();
    await s.call(m(SERVER, 'Остановить'));
    s.close();
    closeSync(out.fd);
    closeSync(into.fd);
  });

  it('refuses areas it cannot verify (a wrong inode, an fd that is not open); the connection stays on the socket', async () => {
    const c = await WireClient.open(socket);
    assert.ok((await c.openObject(0)).ok);
    const out = area(dir, 'wrong-out');
    const into = area(dir, 'wrong-in');
    const wrong = await c.share(process.pid, out, { fd: into.fd, ino: into.ino + 1n });
    assert.equal(wrong.ok, true);
    assert.equal(wrong.value, false, 'a wrong inode is refused');
    assert.equal((await c.share(process.pid, out, { fd: 99_999, ino: into.ino })).value, false, 'an fd not open is refused');
    assert.equal((await c.share(0x7ffffff0, out, into)).value, false, 'a pid that does not exist is refused');
    // nothing shared: a request naming the area is an error, and the socket path works as before
    assert.ok((await c.call(m(CLIENT, 'Подключиться'), suite.echo.url)).ok);
    const named = await c.request(sharedCall(m(CLIENT, 'Отправить'), true, 10));
    assert.equal(named.ok, false, 'a shared body without shared memory is refused');
    const body = Buffer.alloc(SHARED_FROM + 1, 0x42);
    assert.ok((await c.call(m(CLIENT, 'Отправить'), new Blob1C(body))).ok);
    const r = await c.call(m(CLIENT, 'Принять'), 5000, undefined);
    assert.ok((r.outs.get(1) as Blob1C).bytes.equals(body), 'a large body back through the socket');
    c.close();
    closeSync(out.fd);
    closeSync(into.fd);
  });
});

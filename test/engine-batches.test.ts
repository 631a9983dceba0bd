/**
 * Batches and send grants (docs/protocol.md) spoken to the bundled engine over its socket, as the
 * library does: a Receive answer carries the messages already queued behind the first; TAKEN says
 * what became of them (taken, or given back to the head of the queue — also when the object goes
 * away without saying); a response grants Send while the connection can take it; a POST is a CALL
 * that gets no answer.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { CLIENT, SERVER } from '../src/api/table.js';
import { Blob1C } from '../src/daemon/wire.js';
import { TextBytes } from '../src/engine/message.js';
import { methodNumber as m, propNumber as p, suiteEngine } from './support/engine.js';
import { waitFor } from './support/wait.js';
import { receivedData, receivedText, WireClient, type WireResponse } from './support/wire-client.js';

/** A ws client of our server object, collecting what it is sent. */
async function peer(port: number): Promise<{ ws: WebSocket; got: Array<string | Buffer> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const got: Array<string | Buffer> = [];
  ws.on('message', (data: Buffer, binary: boolean) => got.push(binary ? data : data.toString()));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, got };
}

async function queued(s: WireClient, count: number): Promise<void> {
  await waitFor(
    async () => (JSON.parse(String((await s.get(p(SERVER, 'Health'))).value)) as { queuedMessages: number }).queuedMessages === count,
    10_000,
    `${count} queued messages`,
  );
}

/** [id, data] of a Receive answer and of each batched result. */
function received(r: WireResponse): Array<[unknown, unknown]> {
  assert.equal(r.ok, true);
  return [r, ...r.more].map((x) => [x.outs.get(1), receivedData(x.outs.get(2))]);
}

describe('batches and send grants (engine over its socket)', () => {
  const suite = suiteEngine('onec-ws-batches-', { graceMs: 30_000 });
  const { socket } = suite;
  before(async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // bound is not yet listening
  });

  /** A server object (its own engine session) on a free port, a `ws` peer connected, `messages` from it queued. */
  async function serverWithPeer(
    messages: ReadonlyArray<string | Buffer>,
    owner = '',
  ): Promise<{ s: WireClient; port: number; a: Awaited<ReturnType<typeof peer>> }> {
    const s = await WireClient.open(socket);
    assert.ok((await s.openObject(1)).ok);
    if (owner !== '') assert.ok((await s.set(p(SERVER, 'Владелец'), owner)).ok);
    assert.ok((await s.call(m(SERVER, 'Запустить'), '127.0.0.1', 0)).ok);
    const port = (await s.get(p(SERVER, 'Порт'))).value as number;
    const a = await peer(port);
    for (const message of messages) a.ws.send(message);
    await queued(s, messages.length);
    return { s, port, a };
  }

  it('a Receive answer carries the messages queued behind the first, in order, text and binary', async () => {
    const { s, a } = await serverWithPeer(['one', 'two', 'three', Buffer.from([1, 2, 3])]);
    const r = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    const items = received(r);
    assert.ok(r.outs.get(2) instanceof TextBytes, 'received text crosses as UTF-8 (tag 9)');
    assert.deepEqual(items.slice(0, 3), [
      [1, 'one'],
      [1, 'two'],
      [1, 'three'],
    ]);
    assert.ok(items[3]?.[1] instanceof Blob1C);
    assert.deepEqual([...(items[3]?.[1] as Blob1C).bytes], [1, 2, 3]);
    assert.deepEqual(
      r.more.map((x) => x.value),
      [true, true, true],
    );
    // the engine only knows what the library reports: the first message was the answer itself
    assert.equal((await s.get(p(SERVER, 'ДвоичноеСообщение'))).value, false);
    s.taken(3, false);
    assert.equal((await s.get(p(SERVER, 'ДвоичноеСообщение'))).value, true, 'the last one taken was binary');
    a.ws.close();
    await s.call(m(SERVER, 'Остановить'));
    s.close();
  });

  it('TAKEN with the rest given up: those come back first, before newer messages', async () => {
    const { s, a } = await serverWithPeer(['m1', 'm2', 'm3', 'm4', 'm5']);
    const first = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.deepEqual(
      received(first).map(([, d]) => d),
      ['m1', 'm2', 'm3', 'm4', 'm5'],
    );
    s.taken(2, true); // BSL took m2 and m3; m4 and m5 go back
    a.ws.send('m6');
    await queued(s, 3);
    const again = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.deepEqual(
      received(again).map(([, d]) => d),
      ['m4', 'm5', 'm6'],
    );
    a.ws.close();
    await s.call(m(SERVER, 'Остановить'));
    s.close();
  });

  it('a reader that ignores batches still gets every message once (the next Receive gives them back first)', async () => {
    const { s, a } = await serverWithPeer(['m1', 'm2', 'm3']);
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) seen.push(receivedText((await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined)).outs.get(2)));
    assert.deepEqual(seen, ['m1', 'm2', 'm3']);
    a.ws.close();
    await s.call(m(SERVER, 'Остановить'));
    s.close();
  });

  it('an object that goes away gives its batch back: a parked server keeps it for the next object', async () => {
    const { s: job1, port, a } = await serverWithPeer(['m1', 'm2', 'm3', 'm4'], 'File="/srv/1c/base";');
    const r = await job1.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.equal(r.more.length, 3);
    job1.taken(1, false); // m2 was handed to BSL; m3 and m4 were not
    job1.close(); // without Остановить: the server is parked
    const job2 = await WireClient.open(socket);
    assert.ok((await job2.openObject(1)).ok);
    assert.ok((await job2.set(p(SERVER, 'Владелец'), 'File="/srv/1c/base";')).ok);
    await waitFor(async () => (await job2.call(m(SERVER, 'Запустить'), '127.0.0.1', port)).ok, 10_000, 're-attach');
    const next = await job2.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    assert.deepEqual(
      received(next).map(([, d]) => d),
      ['m3', 'm4'],
    );
    a.ws.close();
    await job2.call(m(SERVER, 'Остановить'));
    job2.close();
  });

  it('a connected client is granted Send; a POST sends without an answer; no grant once disconnected', async () => {
    const c = await WireClient.open(socket);
    assert.equal((await c.openObject(0)).grant, undefined, 'nothing to send to yet');
    const connected = await c.call(m(CLIENT, 'Подключиться'), suite.echo.url);
    assert.equal(connected.ok, true);
    assert.equal(connected.grant?.methodId, m(CLIENT, 'Отправить'));
    assert.equal(connected.grant?.keys, undefined);
    assert.ok((connected.grant?.credit ?? 0) > 1 << 20);
    c.post(m(CLIENT, 'Отправить'), 'posted 1');
    c.post(m(CLIENT, 'Отправить'), new Blob1C(Buffer.from('posted 2')));
    c.post(m(CLIENT, 'Отправить'), new TextBytes(Buffer.from('posted 3: текст как UTF-8')));
    const echoed: unknown[] = [];
    while (echoed.length < 3) {
      const r = await c.call(m(CLIENT, 'Принять'), 5000, undefined);
      echoed.push(...[r, ...r.more].map((x) => receivedData(x.outs.get(1))));
    }
    assert.equal(echoed[0], 'posted 1');
    assert.deepEqual([...(echoed[1] as Blob1C).bytes], [...Buffer.from('posted 2')]);
    assert.equal(echoed[2], 'posted 3: текст как UTF-8', 'UTF-8 text goes out as a text frame');
    assert.ok((await c.call(m(CLIENT, 'Отключиться'))).ok);
    const status = await c.get(p(CLIENT, 'Статус'));
    assert.equal(status.grant, undefined);
    // a POST the engine cannot carry out is dropped without an answer; the next request is answered
    c.post(m(CLIENT, 'Отправить'), 'too late');
    const send = await c.call(m(CLIENT, 'Отправить'), 'too late');
    assert.equal(send.ok, false);
    c.close();
  });

  it("a server's grant names the connections it last heard of that are still open", async () => {
    const { s, port, a } = await serverWithPeer(['from a']);
    const b = await peer(port);
    b.ws.send('from b');
    await queued(s, 2);
    const r = await s.call(m(SERVER, 'Принять'), 1000, undefined, undefined);
    s.taken(r.more.length, false);
    assert.equal(r.grant?.methodId, m(SERVER, 'Отправить'));
    assert.deepEqual([...(r.grant?.keys ?? [])].sort(), [1, 2]);
    s.post(m(SERVER, 'Отправить'), 1, 'to a');
    s.post(m(SERVER, 'Отправить'), 2, 'to b');
    await waitFor(() => a.got.length === 1 && b.got.length === 1, 10_000, 'answers');
    assert.deepEqual([a.got[0], b.got[0]], ['to a', 'to b']);
    a.ws.close();
    await waitFor(async () => !/(^|\| )1: /.test(String((await s.get(p(SERVER, 'Соединения'))).value)), 10_000, 'a closed');
    const after = await s.get(p(SERVER, 'Порт'));
    assert.deepEqual(after.grant?.keys, [2]);
    b.ws.close();
    await s.call(m(SERVER, 'Остановить'));
    s.close();
  });
});

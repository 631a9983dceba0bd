/**
 * The engine side of external events, in process: a receive queue lending its head
 * (src/engine/queue.ts) and the feed that offers messages and notices one at a time
 * (src/daemon/event-feed.ts). Through the add-in: test/addin-external-events.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT } from '../src/api/table.js';
import { EventFeed, EventStream } from '../src/daemon/event-feed.js';
import { MessageQueue } from '../src/engine/queue.js';

const queue = (): MessageQueue<string> =>
  new MessageQueue<string>((s) => s.length, { pause: () => undefined, resume: () => undefined }, Infinity, Infinity);
const prop = (en: string) => CLIENT.props.find((p) => p.en === en)!;
const pending = async <T>(p: Promise<T>): Promise<boolean> => {
  const marker = Symbol('pending');
  return (await Promise.race([p, new Promise((r) => setTimeout(() => r(marker), 20))])) === marker;
};

function feedOn(q: MessageQueue<string>): { feed: EventFeed<string>; stream: EventStream } {
  const feed = new EventFeed<string>((m) => ({ name: 'message', data: m }));
  feed.attach(q);
  const token = feed.set(prop('ExternalEvents'), true) as string;
  const stream = new EventStream();
  stream.subscribe(token);
  return { feed, stream };
}

describe('receive queue: batches', () => {
  it('takeReady stops at the count or at the first item that would exceed the bytes, the first included', () => {
    const q = queue();
    for (const item of ['aaaa', 'bb', 'cccccccc', 'd']) q.push(item);
    assert.deepEqual(q.takeReady(10, 3), [], 'a first item larger than the room stays queued');
    assert.deepEqual(q.takeReady(10, -5), [], 'no room at all');
    assert.deepEqual(q.takeReady(10, 7), ['aaaa', 'bb']);
    assert.deepEqual(q.takeReady(1, Infinity), ['cccccccc']);
    assert.equal(q.length, 1);
    assert.equal(q.bytes, 1);
  });
});

describe('receive queue: lending the head', () => {
  it('a lent head is neither taken nor skipped until it is settled', async () => {
    const q = queue();
    q.push('a');
    q.push('b');
    const loan = q.lend();
    assert.deepEqual(loan, { item: 'a', position: 0 });
    assert.equal(q.lend(), undefined, 'one loan at a time');
    const taking = q.take(0);
    assert.equal(await pending(taking), true, 'Receive waits for the lent head');
    q.settle(0, false); // refused: the head is available again
    assert.deepEqual(await taking, { received: true, value: 'a' });
    assert.deepEqual(q.lend(), { item: 'b', position: 1 });
    q.settle(1, true); // taken by the borrower
    assert.equal(q.length, 0);
    assert.equal(q.headPosition, 2);
  });

  it('a waiting Receive comes before a loan; closing waits for a lent head to be settled', async () => {
    const q = queue();
    const waiting = q.take(0);
    assert.equal(q.lend(), undefined);
    q.push('x');
    assert.deepEqual(await waiting, { received: true, value: 'x' });
    q.push('y');
    q.lend();
    const last = q.take(0);
    q.close();
    assert.equal(await pending(last), true);
    q.settle(1, true);
    assert.deepEqual(await last, { received: false }, 'taken by the borrower, the queue is closed and empty');
  });
});

describe('external event feed', () => {
  it('offers notices and messages in the order they happened, one at a time', async () => {
    const q = queue();
    const { feed, stream } = feedOn(q);
    feed.notice('open', 'ws://x/');
    q.push('m1');
    q.push('m2');
    feed.notice('close', '{}');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e = await stream.next();
      seen.push(`${e.source} ${e.name} ${e.data}`);
      stream.ack(e.seq, true);
    }
    assert.deepEqual(seen, ['WebSocket open ws://x/', 'WebSocket message m1', 'WebSocket message m2', 'WebSocket close {}']);
    assert.equal(q.length, 0, 'taken messages left the queue');
    feed.dispose();
  });

  it('a refused message stays for Принять; the next offer comes after a delay and is whatever heads the queue then', async () => {
    const q = queue();
    const { feed, stream } = feedOn(q);
    q.push('m1');
    q.push('m2');
    const first = await stream.next();
    assert.equal(first.data, 'm1');
    stream.ack(first.seq, false);
    assert.deepEqual(await q.take(0), { received: true, value: 'm1' }, 'Принять gets the refused message');
    const started = Date.now();
    const second = await stream.next();
    assert.equal(second.data, 'm2');
    assert.ok(Date.now() - started >= 5, 'offered again only after a pause');
    stream.ack(second.seq, true);
    assert.equal(q.length, 0);
    feed.dispose();
  });

  it('an event not answered when the events connection closes goes back; switching off ends NEXT', async () => {
    const q = queue();
    const { feed, stream } = feedOn(q);
    q.push('m1');
    const e = await stream.next();
    stream.close();
    assert.deepEqual(await q.take(0), { received: true, value: 'm1' });

    const again = new EventStream();
    again.subscribe(feed.token);
    const waiting = again.next();
    feed.set(prop('ExternalEvents'), false);
    await assert.rejects(waiting, /выключены/);
    assert.throws(() => new EventStream().subscribe(feed.token), /выключены/);
    assert.notEqual(e.seq, 0);
    feed.dispose();
  });

  it('settings: source, depth at least 1', () => {
    const feed = new EventFeed<string>((m) => ({ name: 'message', data: m }));
    feed.set(prop('EventSource'), 'Чат');
    assert.equal(feed.get(prop('EventSource')), 'Чат');
    assert.throws(() => feed.set(prop('EventBufferDepth'), 0), /не меньше 1/);
    feed.set(prop('EventBufferDepth'), 25);
    assert.equal(feed.get(prop('EventBufferDepth')), 25);
    assert.equal(feed.get(prop('ExternalEvents')), false);
  });
});

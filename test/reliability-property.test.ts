/**
 * Property-based tests with fast-check (fixed seeds: a failure prints its seed and shrunk case and
 * is reproducible), docs/reliability.md "Property-based":
 *  - the library ↔ engine wire format (src/daemon/wire.ts): any value round-trips exactly, under
 *    any chunking of the byte stream; the reader never fails other than with its own two errors;
 *  - the engine process fed random requests (valid and not) never dies and keeps answering;
 *  - a live WebSocket server fed random frame sequences (valid and not, masked and not, fragmented,
 *    split at random points) never crashes, delivers exactly the messages completed before the first
 *    violation, and closes the connection iff there was one — checked against a small RFC 6455 model;
 *  - random handshakes: upgraded iff the request is a valid upgrade, otherwise refused; never a crash.
 */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Blob1C, Date1C, FrameSplitter, MAX_FRAME, Reader, Unsupported, Writer, type WireValue } from '../src/daemon/wire.js';
import { Server } from '../src/engine/server.js';
import { engineSocketReady, spawnEngine } from './support/engine.js';
import { closedWithin, rawClient, UPGRADE_KEY } from './support/raw-client.js';
import { waitFor } from './support/wait.js';
import { WireClient } from './support/wire-client.js';

const SEED = 20_260_501;

// ---------- the wire format ----------

const utf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 64 }).map((units) => String.fromCharCode(...units));
const wireValue: fc.Arbitrary<WireValue> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  fc.double(),
  fc.oneof(utf16, fc.string({ unit: 'binary', maxLength: 32 })),
  fc.uint8Array({ maxLength: 64 }).map((b) => new Blob1C(Buffer.from(b))),
  fc.double().map((ms) => new Date1C(ms)),
  fc.integer({ min: 0, max: 0xffff }).map((vt) => new Unsupported(vt)),
);

/** What the reader must give back for `v`: -0 travels as the whole number 0. */
function expected(v: WireValue): unknown {
  if (typeof v === 'number' && Object.is(v, -0)) return 0;
  if (v instanceof Blob1C) return { blob: [...v.bytes] };
  if (v instanceof Date1C) return { date: Object.is(v.ms, -0) ? -0 : v.ms };
  if (v instanceof Unsupported) return { vt: v.vt };
  return v;
}
function normalize(v: WireValue): unknown {
  if (v instanceof Blob1C) return { blob: [...v.bytes] };
  if (v instanceof Date1C) return { date: v.ms };
  if (v instanceof Unsupported) return { vt: v.vt };
  return v;
}

/** Splits `bytes` at the given cut points (sorted, deduplicated). */
function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

describe('property: the wire format', () => {
  it('any list of frames of any values round-trips exactly through FrameSplitter under any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.integer({ min: 0, max: 255 }), values: fc.array(wireValue, { maxLength: 8 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, cuts) => {
          const stream = Buffer.concat(
            frames.map(({ op, values }) => {
              const w = new Writer().u8(op);
              for (const v of values) w.value(v);
              return w.finish();
            }),
          );
          const splitter = new FrameSplitter();
          const got = chunked(stream, cuts).flatMap((c) => splitter.push(c));
          assert.equal(got.length, frames.length);
          got.forEach((body, i) => {
            const reader = new Reader(body);
            assert.equal(reader.u8(), frames[i]?.op);
            for (const v of frames[i]?.values ?? []) assert.deepEqual(normalize(reader.value()), expected(v));
            assert.throws(() => reader.u8(), /truncated frame/, 'nothing left over');
          });
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('strings keep every UTF-16 unit, lone surrogates and NUL included', () => {
    fc.assert(
      fc.property(utf16, (s) => {
        const body = new FrameSplitter().push(new Writer().value(s).finish())[0] as Buffer;
        const back = new Reader(body).value() as string;
        assert.equal(back.length, s.length);
        for (let i = 0; i < s.length; i++) assert.equal(back.charCodeAt(i), s.charCodeAt(i));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a frame longer than 1 GiB is refused by its length alone, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_FRAME + 1, max: 0xffffffff }), fc.array(fc.nat(), { maxLength: 6 }), (length, cuts) => {
        const head = Buffer.alloc(8);
        head.writeUInt32LE(length, 0);
        const splitter = new FrameSplitter();
        assert.throws(() => chunked(head, cuts).forEach((c) => splitter.push(c)), /too large/);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('the reader on arbitrary bytes returns values or fails with "truncated frame" / "unknown value tag", nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const reader = new Reader(Buffer.from(bytes));
        try {
          for (let i = 0; i < 70; i++) reader.value();
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^(truncated frame|unknown value tag \d+)$/);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

// ---------- the engine process ----------

describe('property: the engine process under random requests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onec-ws-prop-'));
  const socket = join(dir, 'engine.sock');
  let engine: ChildProcess;
  let stderr = '';

  before(async () => {
    engine = spawnEngine(socket, { idleMs: 0, stdio: ['ignore', 'ignore', 'pipe'] });
    engine.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await engineSocketReady(socket);
  });
  after(() => {
    engine.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const request = fc.oneof(
    // anything at all in a frame
    fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b)),
    // OPEN with any version and class
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), wireValue).map(([v, c, l]) => Buffer.concat([Buffer.from([1]), u16(v), Buffer.from([c]), valueBytes(l)])),
    // CALL / GET / SET / LOCALE with any ids and any values (no Connect/Run: they would reach out)
    fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 30 }), fc.array(wireValue, { maxLength: 6 })).map(([op, id, values]) =>
      Buffer.concat([Buffer.from([op]), u16(op === 2 && (id === 0) ? 1 : id), Buffer.from([values.length]), ...values.map(valueBytes)]),
    ),
  );

  it('300 connections of random frames: every one answered or the connection closed, the engine alive and serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 12 }), fc.boolean(), async (frames, openFirst) => {
        const conn = connect(socket);
        await new Promise<void>((resolve, reject) => {
          conn.once('connect', resolve);
          conn.once('error', reject);
        });
        let answered = 0;
        const splitter = new FrameSplitter();
        conn.on('data', (c: Buffer) => (answered += splitter.push(c).length));
        conn.on('error', () => undefined);
        const framesOut = openFirst ? [Buffer.concat([Buffer.from([1]), u16(1), Buffer.from([0]), valueBytes('ru')]), ...frames] : frames;
        for (const body of framesOut) {
          const head = Buffer.alloc(4);
          head.writeUInt32LE(body.length, 0);
          conn.write(Buffer.concat([head, body]));
        }
        await new Promise((r) => setTimeout(r, 15));
        conn.destroy();
        assert.equal(engine.exitCode, null, `engine exited: ${stderr}`);
        assert.ok(answered <= framesOut.length);
      }),
      { seed: SEED, numRuns: 300 },
    );
    // and it still serves a well-formed object
    const probe = await WireClient.open(socket);
    assert.ok((await probe.openObject(1)).ok);
    assert.equal((await probe.get(1)).value, 0);
    probe.close();
    assert.equal(engine.exitCode, null);
    assert.doesNotMatch(stderr, /uncaught/i, 'no uncaught exception in the engine');
  });
});

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff, 0);
  return b;
}
function valueBytes(v: WireValue): Buffer {
  return new Writer().value(v).finish().subarray(4);
}

// ---------- a live WebSocket server under random frames ----------

interface FrameSpec {
  opcode: number;
  fin: boolean;
  mask: boolean;
  rsv: number;
  payload: Buffer;
}

const MAX_PAYLOAD = 1000;

/** Encodes a client frame exactly as specified (rules broken on purpose when the spec says so). */
function encode(f: FrameSpec): Buffer {
  const len = f.payload.length;
  const head: number[] = [(f.fin ? 0x80 : 0) | (f.rsv << 4) | f.opcode];
  const m = f.mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else head.push(m | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  if (!f.mask) return Buffer.concat([Buffer.from(head), f.payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(f.payload.map((b, i) => b ^ (key[i % 4] as number)));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/**
 * RFC 6455 as the server must apply it: the messages completed before the first violation, and
 * whether there was one (then the server must close the connection).
 */
function model(frames: FrameSpec[]): { messages: Array<string | Buffer>; violation: boolean } {
  const messages: Array<string | Buffer> = [];
  let fragments: Buffer[] | undefined;
  let fragmentOpcode = 0;
  for (const f of frames) {
    const control = f.opcode >= 8;
    if (!f.mask || f.rsv !== 0) return { messages, violation: true };
    if ((f.opcode >= 3 && f.opcode <= 7) || f.opcode >= 11) return { messages, violation: true };
    if (control) {
      if (!f.fin || f.payload.length > 125) return { messages, violation: true };
      continue; // ping/pong (no close frames are generated)
    }
    if (f.opcode === 0 && !fragments) return { messages, violation: true };
    if (f.opcode !== 0 && fragments) return { messages, violation: true };
    if (f.opcode !== 0) {
      fragments = [];
      fragmentOpcode = f.opcode;
    }
    (fragments as Buffer[]).push(f.payload);
    const total = (fragments as Buffer[]).reduce((n, b) => n + b.length, 0);
    if (total > MAX_PAYLOAD) return { messages, violation: true };
    if (f.fin) {
      const whole = Buffer.concat(fragments as Buffer[]);
      fragments = undefined;
      if (fragmentOpcode === 1) {
        if (!isUtf8(whole)) return { messages, violation: true };
        messages.push(whole.toString('utf8'));
      } else messages.push(whole);
    }
  }
  return { messages, violation: false };
}

const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Buffer.from(s, 'utf8'));
const bytes = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b));

/** A valid message: text or binary, split into fragments, with pings and pongs between them. */
const message = fc.record({
  opcode: fc.constantFrom(1, 2),
  payload: fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: fc.integer({ min: 990, max: 1000 }).map((n) => Buffer.alloc(n, 0x61)) }),
  cuts: fc.array(fc.nat(), { maxLength: 3 }),
  pings: fc.array(fc.record({ opcode: fc.constantFrom(9, 10), payload: bytes }), { maxLength: 2 }),
});

function messageFrames(m: { opcode: number; payload: Buffer; cuts: number[]; pings: Array<{ opcode: number; payload: Buffer }> }): FrameSpec[] {
  const parts = chunked(m.payload, m.cuts);
  const frames: FrameSpec[] = parts.map((p, i) => ({ opcode: i === 0 ? m.opcode : 0, fin: i === parts.length - 1, mask: true, rsv: 0, payload: p }));
  m.pings.forEach((ping, i) => frames.splice(1 + (i % frames.length), 0, { ...ping, fin: true, mask: true, rsv: 0 }));
  return frames;
}

/** One rule broken somewhere (or not): the model decides what that means for delivery. */
const mutation = fc.option(
  fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('unmasked', 'rsv', 'reserved-opcode', 'fragmented-ping', 'long-ping', 'orphan-continuation', 'invalid-utf8', 'oversized', 'drop-fin', 'new-message-inside'),
  }),
  { freq: 2 },
);

function mutate(frames: FrameSpec[], m: { at: number; kind: string } | null): FrameSpec[] {
  if (!m) return frames;
  const out = frames.map((f) => ({ ...f }));
  const i = m.at % out.length;
  const f = out[i] as FrameSpec;
  const insert = (g: FrameSpec): void => void out.splice(i, 0, g);
  const base = { fin: true, mask: true, rsv: 0 };
  switch (m.kind) {
    case 'unmasked':
      f.mask = false;
      break;
    case 'rsv':
      f.rsv = 1 + (m.at % 7);
      break;
    case 'reserved-opcode':
      insert({ ...base, opcode: [3, 7, 11, 15][m.at % 4] as number, payload: Buffer.from('x') });
      break;
    case 'fragmented-ping':
      insert({ ...base, opcode: 9, fin: false, payload: Buffer.from('p') });
      break;
    case 'long-ping':
      insert({ ...base, opcode: 9, payload: Buffer.alloc(126) });
      break;
    case 'orphan-continuation':
      insert({ ...base, opcode: 0, payload: Buffer.from('o') });
      break;
    case 'invalid-utf8':
      insert({ ...base, opcode: 1, payload: Buffer.from([0x61, 0xff, 0x62]) });
      break;
    case 'oversized':
      insert({ ...base, opcode: 2, payload: Buffer.alloc(MAX_PAYLOAD + 1) });
      break;
    case 'drop-fin':
      if (f.opcode < 8) f.fin = false;
      break;
    case 'new-message-inside':
      insert({ ...base, opcode: 1, fin: false, payload: Buffer.from('a') });
      insert({ ...base, opcode: 1, payload: Buffer.from('b') });
      break;
  }
  return out;
}

const frameSequence = fc
  .tuple(fc.array(message, { minLength: 1, maxLength: 5 }), mutation)
  .map(([messages, m]) => mutate(messages.flatMap(messageFrames), m));

describe('property: a live server under random frames and handshakes', () => {
  let server: Server;
  before(async () => {
    server = new Server({ limits: { maxMessageSize: MAX_PAYLOAD } });
    await server.run('127.0.0.1', 0);
  });
  after(async () => server.stop());

  it('delivers exactly the messages before the first violation, and closes iff there was one (150 random sequences, random chunking)', async () => {
    let violations = 0;
    let delivered = 0;
    await fc.assert(
      fc.asyncProperty(frameSequence, fc.array(fc.nat(), { maxLength: 8 }), async (frames, cuts) => {
        const want = model(frames);
        const raw = await rawClient(server.port);
        assert.match(raw.response, /^HTTP\/1\.1 101 /);
        for (const chunk of chunked(Buffer.concat(frames.map(encode)), cuts)) raw.socket.write(chunk);
        const got: Array<string | Buffer> = [];
        // take what arrives; stop once the model's count is reached and a short quiet period passed
        for (;;) {
          const taken = await server.receive(got.length < want.messages.length ? 3000 : 60);
          if (!taken.received) break;
          got.push(taken.value.data);
        }
        assert.deepEqual(got, want.messages);
        const closed = await closedWithin(raw, want.violation ? 3000 : 60);
        assert.equal(closed, want.violation, want.violation ? 'the server must close after a violation' : 'the server must keep a valid connection');
        if (want.violation) violations++;
        delivered += got.length;
        raw.socket.destroy();
      }),
      { seed: SEED, numRuns: 150 },
    );
    process.stdout.write(`# figure: random frame sequences: 150 runs, ${violations} with a violation, ${delivered} messages delivered\n`);
    assert.ok(violations > 20 && violations < 130, `the generator exercises both outcomes (${violations} violations)`);
    await waitFor(() => server.connectionIds.length === 0, 5000, 'every test connection gone');
  });

  const header = (name: string, values: string[]): fc.Arbitrary<string | undefined> =>
    fc.oneof({ weight: 5, arbitrary: fc.constant(values[0]) }, { weight: 2, arbitrary: fc.constantFrom(...values.slice(1), undefined) }).map((v) => (v === undefined ? undefined : `${name}: ${v}`));

  it('random handshakes: 101 iff the request is a valid upgrade; otherwise an HTTP error or a close (200 runs)', async () => {
    let upgraded = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD'),
          // ws upgrades an HTTP/1.0 request too (RFC 6455 asks for 1.1): harmless, so both count as valid
          version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'),
          upgrade: header('Upgrade', ['websocket', 'WebSocket', 'h2c', '']),
          connection: header('Connection', ['Upgrade', 'keep-alive, Upgrade', 'close', '']),
          key: header('Sec-WebSocket-Key', [UPGRADE_KEY, 'c2hvcnQ=', '!!!', '']),
          wsVersion: header('Sec-WebSocket-Version', ['13', '8', '7', 'abc', '']),
          junk: fc.option(fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => `X-Junk: ${s.replace(/[\r\n]/g, '')}`), { nil: undefined }),
        }),
        async (r) => {
          const lines = [r.upgrade, r.connection, r.key, r.wsVersion, r.junk].filter((l): l is string => l !== undefined);
          const request = `${r.method} /p HTTP${r.version.slice(4)}\r\nHost: x\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
          const valid =
            r.method === 'GET' &&
            /^Upgrade: websocket$/i.test(r.upgrade ?? '') &&
            /^Connection: .*\bUpgrade\b/i.test(r.connection ?? '') &&
            r.key === `Sec-WebSocket-Key: ${UPGRADE_KEY}` &&
            /^Sec-WebSocket-Version: (13|8)$/.test(r.wsVersion ?? '') &&
            // the HTTP parser refuses control characters in a header value
            (r.junk === undefined || /^X-Junk: [\t\x20-\x7e]*$/.test(r.junk));
          const raw = await rawClient(server.port, { request });
          if (!raw.response && !raw.isClosed()) await closedWithin(raw, 3000);
          const switched = raw.response.startsWith('HTTP/1.1 101 ');
          assert.equal(switched, valid, `${JSON.stringify(request)} → ${JSON.stringify(raw.response.split('\r\n')[0] ?? '(closed)')}`);
          if (valid) upgraded++;
          else assert.ok(raw.response === '' || /^HTTP\/1\.1 [45]\d\d /.test(raw.response), raw.response);
          raw.socket.destroy();
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
    process.stdout.write(`# figure: random handshakes: 200 runs, ${upgraded} upgraded\n`);
    assert.ok(upgraded > 5, `some handshakes are valid (${upgraded})`);
    await waitFor(() => server.connectionIds.length === 0, 5000, 'every test connection gone');
  });
});

/**
 * The baseline of the client cases: a Node program with a plain `ws` client doing what the C
 * driver does through the add-in, against the same echo peer (see bench-driver.c for the modes).
 *
 *   ws-client rt URL SIZE INFLIGHT ROUNDS | stream URL SIZE COUNT | large URL SIZE text|binary COUNT
 *
 * Prints one JSON line; "large" prints "ready connected" first and waits for a line on stdin, and
 * stays alive after its result until stdin ends (so its peak memory can be read).
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [mode, url, sizeArg, ...rest] = process.argv.slice(2);
if (!mode || !url || !sizeArg) throw new Error('usage: ws-client MODE URL SIZE ...');
const size = Number(sizeArg);
const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
await new Promise<void>((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});

// A peer that goes away mid-run must end the run, not leave it waiting for messages forever.
let finished = false;
ws.on('close', (code) => {
  if (finished) return;
  process.stderr.write(`ws-client: the peer closed the connection (${code}) before the run ended\n`);
  process.exit(1);
});

/** Messages as they arrive, taken one at a time (the shape of a Receive loop). */
const arrived: Array<Buffer | string> = [];
let wake: (() => void) | undefined;
ws.on('message', (data: Buffer, isBinary: boolean) => {
  arrived.push(isBinary ? data : data.toString('utf8'));
  wake?.();
});
let head = 0;
async function receive(): Promise<Buffer | string> {
  while (head >= arrived.length) await new Promise<void>((resolve) => (wake = resolve));
  const m = arrived[head] as Buffer | string;
  arrived[head++] = '';
  if (head > 4096) {
    arrived.splice(0, head);
    head = 0;
  }
  return m;
}
function check(m: Buffer | string): void {
  if (m.length !== size) throw new Error(`unexpected message size ${m.length}`);
}

/** The C driver's text: a, b, c … z, a, b … */
const text = (n: number): string => 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(n / 26)).slice(0, n);

if (mode === 'rt') {
  const inflight = Number(rest[0]);
  const rounds = Number(rest[1]);
  const body = text(size);
  let t0 = 0n;
  for (let r = -Math.floor(rounds / 10) - 1; r < rounds; r++) {
    if (r === 0) t0 = process.hrtime.bigint();
    for (let i = 0; i < inflight; i++) ws.send(body);
    for (let i = 0; i < inflight; i++) check(await receive());
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ messages: inflight * rounds, seconds })}\n`);
} else if (mode === 'stream') {
  const count = Number(rest[0]);
  const body = text(size);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) ws.send(body);
  const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (let i = 0; i < count; i++) check(await receive());
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ messages: count, seconds, sendSeconds })}\n`);
} else if (mode === 'large') {
  const binary = rest[0] === 'binary';
  const count = Number(rest[1]);
  const body = binary ? Buffer.alloc(size, 7) : text(size);
  process.stdout.write('ready connected\n');
  await lines.next();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    ws.send(body, { binary });
    check(await receive());
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`${JSON.stringify({ messages: count, seconds })}\n`);
  for (;;) if ((await lines.next()).done) break;
} else {
  throw new Error(`unknown mode ${mode}`);
}
finished = true;
ws.close();
input.close();
process.exit(0);

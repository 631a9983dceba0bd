/**
 * The clients of the idle-scale case: opens COUNT `ws` connections to URL (at most WINDOW
 * handshakes at a time, from source addresses 127.0.0.2…), prints one JSON line with the time until
 * all were open, then holds them until stdin ends.
 *
 *   idle-clients URL COUNT [WINDOW]
 */
import WebSocket from 'ws';

const [url, countArg, windowArg] = process.argv.slice(2);
if (!url || !countArg) throw new Error('usage: idle-clients URL COUNT [WINDOW]');
const count = Number(countArg);
const window = Number(windowArg ?? 256);
const sockets: WebSocket[] = [];

function open(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: `127.0.0.${2 + (i % 8)}` });
    ws.once('open', () => {
      sockets.push(ws);
      resolve();
    });
    ws.once('error', reject);
  });
}

const t0 = process.hrtime.bigint();
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(window, count) }, async () => {
    while (next < count) await open(next++);
  }),
);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(`${JSON.stringify({ connections: sockets.length, seconds })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

/**
 * The external clients of the fan-in case: CLIENTS `ws` clients connect to URL, then each sends
 * PER text messages of SIZE bytes at once and waits for an answer to every one. Prints one JSON
 * line: the time from the first send to the last answer, over all clients.
 *
 *   fan-clients URL CLIENTS PER SIZE
 */
import WebSocket from 'ws';

const [url, clientsArg, perArg, sizeArg] = process.argv.slice(2);
if (!url || !clientsArg || !perArg || !sizeArg) throw new Error('usage: fan-clients URL CLIENTS PER SIZE');
const clients = Number(clientsArg);
const per = Number(perArg);
const body = 'x'.repeat(Number(sizeArg));

const sockets = await Promise.all(
  Array.from({ length: clients }, () => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    return new Promise<WebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }),
);
let answered = 0;
const total = clients * per;
const done = new Promise<void>((resolve) => {
  for (const ws of sockets) {
    ws.on('message', () => {
      if (++answered === total) resolve();
    });
  }
});
const t0 = process.hrtime.bigint();
for (const ws of sockets) for (let i = 0; i < per; i++) ws.send(body);
const timer = setTimeout(() => {
  process.stderr.write(`fan-clients: only ${answered} of ${total} answers after 240 s\n`);
  process.exit(1);
}, 240_000);
await done;
clearTimeout(timer);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(`${JSON.stringify({ messages: total, seconds })}\n`);
for (const ws of sockets) ws.terminate();
process.exit(0);

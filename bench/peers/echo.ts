/**
 * The echo peer for every client case: a plain `ws` server in its own process that sends each
 * message back to its sender as it came (text as text, binary as binary). Ours and the baseline
 * talk to the same process. Prints "port N".
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => undefined);
});
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`port ${typeof address === "object" && address ? address.port : address}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

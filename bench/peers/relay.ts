/**
 * The floor of the add-in's architecture: a bare relay with no add-in logic. A C program
 * (`bench-driver - relay …`) sends frames on a Unix socket; this Node process forwards each body
 * over one `ws` client to the echo peer and each message it gets back to the socket. It does what
 * any process between 1C and the WebSocket must do — read a frame, hand it to `ws`, write what comes
 * back — and nothing else: no values, no queue, no calls.
 *
 *   relay SOCKET URL        prints "ready" once it listens and its WebSocket is open
 *
 * A frame, both ways: u32 length of what follows (LE), u8 kind (1 text, 2 binary), the body.
 */
import { unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import WebSocket from 'ws';

const [path, url] = process.argv.slice(2);
if (!path || !url) throw new Error('usage: relay SOCKET URL');
try {
  unlinkSync(path);
} catch {
  // not there
}

const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
await new Promise<void>((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});

let peer: Socket | undefined;
ws.on('message', (data: Buffer, isBinary: boolean) => {
  if (!peer) return;
  const header = Buffer.allocUnsafe(5);
  header.writeUInt32LE(data.length + 1, 0);
  header[4] = isBinary ? 2 : 1;
  peer.cork();
  peer.write(header);
  peer.write(data);
  peer.uncork();
});

/** Frames from the socket: small ones are slices of the chunk, a large one is gathered once. */
function relayFrames(socket: Socket): void {
  let pending: Buffer | undefined;
  let large: Buffer | undefined;
  let filled = 0;
  let kind = 0;
  socket.on('data', (chunk: Buffer) => {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let at = 0;
    for (;;) {
      if (large) {
        const n = Math.min(large.length - filled, data.length - at);
        data.copy(large, filled, at, at + n);
        filled += n;
        at += n;
        if (filled < large.length) break;
        ws.send(large, { binary: kind === 2 });
        large = undefined;
        continue;
      }
      if (data.length - at < 5) break;
      const length = data.readUInt32LE(at);
      kind = data[at + 4] as number;
      const size = length - 1;
      if (data.length - at - 5 >= size) {
        ws.send(data.subarray(at + 5, at + 5 + size), { binary: kind === 2 });
        at += 5 + size;
      } else {
        large = Buffer.allocUnsafe(size);
        filled = 0;
        at += 5;
      }
    }
    if (at < data.length) pending = data.subarray(at);
  });
}

createServer((socket) => {
  peer = socket;
  relayFrames(socket);
}).listen(path, () => process.stdout.write('ready\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

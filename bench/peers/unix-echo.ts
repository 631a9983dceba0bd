/**
 * The peer of the bare round trip: a Node process on a Unix stream socket that answers every
 * 7-byte request with 13 bytes, the sizes of a Статус read and its response (docs/protocol.md).
 * It does no more than any Node program must to answer on a socket. Prints "ready".
 */
import { unlinkSync } from 'node:fs';
import { createServer } from 'node:net';

const path = process.argv[2];
if (!path) throw new Error('usage: unix-echo SOCKET');
try {
  unlinkSync(path);
} catch {
  // not there
}
const response = Buffer.from([9, 0, 0, 0, 0x83, 0, 2, 0, 0, 0, 0, 0, 0]);
createServer((socket) => {
  let pending = 0;
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.length;
    while (pending >= 7) {
      pending -= 7;
      socket.write(response);
    }
  });
}).listen(path, () => process.stdout.write('ready\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

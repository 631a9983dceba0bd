/**
 * A WebSocket "server" that misbehaves on request, run as its own process so that an add-in
 * Подключиться / Принять blocking the test's event loop cannot starve it:
 *
 *   node dist/test/support/hostile-server.js
 *
 * Prints `listening on <port>`. The path of the request picks the behaviour (see BEHAVIOURS); most
 * of them first send one valid text frame «до» so a test can check that what arrived before the
 * fault is still delivered. Every request's headers are printed as `HEADERS <json>` (the security
 * tests look for secrets there — they are supposed to reach the peer, never a log).
 * Without being run as a program it does nothing (`node --test dist/test/` also loads this file).
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { frame } from './raw-websocket.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const BEFORE = frame(1, 'до');

/** After a completed upgrade: what the peer does with the raw socket. */
const BEHAVIOURS: Record<string, (socket: Socket, query: URLSearchParams) => void> = {
  // a well-behaved peer: echoes text frames back (unmasked, as a server must)
  '/echo': (socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = parseMaskedFrame(pending);
        if (!parsed) return;
        pending = pending.subarray(parsed.size);
        if (parsed.opcode === 8) return void socket.end(frame(8, parsed.payload.subarray(0, 2)));
        if (parsed.opcode === 1 || parsed.opcode === 2) socket.write(frame(parsed.opcode, parsed.payload));
      }
    });
  },
  '/invalid-utf8': (s) => s.write(Buffer.concat([BEFORE, frame(1, Buffer.from([0x61, 0xc3, 0x28, 0x62]))])),
  '/overlong-utf8': (s) => s.write(Buffer.concat([BEFORE, frame(1, Buffer.from([0xc0, 0xaf]))])),
  '/surrogate-utf8': (s) => s.write(Buffer.concat([BEFORE, frame(1, Buffer.from([0xed, 0xa0, 0x80]))])),
  // servers must not mask (RFC 6455 5.1)
  '/masked': (s) => s.write(Buffer.concat([BEFORE, frame(1, 'masked', { mask: true })])),
  // RSV1 without a negotiated extension
  '/rsv1': (s) => s.write(Buffer.concat([BEFORE, Buffer.from([0xc1, 0x01, 0x78])])),
  '/opcode3': (s) => s.write(Buffer.concat([BEFORE, frame(3, 'x')])),
  '/opcode11': (s) => s.write(Buffer.concat([BEFORE, frame(11, 'x')])),
  '/ping-fragmented': (s) => s.write(Buffer.concat([BEFORE, frame(9, 'p', { fin: false })])),
  '/ping-126': (s) => s.write(Buffer.concat([BEFORE, frame(9, Buffer.alloc(126, 0x70))])),
  '/continuation-first': (s) => s.write(Buffer.concat([BEFORE, frame(0, 'orphan')])),
  '/text-inside-fragments': (s) => s.write(Buffer.concat([BEFORE, frame(1, 'a', { fin: false }), frame(1, 'b')])),
  // a 64-bit length with the top bit set, then a plausible but enormous one
  '/length-msb': (s) => s.write(Buffer.concat([BEFORE, Buffer.from([0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1])])),
  '/length-huge': (s) => s.write(Buffer.concat([BEFORE, Buffer.from([0x81, 0x7f, 0, 0, 0x10, 0, 0, 0, 0, 0])])),
  // a text frame of ?size= bytes (over the client's МаксимальныйРазмерСообщения)
  '/oversized': (s, q) => s.write(Buffer.concat([BEFORE, frame(1, Buffer.alloc(Number(q.get('size') ?? 2000), 0x78))])),
  // close frames that break the rules: 1-byte payload, invalid code, invalid UTF-8 reason
  '/close-1byte': (s) => s.write(Buffer.concat([BEFORE, frame(8, Buffer.from([0x03]))])),
  '/close-code-999': (s) => s.write(Buffer.concat([BEFORE, frame(8, Buffer.from([0x03, 0xe7]))])),
  '/close-bad-reason': (s) => s.write(Buffer.concat([BEFORE, frame(8, Buffer.from([0x03, 0xe8, 0xff]))])),
  // the peer goes away without a close frame: FIN, or RST
  '/fin': (s) => s.end(BEFORE),
  '/rst': (s) => {
    s.write(BEFORE);
    setTimeout(() => s.resetAndDestroy(), 100);
  },
  // the peer stays connected and silent: never answers a ping, never closes (a vanished host)
  '/silent': (s) => {
    s.write(BEFORE);
    s.on('data', () => undefined);
  },
  // the peer stops reading: whatever we send piles up
  '/no-read': (s) => {
    s.write(BEFORE);
    s.pause();
  },
  // one text frame after ?ms= milliseconds, then echo
  '/delayed': (s, q) => {
    setTimeout(() => s.write(frame(1, q.get('text') ?? 'поздно')), Number(q.get('ms') ?? 500));
    s.on('data', () => undefined);
  },
};

/** Behaviours that answer the upgrade request wrongly (or never). */
const HANDSHAKES: Record<string, (socket: Socket, key: string) => void> = {
  '/hang-handshake': () => undefined,
  '/http-200': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
  '/http-401': (s) => s.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n'),
  '/bad-accept': (s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n'),
  '/no-upgrade-header': (s, key) => s.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`),
  '/garbage': (s) => s.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0xde, 0xad])),
  '/close-at-once': (s) => s.destroy(),
  '/extension-not-offered': (s, key) =>
    s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Extensions: x-unknown\r\n\r\n`),
};

function accept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One client → server frame (masked) from the front of `buffer`, or undefined if incomplete. */
export function parseMaskedFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  const opcode = (buffer[0] as number) & 0x0f;
  const masked = ((buffer[1] as number) & 0x80) !== 0;
  let length = (buffer[1] as number) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskKey = masked ? buffer.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (maskKey[i % 4] as number);
  return { opcode, payload, size: offset + length };
}

export function hostileServer(onListening: (port: number) => void): void {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const text = head.subarray(0, end).toString('latin1');
      const rest = head.subarray(end + 4);
      const [requestLine = '', ...lines] = text.split('\r\n');
      const target = new URL(requestLine.split(' ')[1] ?? '/', 'http://x');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      process.stdout.write(`HEADERS ${JSON.stringify({ path: target.pathname, headers })}\n`);
      const key = headers['sec-websocket-key'] ?? '';
      const handshake = HANDSHAKES[target.pathname];
      if (handshake) return handshake(socket, key);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`);
      const behaviour = BEHAVIOURS[target.pathname] ?? BEHAVIOURS['/echo']!;
      behaviour(socket, target.searchParams);
      if (rest.length > 0) socket.emit('data', rest);
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    onListening(typeof address === 'object' && address ? address.port : 0);
  });
}

if (process.argv[1]?.endsWith('hostile-server.js')) {
  hostileServer((port) => process.stdout.write(`listening on ${port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

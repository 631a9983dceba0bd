/**
 * A WebSocket client written by hand, for attacking our server from the test process: it completes
 * (or deliberately botches) the upgrade and then sends whatever bytes a test wants, reading the
 * server's frames and noticing when the server hangs up.
 */
import { connect, type Socket } from 'node:net';
import { parseMaskedFrame } from './hostile-server.js';

export const UPGRADE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeRequest(path = '/', extra: Record<string, string> = {}): string {
  const headers = {
    Host: 'x',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': UPGRADE_KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}

export interface RawClient {
  socket: Socket;
  /** the HTTP response head (up to the blank line), once it arrived */
  response: string;
  /** frames the server sent after the upgrade */
  frames: Array<{ opcode: number; payload: Buffer }>;
  /** resolves when the server (or the network) closed the connection */
  closed: Promise<void>;
  isClosed(): boolean;
  /** the status code of the server's close frame, if it sent one */
  closeCode(): number | undefined;
  /** text of the data frames received so far */
  texts(): string[];
}

/** Opens a TCP connection and sends `request` (a full upgrade by default); resolves once the response head arrived or the connection closed. */
export function rawClient(
  port: number,
  options: { host?: string; request?: string | Buffer; path?: string; resolveOnConnect?: boolean } = {},
): Promise<RawClient> {
  return new Promise((resolve) => {
    const socket = connect(port, options.host ?? '127.0.0.1');
    socket.on('error', () => undefined);
    let closedFlag = false;
    let headDone = false;
    let pending = Buffer.alloc(0);
    let resolveClosed: () => void = () => undefined;
    const client: RawClient = {
      socket,
      response: '',
      frames: [],
      closed: new Promise<void>((r) => (resolveClosed = r)),
      isClosed: () => closedFlag,
      closeCode() {
        const close = client.frames.find((f) => f.opcode === 8);
        return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
      },
      texts: () => client.frames.filter((f) => f.opcode === 1).map((f) => f.payload.toString('utf8')),
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!headDone) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        client.response = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 4);
        headDone = true;
        resolve(client);
      }
      for (;;) {
        const parsed = parseMaskedFrame(pending);
        if (!parsed) break;
        client.frames.push({ opcode: parsed.opcode, payload: parsed.payload });
        pending = pending.subarray(parsed.size);
      }
    });
    socket.on('close', () => {
      closedFlag = true;
      resolveClosed();
      if (!headDone) resolve(client);
    });
    socket.once('connect', () => {
      const request = options.request ?? upgradeRequest(options.path);
      if (request.length > 0) socket.write(request);
      if (options.resolveOnConnect) resolve(client);
    });
  });
}

/** Resolves true if `client` was closed within `ms`, false otherwise. */
export async function closedWithin(client: RawClient, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  const result = await Promise.race([client.closed.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

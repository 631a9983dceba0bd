/**
 * A WebSocket server in its own process for feature tests of the add-in's client. Prints
 * "READY <port>" and then one JSON line per accepted connection: {path, headers, protocol}.
 * Text commands a client can send: "close:<code>:<reason>" closes with that code, "silence" stops
 * reading (pings go unanswered), "drop" destroys the TCP connection without a close frame; anything
 * else is echoed back (binary frames as binary).
 *
 *   node dist/test/support/feature-peer.js [--tls cert key [--client-ca ca]]
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const tls = args[0] === '--tls';
const clientCa = args[3] === '--client-ca' ? readFileSync(args[4] as string) : undefined;
const http = tls
  ? createHttpsServer({
      cert: readFileSync(args[1] as string),
      key: readFileSync(args[2] as string),
      ca: clientCa,
      requestCert: clientCa !== undefined,
      rejectUnauthorized: clientCa !== undefined,
    })
  : createHttpServer();
const wss = new WebSocketServer({
  server: http,
  perMessageDeflate: true,
  handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
});
wss.on('connection', (ws, request: IncomingMessage) => {
  const peer = (request.socket as TLSSocket).getPeerCertificate?.();
  process.stdout.write(
    `${JSON.stringify({ path: request.url, headers: request.headers, protocol: ws.protocol, clientCertificate: peer?.subject?.CN ?? null })}\n`,
  );
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    const close = /^close:(\d+):(.*)$/.exec(text);
    if (close) return ws.close(Number(close[1]), close[2]);
    if (text === 'silence') return request.socket.pause();
    if (text === 'drop') return request.socket.destroy();
    ws.send(data, { binary: isBinary });
  });
  ws.on('error', () => undefined);
});
http.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(http.address() as AddressInfo).port}\n`));

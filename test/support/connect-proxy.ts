/**
 * A minimal HTTP CONNECT proxy in its own process. Prints "READY <port>", then "CONNECT host:port"
 * for every tunnel it opens.
 */
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';

const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
proxy.on('connect', (req, client, head) => {
  const [host, port] = (req.url ?? '').split(':');
  process.stdout.write(`CONNECT ${req.url}\n`);
  const upstream = connect(Number(port), host as string, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
});
proxy.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(proxy.address() as AddressInfo).port}\n`));

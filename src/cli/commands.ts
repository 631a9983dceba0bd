import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client } from '../engine/client.js';
import { Server } from '../engine/server.js';
import { runEngine } from '../daemon/engine-process.js';

const USAGE = `onec-websocket <command> [options]

Commands:
  echo    [--host 127.0.0.1] [--port 9098] [--cert file] [--key file-or-password] [--password p]
          A WebSocket echo server: every message comes back to its sender.
  serve   [--host 127.0.0.1] [--port 9098] [--cert …] [--key …] [--password …]
          A server that prints "id: message" for what it receives; type "id text" to send.
  connect <ws://host:port/path>
          A client that prints what it receives and sends each line you type.
  full-test [--library path]
          Runs the document's full test procedure through the 1C host emulator.
  engine  --socket <path>
          The engine process the native library starts (not for people).
`;

export async function runCli(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'echo':
      return serve(rest, 'echo');
    case 'serve':
      return serve(rest, 'print');
    case 'connect':
      return connectAndPrint(rest);
    case 'full-test': {
      const { runFullTest } = await import('./full-test.js');
      return runFullTest(rest);
    }
    case 'engine':
      await runEngine(rest);
      return undefined;
    default:
      process.stdout.write(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

const SERVER_OPTIONS = {
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '9098' },
  cert: { type: 'string', default: '' },
  key: { type: 'string', default: '' },
  password: { type: 'string', default: '' },
} as const;

async function serve(argv: string[], mode: 'echo' | 'print'): Promise<number> {
  const { values } = parseArgs({ args: argv, options: SERVER_OPTIONS });
  const server = new Server();
  await server.run(values.host, Number(values.port), values.cert, values.key, values.password);
  const scheme = values.cert ? 'wss' : 'ws';
  process.stdout.write(`listening on ${scheme}://${formatHost(server.server)}:${server.port}\n`);
  const stop = (): void => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (mode === 'print') {
    createInterface({ input: process.stdin }).on('line', (line) => {
      const match = /^(\d+)\s+(.*)$/.exec(line);
      if (match && !server.send(Number(match[1]), match[2] ?? '')) process.stdout.write(`no connection ${match[1]}\n`);
    });
  }
  for (;;) {
    const taken = await server.receive(0);
    if (!taken.received) return 0;
    const { id, data } = taken.value;
    if (mode === 'echo') server.send(id, data);
    else process.stdout.write(`${id}: ${typeof data === 'string' ? data : `<${data.length} bytes>`}\n`);
  }
}

async function connectAndPrint(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const url = positionals[0];
  if (!url) throw new Error('connect needs an address, for example ws://127.0.0.1:9098/');
  const client = new Client();
  await client.connect(url);
  process.stdout.write(`connected to ${client.server}\n`);
  const input = createInterface({ input: process.stdin });
  let sent = 0;
  let received = 0;
  let inputDone = false;
  input.on('line', (line) => {
    client.send(line);
    sent++;
  });
  // At the end of input, give answers to what was sent a moment to arrive before hanging up.
  input.on('close', () => {
    inputDone = true;
    if (received >= sent) void client.disconnect();
    else setTimeout(() => void client.disconnect(), 2000).unref();
  });
  for (;;) {
    const taken = await client.receive(0);
    if (!taken.received) break;
    received++;
    if (inputDone && received >= sent) void client.disconnect();
    const data = taken.value;
    process.stdout.write(`${typeof data === 'string' ? data : `<${data.length} bytes>`}\n`);
  }
  process.stdout.write(`disconnected (status ${client.status})\n`);
  input.close();
  return client.status === -1 ? 1 : 0;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

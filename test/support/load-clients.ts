/**
 * Load generators for test/stress/*.test.ts, each run as its own process:
 *
 *   node dist/test/support/load-clients.js numbered <url> <connections> <messages> <tag> <localAddress>
 *     opens <connections> WebSocket connections, prints `OPEN <n>` when all are open, waits for a
 *     line on stdin, then every connection sends <messages> texts `<tag>:<conn>:<i>` and checks that
 *     the answers `ответ:<tag>:<conn>:<i>` come back complete and in order. Prints one JSON line:
 *     {opened, sent, answered, outOfOrder, errors, closes}.
 *
 *   node dist/test/support/load-clients.js churn <url> <total> <parallel> <localAddress>
 *     opens and closes <total> connections, <parallel> at a time. Prints {opened, failed, ms}.
 *
 *   node dist/test/support/load-clients.js count-server <expected>
 *     a WebSocket server on 127.0.0.1 that checks incoming texts are `0`, `1`, … `<expected>-1` in
 *     order and then answers `получено <n> по порядку` (or the first gap). Prints `listening on <port>`.
 */
import { createInterface } from 'node:readline';
import WebSocket, { WebSocketServer } from 'ws';

const [mode, ...args] = process.argv.slice(2);

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function numbered(url: string, connections: number, messages: number, tag: string, localAddress: string): void {
  const stats = { opened: 0, sent: 0, answered: 0, outOfOrder: 0, errors: 0, closes: 0 };
  const sockets: WebSocket[] = [];
  const next: number[] = new Array(connections).fill(0);
  let complete = 0;
  const done = (): void => {
    print(stats);
    process.exit(0);
  };
  for (let c = 0; c < connections; c++) {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: 60_000 });
    sockets.push(ws);
    ws.on('open', () => {
      if (++stats.opened === connections) process.stdout.write(`OPEN ${connections}\n`);
    });
    ws.on('message', (data) => {
      const expected = `ответ:${tag}:${c}:${next[c]}`;
      if (data.toString() !== expected) stats.outOfOrder++;
      stats.answered++;
      if (++next[c]! === messages && ++complete === connections) done();
    });
    ws.on('error', () => stats.errors++);
    ws.on('close', () => stats.closes++);
  }
  createInterface({ input: process.stdin }).once('line', (line) => {
    setTimeout(done, Number(line) || 600_000);
    for (let c = 0; c < connections; c++) {
      for (let i = 0; i < messages; i++) {
        sockets[c]!.send(`${tag}:${c}:${i}`);
        stats.sent++;
      }
    }
  });
}

function churn(url: string, total: number, parallel: number, localAddress: string): void {
  const stats = { opened: 0, failed: 0, ms: 0 };
  const started = Date.now();
  let launched = 0;
  let finished = 0;
  const one = (): void => {
    if (launched >= total) return;
    launched++;
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
    ws.on('open', () => {
      stats.opened++;
      ws.close();
    });
    ws.on('error', () => stats.failed++);
    ws.on('close', () => {
      if (++finished === total) {
        stats.ms = Date.now() - started;
        print(stats);
        process.exit(0);
      }
      one();
    });
  };
  for (let i = 0; i < parallel; i++) one();
}

function countServer(expected: number): void {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    let n = 0;
    let gap = '';
    ws.on('message', (data) => {
      const text = data.toString();
      if (!gap && text !== String(n)) gap = `ожидалось ${n}, пришло ${text}`;
      n++;
      if (n === expected) ws.send(gap ? `пропуск: ${gap}` : `получено ${n} по порядку`);
    });
  });
  wss.on('listening', () => process.stdout.write(`listening on ${(wss.address() as { port: number }).port}\n`));
}

if (process.argv[1]?.endsWith('load-clients.js')) {
  if (mode === 'numbered') numbered(args[0] as string, Number(args[1]), Number(args[2]), args[3] as string, args[4] ?? '127.0.0.1');
  else if (mode === 'churn') churn(args[0] as string, Number(args[1]), Number(args[2]), args[3] ?? '127.0.0.1');
  else if (mode === 'count-server') countServer(Number(args[0]));
}

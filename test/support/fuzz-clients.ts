/**
 * Load for the zzuf test: `connections` WebSocket clients (ws) to `url`, each sending `messages`
 * numbered texts and counting what comes back, for at most `ms` milliseconds. Everything that
 * goes wrong (a garbled handshake, a closed connection) is counted, never thrown. Prints one JSON
 * line: {opened, sent, answers, errors, closes}.
 *
 *   node dist/test/support/fuzz-clients.js <url> <connections> <messages> <ms>
 */
import WebSocket from 'ws';

const [url, connectionsText, messagesText, msText] = process.argv.slice(2);
const stats = { opened: 0, sent: 0, answers: 0, errors: 0, closes: 0 };
const sockets: WebSocket[] = [];
const finish = (): void => {
  for (const s of sockets) s.terminate();
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  process.exit(0);
};
setTimeout(finish, Number(msText));
let pending = Number(connectionsText);
for (let c = 0; c < Number(connectionsText); c++) {
  const ws = new WebSocket(url as string, { handshakeTimeout: 3000, maxPayload: 1 << 20 });
  sockets.push(ws);
  ws.on('open', () => {
    stats.opened++;
    for (let i = 0; i < Number(messagesText); i++) {
      ws.send(`${c}:${i}:${'ю'.repeat(i % 50)}`);
      stats.sent++;
    }
  });
  ws.on('message', () => stats.answers++);
  ws.on('error', () => stats.errors++);
  ws.on('close', () => {
    stats.closes++;
    if (--pending === 0) setTimeout(finish, 100);
  });
}

/**
 * A WebSocket client that stays connected while it sends `count` numbered messages, one every
 * `intervalMs`, and waits for an answer to each. Prints one JSON line at the end:
 * {answers, closes, opened}. Never reconnects: a dropped connection shows in `closes`.
 *
 *   node dist/test/support/steady-client.js <url> <count> <intervalMs> <timeoutMs>
 */
import WebSocket from 'ws';

const [url, countText, intervalText, timeoutText] = process.argv.slice(2);
const count = Number(countText);
const answers: string[] = [];
let closes = 0;
const ws = new WebSocket(url as string);
const finish = (): void => {
  process.stdout.write(`${JSON.stringify({ answers, closes, opened: true })}\n`);
  process.exit(0);
};
setTimeout(finish, Number(timeoutText));
ws.on('open', () => {
  let next = 0;
  const timer = setInterval(() => {
    if (next >= count) return clearInterval(timer);
    ws.send(String(next++));
  }, Number(intervalText));
});
ws.on('message', (data) => {
  answers.push(data.toString());
  if (answers.length === count) {
    ws.close();
    finish();
  }
});
ws.on('close', () => closes++);
ws.on('error', () => undefined);

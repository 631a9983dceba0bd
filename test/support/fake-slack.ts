/**
 * A local stand-in for Slack's Socket Mode, run as its own process (the add-in calls block the
 * test's event loop):
 *
 *   node dist/test/support/fake-slack.js <app-token> <bot-token>
 *
 * HTTP (Web API, as on slack.com: HTTP 200 with {"ok": false, "error": …} for a refused call):
 *   POST /api/apps.connections.open  Bearer <app-token> → {ok: true, url: "ws://127.0.0.1:<port>/link/?ticket=<n>"}
 *   POST /api/chat.postMessage       Bearer <bot-token>, JSON {channel, text} → {ok: true, channel, ts, message}
 * WebSocket at /link/?ticket=<n> (each ticket once), following `SCRIPT`: hello, then events_api
 * envelopes, each sent once the previous one was acknowledged with {"envelope_id": …}, then
 * (connection 1) a disconnect envelope asking for a new connection.
 *
 * Everything it sees is printed as one JSON line per event: {"ev": "ready", "url"}, "open",
 * "connections.open", "post", "sent", "ack", "bad-ack", "missing-ack", "close" (with the
 * envelope ids never acknowledged). Without arguments it does nothing (node --test loads it too).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const CHANNEL = 'C0123456789';

/** One step of a connection's script: a user message to deliver, the bot's own echo, or a disconnect. */
export type Step =
  | { kind: 'message'; text: string; user?: string }
  | { kind: 'bot-message'; text: string }
  | { kind: 'disconnect'; reason: 'refresh_requested' | 'warning' | 'link_disabled' };

/** What Slack sends on the 1st, 2nd, … connection. */
export const SCRIPT: readonly (readonly Step[])[] = [
  [
    { kind: 'message', text: 'привет, 1С' },
    { kind: 'bot-message', text: 'Получил: привет, 1С' },
    { kind: 'message', text: 'как дела? 😀' },
    { kind: 'disconnect', reason: 'refresh_requested' },
  ],
  [
    { kind: 'message', text: 'после переподключения' },
    { kind: 'message', text: 'Go away!' },
    // the bot has left by now: this one must stay unanswered (and unacknowledged)
    { kind: 'message', text: 'ещё тут?' },
  ],
];

const ACK_TIMEOUT_MS = 5000;

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function envelope(step: Step, n: number): { id: string | undefined; body: Record<string, unknown> } {
  if (step.kind === 'disconnect') {
    return { id: undefined, body: { type: 'disconnect', reason: step.reason, debug_info: { host: 'fake-slack' } } };
  }
  const id = randomUUID();
  const ts = `${1_700_000_000 + n}.000${100 + n}`;
  const event: Record<string, unknown> =
    step.kind === 'message'
      ? { type: 'message', channel: CHANNEL, user: step.user ?? 'U0USER0001', text: step.text, ts, channel_type: 'channel' }
      : { type: 'message', subtype: 'bot_message', channel: CHANNEL, bot_id: 'B0BOT00001', text: step.text, ts, channel_type: 'channel' };
  return {
    id,
    body: {
      envelope_id: id,
      payload: {
        token: 'verification-token',
        team_id: 'T0TEAM0001',
        api_app_id: 'A0APP00001',
        event,
        type: 'event_callback',
        event_id: `Ev${n}`,
        event_time: 1_700_000_000 + n,
      },
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    },
  };
}

export function startFakeSlack(appToken: string, botToken: string): void {
  let port = 0;
  const tickets = new Map<string, number>(); // ticket → connection number
  let connections = 0;
  let posts = 0;

  const answer = (res: ServerResponse, body: Record<string, unknown>): void => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const bearer = (req: IncomingMessage): string => /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';

  const http = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const token = bearer(req);
      if (path === '/api/apps.connections.open') {
        if (token !== appToken) {
          log({ ev: 'refused', method: 'apps.connections.open', token });
          return answer(res, { ok: false, error: token.startsWith('xoxb-') ? 'not_allowed_token_type' : 'invalid_auth' });
        }
        const ticket = randomUUID();
        tickets.set(ticket, tickets.size + 1);
        log({ ev: 'connections.open', ticket });
        return answer(res, { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=A0APP00001` });
      }
      if (path === '/api/chat.postMessage') {
        if (token !== botToken) {
          log({ ev: 'refused', method: 'chat.postMessage', token });
          return answer(res, { ok: false, error: token.startsWith('xapp-') ? 'not_allowed_token_type' : 'invalid_auth' });
        }
        let message: { channel?: unknown; text?: unknown };
        try {
          message = JSON.parse(body) as typeof message;
        } catch {
          log({ ev: 'refused', method: 'chat.postMessage', body });
          return answer(res, { ok: false, error: 'invalid_json' });
        }
        if (typeof message.channel !== 'string' || typeof message.text !== 'string') return answer(res, { ok: false, error: 'invalid_arguments' });
        posts++;
        log({ ev: 'post', channel: message.channel, text: message.text, contentType: req.headers['content-type'] });
        const ts = `${1_700_001_000 + posts}.000100`;
        return answer(res, { ok: true, channel: message.channel, ts, message: { type: 'message', bot_id: 'B0BOT00001', text: message.text, ts } });
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false,"error":"unknown_method"}');
    })();
  });

  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    const n = tickets.get(ticket);
    if (url.pathname !== '/link/' || n === undefined) {
      log({ ev: 'refused-socket', url: req.url });
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tickets.delete(ticket); // single use, as on Slack
    wss.handleUpgrade(req, socket, head, (ws) => void converse(ws, ++connections));
  });

  async function converse(ws: WebSocket, n: number): Promise<void> {
    log({ ev: 'open', connection: n });
    const unacked = new Set<string>();
    let waiting: ((id: string) => void) | undefined;
    let closed = false;
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let id: unknown;
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        id = parsed.envelope_id;
      } catch {
        // not JSON
      }
      if (isBinary || typeof id !== 'string' || !unacked.has(id)) return log({ ev: 'bad-ack', connection: n, text });
      unacked.delete(id);
      log({ ev: 'ack', connection: n, id });
      waiting?.(id);
    });
    const ended = new Promise<void>((resolve) =>
      ws.on('close', (code) => {
        closed = true;
        log({ ev: 'close', connection: n, code, unacked: [...unacked] });
        resolve();
      }),
    );
    const send = (body: Record<string, unknown>): void => ws.send(JSON.stringify(body));
    send({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0APP00001' } });
    let counter = n * 100;
    for (const step of SCRIPT[n - 1] ?? []) {
      if (closed) return;
      const { id, body } = envelope(step, ++counter);
      if (id) unacked.add(id);
      send(body);
      log({ ev: 'sent', connection: n, id, step });
      if (!id) continue;
      const acked = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ACK_TIMEOUT_MS);
        waiting = (got) => {
          if (got !== id) return;
          clearTimeout(timer);
          resolve(true);
        };
        void ended.then(() => {
          clearTimeout(timer);
          resolve(!unacked.has(id));
        });
      });
      waiting = undefined;
      if (!acked && !closed) log({ ev: 'missing-ack', connection: n, id });
    }
    // After the script: wait for the bot to hang up (it must, after a disconnect or the keyword).
    const timer = setTimeout(() => ws.close(1001, 'fake-slack: script over'), 10_000);
    await ended;
    clearTimeout(timer);
  }

  http.listen(0, '127.0.0.1', () => {
    port = (http.address() as AddressInfo).port;
    log({ ev: 'ready', url: `http://127.0.0.1:${port}` });
  });
  process.on('SIGTERM', () => process.exit(0));
}

const args = process.argv[1]?.endsWith('fake-slack.js') ? process.argv.slice(2) : [];
if (args.length === 2) startFakeSlack(args[0] as string, args[1] as string);

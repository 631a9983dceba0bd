/**
 * Cluster mode (docs/cluster.md) with real components: Debian's redis-server and nginx on loopback
 * ports, three engines in separate engine folders standing for three machines, each running a
 * server through the add-in (host emulator) behind nginx, and a pool of python3-websockets clients
 * connecting through nginx.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import WebSocket from 'ws';
import { DEFAULT_CLUSTER_TTL_MS } from '../src/engine/cluster/node.js';
import { format } from '../src/i18n/messages.js';
import { enginePids, SERVER_TYPE, useAddIn } from './support/addin.js';
import { nginxConf } from './support/nginx.js';
import { freePort, portAccepts as accepts } from './support/proc.js';
import { PYTHON, ROOT } from './support/processes.js';
import { waitFor } from './support/wait.js';

const REDIS = '/usr/bin/redis-server';
const NGINX = '/usr/sbin/nginx';
const CLIENTS = 300;
/** Chromium pages connected besides the python clients (closed after the send checks) */
const PAGES = 3;
const CHROMIUM = '/usr/bin/chromium';
const TTL_MS = 2000;
const missing = [REDIS, NGINX, PYTHON, CHROMIUM].filter((p) => !existsSync(p));
if (missing.length > 0 && process.env.CI === 'true') throw new Error(`cluster test needs ${missing.join(', ')}`);

/** The HTTP status a WebSocket upgrade gets refused with (0: it was accepted). */
function refusal(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? -1);
      ws.terminate();
    });
    ws.once('open', () => (ws.terminate(), resolve(0)));
    ws.once('error', (error) => reject(error));
  });
}

/** A child process read line by line. */
class Lines {
  readonly all: string[] = [];
  private cursor = 0;
  stderr = '';

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => this.all.push(l));
    child.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString()));
  }

  /** The next unread line starting with one of `words`, waiting for it. */
  async next(words: string[], timeoutMs = 30_000): Promise<{ word: string; value: unknown; before: string[] }> {
    const start = this.cursor;
    let found = -1;
    await waitFor(
      () => {
        found = this.all.findIndex((l, i) => i >= start && words.includes(l.split(' ')[0] as string));
        return found >= 0 || this.child.exitCode !== null;
      },
      timeoutMs,
      `${words.join('/')} from ${this.child.spawnfile} (${this.stderr})`,
    );
    if (found < 0) throw new Error(`process ended: ${this.all.slice(-5).join('\n')} ${this.stderr}`);
    this.cursor = found + 1;
    const line = this.all[found] as string;
    const space = line.indexOf(' ');
    const word = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    let value: unknown = rest;
    try {
      value = JSON.parse(rest);
    } catch {
      // a plain word
    }
    return { word, value, before: this.all.slice(start, found) };
  }

  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }
}

/** One machine: a 1C process with its own engine running the cluster server. */
class Node {
  readonly lines: Lines;
  dir = '';
  port = 0;

  constructor(redisUrl: string, service: string) {
    const child = spawn(process.execPath, [`${ROOT}dist/test/support/cluster-node.js`, redisUrl, service], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = new Lines(child);
  }

  async ready(): Promise<this> {
    this.dir = (await this.lines.next(['DIR', 'FAILED'])).value as string;
    const port = await this.lines.next(['PORT', 'FAILED']);
    if (port.word !== 'PORT') throw new Error(`node did not start: ${String(port.value)}`);
    this.port = port.value as number;
    return this;
  }

  async call(method: string, ...args: Array<string | number>): Promise<unknown> {
    this.lines.send(JSON.stringify(['call', method, ...args]));
    const answer = await this.lines.next(['RESULT', 'ERROR']);
    if (answer.word === 'ERROR') throw new Error(answer.value as string);
    return answer.value;
  }

  async get(prop: string): Promise<unknown> {
    this.lines.send(JSON.stringify(['get', prop]));
    return (await this.lines.next(['RESULT', 'ERROR'])).value;
  }

  /** Up to `count` messages, each Принять waiting up to `timeoutMs`. */
  async receive(count: number, timeoutMs = 20_000): Promise<Array<{ id: number; data: string }>> {
    this.lines.send(JSON.stringify(['receive', count, timeoutMs]));
    const end = await this.lines.next(['END'], 60_000);
    return end.before.filter((l) => l.startsWith('GOT ')).map((l) => JSON.parse(l.slice(4)) as { id: number; data: string });
  }

  /** The engine behind this node (its pid is part of the node's name in Redis). */
  get enginePid(): number {
    const [pid] = enginePids(this.dir);
    if (pid === undefined) throw new Error('no engine');
    return pid;
  }

  kill(): void {
    for (const pid of enginePids(this.dir)) process.kill(pid, 'SIGKILL');
    this.lines.child.kill('SIGKILL');
  }
}

const ids = (connections: unknown): number[] =>
  String(connections)
    .split(' | ')
    .filter((s) => s !== '')
    .map((s) => Number(s.split(':')[0]));

describe('cluster settings: КластерRedis and ИмяСервиса', () => {
  const fixture = useAddIn({ echo: false });

  it('take a redis:// or rediss:// address and a name, checked like every setting, before Запустить', () => {
    const server = fixture.host.create(SERVER_TYPE);
    assert.throws(() => server.set('КластерRedis', 5), /: <bad cast> Свойство КластерRedis: ожидается Строка, передано Число$/);
    assert.throws(() => server.set('ClusterRedis', 'http://127.0.0.1:6379'), new RegExp(`: ${escape(format('ru', 'clusterBadUrl', ['http://127.0.0.1:6379']))}$`));
    server.set('clusterredis', 'redis://user:secret@127.0.0.1:6379/2');
    assert.equal(server.get('КластерRedis'), 'redis://user:***@127.0.0.1:6379/2', 'the password never reads back');
    assert.throws(() => server.call('Запустить', '127.0.0.1', 0), new RegExp(`: ${escape(format('ru', 'clusterNeedsService'))}$`));
    assert.equal(server.get('Порт'), 0);
    server.set('ИмяСервиса', 'склад');
    assert.equal(server.get('ServiceName'), 'склад');
    server.set('КластерRedis', '');
    server.destroy();
  });

  it('Запустить fails at once with a clear error when Redis does not answer, and takes no port', async () => {
    const server = fixture.host.create(SERVER_TYPE);
    const dead = await freePort();
    server.set('КластерRedis', `redis://127.0.0.1:${dead}`);
    server.set('ИмяСервиса', 'склад');
    const started = Date.now();
    assert.throws(() => server.call('Запустить', '127.0.0.1', 0), new RegExp(`: Кластер недоступен: Redis redis://127\\.0\\.0\\.1:${dead} не отвечает \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${dead}\\)\\. `));
    assert.ok(Date.now() - started < 5000, 'no hang');
    assert.equal(server.get('Порт'), 0);
    server.destroy();
    const english = fixture.host.create(SERVER_TYPE, { locale: 'en' });
    english.set('ClusterRedis', `redis://127.0.0.1:${dead}`);
    english.set('ServiceName', 'store');
    assert.throws(() => english.call('Run', '127.0.0.1', 0), new RegExp(`: The cluster is unavailable: Redis redis://127\\.0\\.0\\.1:${dead} does not answer \\(connect ECONNREFUSED`));
    english.destroy();
    assert.equal(DEFAULT_CLUSTER_TTL_MS, 10_000, 'the TTL docs/cluster.md promises');
  });
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('cluster mode: three engines behind nginx act as one service on Redis', { skip: missing.length > 0 && `missing ${missing.join(', ')}` }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'onec-ws-cluster-'));
  const service = `test-${process.pid}`;
  let redisPort = 0;
  let redis: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  let admin: Redis;
  let nodes: Node[] = [];
  let pool: Lines;
  let nginxPort = 0;
  let browser: Browser | undefined;
  /** client index → its connection id, from the hello messages */
  const idOf = new Map<number, number>();
  /** page index → its connection id */
  const pageIdOf = new Map<number, number>();
  /** what each page received */
  const pageGot = async (i: number): Promise<string[]> => (await browser!.contexts()[0]!.pages()[i]!.evaluate('window.got')) as string[];

  const startRedis = async (): Promise<void> => {
    redis = spawn(REDIS, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor(() => accepts(redisPort), 10_000, 'redis-server');
  };
  const stopRedis = async (): Promise<void> => {
    const r = redis;
    if (!r || r.exitCode !== null) return;
    const gone = new Promise((resolve) => r.once('exit', resolve));
    r.kill('SIGKILL');
    await gone;
  };
  /** Which node a connection lives on, from the registry in Redis. */
  const homeOf = async (id: number): Promise<Node | undefined> => {
    for (const node of nodes) {
      const names = (await admin.smembers(`onec-ws:{${service}}:nodes`)).filter((n) => n.split(':')[1] === String(node.enginePid));
      for (const name of names) if ((await admin.hexists(`onec-ws:{${service}}:conns:${name}`, String(id))) === 1) return node;
    }
    return undefined;
  };
  const received = (text: string): number[] =>
    pool.all.filter((l) => l.startsWith('RECV ')).map((l) => JSON.parse(l.slice(5)) as { c: number; data: string }).filter((m) => m.data === text).map((m) => m.c);

  before(async () => {
    process.env.ONEC_WEBSOCKET_CLUSTER_TTL_MS = String(TTL_MS);
    redisPort = await freePort();
    await startRedis();
    admin = new Redis(redisPort, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    admin.on('error', () => undefined);
    await admin.connect();
    const url = `redis://127.0.0.1:${redisPort}`;
    nodes = await Promise.all([0, 1, 2].map(() => new Node(url, service).ready()));
    nginxPort = await freePort();
    const conf = join(tmp, 'nginx.conf');
    writeFileSync(conf, nginxConf(tmp, nginxPort, nodes.map((n) => n.port)));
    nginx = spawn(NGINX, ['-c', conf, '-p', tmp], { stdio: 'ignore' });
    await waitFor(() => accepts(nginxPort), 10_000, 'nginx');
    const python = spawn(PYTHON, [`${ROOT}test/peers/py_cluster_clients.py`, `ws://127.0.0.1:${nginxPort}`, String(CLIENTS)], { stdio: ['pipe', 'pipe', 'pipe'] });
    pool = new Lines(python);
    await pool.next(['OPEN'], 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'] });
    const context = await browser.newContext();
    for (let i = 0; i < PAGES; i++) {
      const page = await context.newPage();
      // the page's own script (no DOM types here): connect, say hello, keep what arrives
      await page.evaluate(`new Promise((resolve, reject) => {
        const ws = new WebSocket('ws://127.0.0.1:${nginxPort}/page${i}');
        window.got = [];
        window.ws = ws;
        ws.onmessage = (e) => window.got.push(String(e.data));
        ws.onopen = () => { ws.send('page:${i}'); resolve(); };
        ws.onerror = () => reject(new Error('page could not connect'));
      })`);
    }
  });

  after(async () => {
    await browser?.close();
    pool?.send('stop');
    pool?.child.kill('SIGKILL');
    for (const node of nodes) {
      try {
        node.kill();
      } catch {
        // already gone
      }
      rmSync(node.dir, { recursive: true, force: true });
    }
    nginx?.kill('SIGKILL');
    admin?.disconnect();
    await stopRedis();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('numbers connections uniquely across the nodes and lists the whole service from any node', async () => {
    const local = await Promise.all(nodes.map(async (n) => (JSON.parse((await n.get('Состояние')) as string) as { connections: number }).connections));
    assert.equal(local.reduce((a, b) => a + b, 0), CLIENTS + PAGES);
    assert.ok(local.every((c) => c > 0), `nginx spreads the clients: ${local.join(', ')}`);
    let listed: number[] = [];
    await waitFor(async () => (listed = ids(await nodes[2]!.get('Соединения'))).length === CLIENTS + PAGES, 10_000, 'the whole service in Соединения');
    assert.equal(new Set(listed).size, CLIENTS + PAGES);
    assert.ok(listed.every((id) => Number.isInteger(id) && id > 0));
    nodes[0]!.lines.send(JSON.stringify(['set', 'ИмяСервиса', 'другое']));
    assert.match(String((await nodes[0]!.lines.next(['ERROR', 'RESULT'])).value), /Свойство ИмяСервиса можно менять только до/);
  });

  it('Принять on one node takes every client’s hello exactly once, wherever the client is connected', async () => {
    const got = await nodes[0]!.receive(CLIENTS + PAGES);
    assert.equal(got.length, CLIENTS + PAGES);
    for (const m of got) {
      const page = /^page:(\d+)$/.exec(m.data);
      if (page) {
        pageIdOf.set(Number(page[1]), m.id);
        continue;
      }
      const c = Number(/^hello:(\d+)$/.exec(m.data)?.[1]);
      assert.ok(!idOf.has(c), `hello from ${c} once`);
      idOf.set(c, m.id);
    }
    assert.equal(new Set([...idOf.values(), ...pageIdOf.values()]).size, CLIENTS + PAGES);
    assert.deepEqual((await nodes[1]!.receive(1, 300)).length, 0, 'nothing left for another node');
  });

  it('Отправить, ОтправитьВсем, ИнформацияОСоединении and Отключить work from any node', async () => {
    for (const [c, id] of idOf) assert.equal(await nodes[0]!.call('Отправить', id, `to:${c}`), true);
    for (const [c] of idOf) await waitFor(() => pool.all.includes(`RECV {"c": ${c}, "data": "to:${c}"}`), 10_000, `to:${c}`);
    for (const [i, id] of pageIdOf) assert.equal(await nodes[1]!.call('Отправить', id, `to-page:${i}`), true);
    assert.equal(await nodes[1]!.call('ОтправитьВсем', 'всем'), CLIENTS + PAGES);
    await waitFor(() => new Set(received('всем')).size === CLIENTS, 10_000, 'the broadcast everywhere');
    assert.equal(received('всем').length, CLIENTS, 'once each');
    for (const i of pageIdOf.keys()) {
      await waitFor(async () => (await pageGot(i)).length === 2, 10_000, `page ${i}`);
      assert.deepEqual(await pageGot(i), [`to-page:${i}`, 'всем']);
    }

    const far = [...idOf][0] as [number, number];
    const info = JSON.parse((await nodes[2]!.call('ИнформацияОСоединении', far[1])) as string) as { id: number; path: string; headers: Record<string, string> };
    assert.deepEqual([info.id, info.path, info.headers['x-forwarded-for']], [far[1], `/c${far[0]}`, '127.0.0.1']);

    // a connection that lives on another node than the one asking
    const [c, id] = [...idOf].find(([, i]) => i !== far[1]) as [number, number];
    const home = await homeOf(id);
    const asker = nodes.find((n) => n !== home) as Node;
    assert.equal(await asker.call('Отключить', id), true);
    await pool.next(['CLOSED']).then((l) => assert.equal(l.value, c));
    idOf.delete(c);
    assert.equal(await asker.call('Отправить', id, 'после'), false, 'a closed connection is gone everywhere');
    await browser?.close();
    browser = undefined;
    await waitFor(async () => ids(await nodes[0]!.get('Соединения')).length === CLIENTS - 1, 10_000, 'the pages gone from the registry');
  });

  it('Принять on several nodes: each message once, each connection’s messages in order', async () => {
    const [first, count] = [0, 30];
    const senders = [...idOf.keys()].filter((c) => c >= first && c < first + count);
    const stream = `onec-ws:{${service}}:in`;
    await waitFor(async () => Number(await admin.xlen(stream)) === 0, 5000, 'the stream empty (taken messages are deleted just after)');
    pool.send(`seq ${first} ${first + count} 10`);
    await pool.next(['SENT']);
    const total = senders.length * 10;
    await waitFor(async () => Number(await admin.xlen(stream)) === total, 10_000, 'all in Redis');
    const share = Math.floor(total / 3);
    const a = await nodes[1]!.receive(share);
    const b = await nodes[2]!.receive(total - share);
    const all = [...a, ...b];
    assert.equal(all.length, total);
    assert.equal(new Set(all.map((m) => m.data)).size, total, 'each message once');
    const last = new Map<number, number>();
    for (const m of all) {
      const [, c, k] = /^seq:(\d+):(\d+)$/.exec(m.data)!.map(Number) as [number, number, number];
      assert.equal(m.id, idOf.get(c));
      assert.equal(k, (last.get(c) ?? -1) + 1, `connection ${c} in order`);
      last.set(c, k);
    }
  });

  it('a node SIGKILLed mid-stream: nothing that reached Redis is lost, its clients reconnect to the others, it leaves the registry within the TTL', async () => {
    const [victim, survivor] = [nodes[2]!, nodes[0]!];
    const victimName = (await admin.smembers(`onec-ws:{${service}}:nodes`)).find((n) => n.split(':')[1] === String(victim.enginePid)) as string;
    const stream = `onec-ws:{${service}}:in`;
    // the victim reads one message its BSL never takes: its Принять gave up while the fetch was under way
    let sender = 100;
    for (;;) {
      await waitFor(async () => Number(await admin.xlen(stream)) === 0, 5000, 'the stream empty (taken messages are deleted just after)');
      assert.equal((await victim.receive(1, 50)).length, 0); // its fetch stays blocked in Redis for up to 1 s
      pool.send(`seq ${sender} ${sender + 1} 1`);
      await pool.next(['SENT']);
      sender++;
      const held = await waitFor(async () => ((await admin.call('XPENDING', stream, 'receivers', '-', '+', 10, victimName)) as unknown[]).length > 0, 1500, 'held')
        .then(() => true)
        .catch(() => false);
      if (held) break;
      assert.ok(sender < 110, 'the victim never got a message in its fetch');
      await survivor.receive(1, 5000); // the fetch ended first: the message is still unread, take it and try again
    }
    // mid-stream: more messages are on their way when the node dies
    pool.send('seq 200 260 5');
    const reopenedBefore = pool.all.filter((l) => l.startsWith('REOPEN ')).length;
    const victimIds = (await admin.hkeys(`onec-ws:{${service}}:conns:${victimName}`)).map(Number);
    assert.ok(victimIds.length > 0);
    const killedAt = Date.now();
    victim.kill();
    await pool.next(['SENT']);
    await waitFor(async () => (await admin.exists(`onec-ws:{${service}}:conns:${victimName}`)) === 0, TTL_MS + 5000, 'the dead node leaves');
    const leftAfter = Date.now() - killedAt;
    assert.ok(leftAfter <= TTL_MS + 1000, `left the registry after ${leftAfter} ms (TTL ${TTL_MS} ms)`);
    // whatever reached Redis: in the stream, unread or pending with the dead node
    const inRedis = ((await admin.xrange(stream, '-', '+')) as Array<[string, string[]]>).map(([, f]) => f[f.indexOf('t') + 1] as string);
    assert.ok(inRedis.length > 0);
    const got = await survivor.receive(inRedis.length, TTL_MS * 3);
    assert.deepEqual(got.map((m) => m.data).sort(), [...inRedis].sort(), 'every message that reached Redis, redelivered ones included');
    await waitFor(() => pool.all.filter((l) => l.startsWith('REOPEN ')).length - reopenedBefore === victimIds.length, 30_000, 'the dead node’s clients reconnect');
    nodes = nodes.filter((n) => n !== victim);
    await waitFor(async () => ids(await survivor.get('Соединения')).length === CLIENTS - 1, 10_000, 'the survivors list every client');
    const listed = ids(await survivor.get('Соединения'));
    assert.ok(victimIds.every((id) => !listed.includes(id)), 'none of the dead node’s ids');
    await survivor.receive(1000, 500); // their hello messages after the reconnect
  });

  it('Redis restarted: clear errors while it is away, local connections keep working, the cluster recovers', async () => {
    const [one, two] = nodes as [Node, Node];
    const listed = ids(await one.get('Соединения'));
    let remote = 0;
    let local: [number, number] | undefined;
    for (const [c, id] of idOf) {
      if (c < 30 || c >= 100) continue; // clients whose messages were all taken
      const home = await homeOf(id);
      if (home === two && !remote) remote = id;
      if (home === one && !local) local = [c, id];
    }
    assert.ok(remote > 0 && local);
    // a Redis that stops answering (frozen, or cut off by the network) fails a call, it does not hold it
    redis!.kill('SIGSTOP');
    const frozenAt = Date.now();
    await assert.rejects(one.call('Отправить', remote, 'нет'), /Кластер недоступен: Redis redis:\/\/127\.0\.0\.1:\d+ не отвечает \(Command timed out\)/);
    const waited = Date.now() - frozenAt;
    assert.ok(waited < 3000 + 2000, `failed after ${waited} ms`);
    redis!.kill('SIGCONT');
    await waitFor(async () => (await one.call('Отправить', remote, 'оттаял').catch(() => false)) === true, 10_000, 'Redis answering again');
    await stopRedis();
    await assert.rejects(one.call('Отправить', remote, 'нет'), /Кластер недоступен: Redis redis:\/\/127\.0\.0\.1:\d+ не отвечает/);
    await assert.rejects(one.call('ОтправитьВсем', 'нет'), /Кластер недоступен/);
    assert.equal(received('нет').length, 0, 'a failed broadcast sends nothing');
    assert.equal(await refusal(one.port), 503, 'no new connection without a cluster-wide id');
    const own = (JSON.parse((await one.get('Состояние')) as string) as { connections: number }).connections;
    await waitFor(async () => ids(await one.get('Соединения')).length === own, 10_000, 'Соединения: this node only');
    assert.equal(await one.call('Отправить', local[1], 'локально'), true, 'a local connection still works');
    await waitFor(() => received('локально').length === 1, 10_000, 'the local send');
    pool.send(`seq ${local[0]} ${local[0] + 1} 1`);
    assert.deepEqual(await one.receive(1), [{ id: local[1], data: `seq:${local[0]}:0` }], 'a local client’s message reaches a local receiver');
    await startRedis();
    await waitFor(async () => (await one.call('Отправить', remote, 'снова').catch(() => false)) === true, 20_000, 'the cluster recovers');
    await waitFor(() => received('снова').length >= 1, 10_000, 'the send after recovery');
    await waitFor(async () => ids(await two.get('Соединения')).length === listed.length, 10_000, 'the registry written again');
    const seen = new Set(listed);
    assert.ok(ids(await two.get('Соединения')).every((id) => seen.has(id)));
  });
});

/** The bundled engine process (build/engine.mjs) spoken to over its socket, as the library does. */
import assert from 'node:assert/strict';
import { type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, statSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT, SERVER, findMember } from '../src/api/table.js';
import { Blob1C, Date1C } from '../src/daemon/wire.js';
import { engineSocketReady, methodNumber as m, propNumber as p, spawnEngine, suiteEngine, type EngineOptions } from './support/engine.js';
import { waitFor } from './support/wait.js';
import { receivedText, WireClient } from './support/wire-client.js';


describe('engine process over its socket', () => {
  const suite = suiteEngine('onec-ws-engine-');
  const { socket } = suite;

  it('creates its socket readable by its owner only', () => {
    assert.equal(statSync(socket).mode & 0o777, 0o600);
  });

  it('a client object: connect, send, receive with out-parameters, status, errors', async () => {
    const c = await WireClient.open(socket);
    assert.ok((await c.openObject(0)).ok);
    assert.equal((await c.get(p(CLIENT, 'Статус'))).value, 0);
    assert.ok((await c.call(m(CLIENT, 'Подключиться'), suite.echo.url)).ok);
    assert.equal((await c.get(p(CLIENT, 'status'))).value, 1);
    assert.equal((await c.get(p(CLIENT, 'Сервер'))).value, suite.echo.url);
    const again = await c.call(m(CLIENT, 'connect'), suite.echo.url);
    assert.equal(again.ok, false);
    assert.match(String(again.error), /Подключение уже выполнено/);
    assert.equal((await c.call(m(CLIENT, 'ОписаниеОшибки'))).value, again.error);
    const text = 'ase1ЦУ 😀𝄞\u0000после нуля';
    assert.equal((await c.call(m(CLIENT, 'Отправить'), text)).value, true);
    const got = await c.call(m(CLIENT, 'Получить'), 0, undefined);
    assert.equal(got.value, true);
    assert.equal(receivedText(got.outs.get(1)), text);
    const none = await c.call(m(CLIENT, 'Принять'), 200, 'old');
    assert.equal(none.value, false);
    assert.equal(none.outs.get(1), '', 'Данные is cleared on timeout');
    assert.ok((await c.call(m(CLIENT, 'Отключиться'))).ok);
    assert.ok((await c.call(m(CLIENT, 'Отключиться'))).ok);
    assert.equal((await c.get(p(CLIENT, 'Статус'))).value, 0);
    c.close();
  });

  it('type checks: «<bad cast>» naming the parameter, missing parameters, fractional and negative timeouts', async () => {
    const c = await WireClient.open(socket);
    await c.openObject(0);
    const cases: Array<[unknown, RegExp]> = [
      [await c.call(m(CLIENT, 'Подключиться'), 42), /<bad cast> Параметр 1 \(АдресСервера\): ожидается Строка, передано Число/],
      [await c.call(m(CLIENT, 'Подключиться'), true), /<bad cast>.*передано Булево/],
      [await c.call(m(CLIENT, 'Подключиться'), new Date1C(0)), /<bad cast>.*передано Дата/],
      [await c.call(m(CLIENT, 'Подключиться'), undefined), /Не задан обязательный параметр 1 \(АдресСервера\)/],
      [await c.call(m(CLIENT, 'Отправить'), new Date1C(0)), /<bad cast>/],
      [await c.call(m(CLIENT, 'Принять'), 'abc', undefined), /<bad cast> Параметр 1 \(Таймаут\): ожидается Число, передано Строка/],
      [await c.call(m(CLIENT, 'Принять'), -1, undefined), /Таймаут должен быть неотрицательным/],
    ];
    for (const [response, pattern] of cases) {
      const r = response as { ok: boolean; error: unknown };
      assert.equal(r.ok, false);
      assert.match(String(r.error), pattern);
    }
    const notConnected = await c.call(m(CLIENT, 'Отправить'), new Blob1C(Buffer.from([1])));
    assert.match(String(notConnected.error), /Нет подключения/);
    const started = Date.now();
    const fractional = await c.call(m(CLIENT, 'Принять'), 0.4, undefined);
    assert.equal(fractional.value, false, '0.4 ms waits about 1 ms, never forever');
    assert.ok(Date.now() - started < 2000);
    c.close();
  });

  it('speaks English after LOCALE en, Russian after rus_RUS', async () => {
    const c = await WireClient.open(socket);
    await c.openObject(0, 'en');
    assert.match(String((await c.call(m(CLIENT, 'Send'), 'x')).error), /Not connected/);
    await c.locale('rus_RUS');
    assert.match(String((await c.call(m(CLIENT, 'Send'), 'x')).error), /Нет подключения/);
    c.close();
  });

  it('a server object: the document\'s step 2; closing the object frees the port', async () => {
    const s = await WireClient.open(socket);
    await s.openObject(1);
    const run = await s.call(findMember(SERVER.methods, 'Запустить'), '127.0.0.1', 0, undefined, undefined, undefined);
    assert.ok(run.ok, String(run.error));
    const port = (await s.get(findMember(SERVER.props, 'Порт'))).value as number;
    assert.ok(port > 0);
    const c1 = await WireClient.open(socket);
    await c1.openObject(0);
    await c1.call(m(CLIENT, 'Подключиться'), `ws://127.0.0.1:${port}/first`);
    await c1.call(m(CLIENT, 'Отправить'), 'ase1ЙЦУ');
    const got = await s.call(findMember(SERVER.methods, 'Принять'), 0, 0, '');
    assert.equal(got.value, true);
    assert.equal(got.outs.get(1), 1);
    assert.equal(receivedText(got.outs.get(2)), 'ase1ЙЦУ');
    assert.match(String((await s.get(findMember(SERVER.props, 'Соединения'))).value), /^1: 127\.0\.0\.1:\d+$/);
    assert.equal((await s.call(findMember(SERVER.methods, 'Отключить'), 1)).value, true);
    assert.equal((await s.call(findMember(SERVER.methods, 'Disconnect'), 7)).value, false);
    s.close();
    const deadline = Date.now() + 5000;
    let refused = false;
    while (!refused && Date.now() < deadline) {
      refused = await tryConnect(port).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(refused, 'the port is free once the object is gone');
    c1.close();
  });

  it('a blocked Receive(0) ends when its server is stopped through another path', async () => {
    const s = await WireClient.open(socket);
    await s.openObject(1);
    await s.call(findMember(SERVER.methods, 'Run'), '127.0.0.1', 0, '', '', '');
    const pending = s.call(findMember(SERVER.methods, 'Receive'), 0, undefined, undefined);
    s.close();
    await assert.rejects(pending, /connection closed/);
  });
});

describe('a server with an owner outlives its object for the grace period (scheduled jobs)', () => {
  const OWNER = 'Srvr="1c-prod";Ref="Производство";';
  const owner = findMember(SERVER.props, 'Владелец');
  /** A server object of that owner, as a job's session opens it. */
  async function jobObject(socket: string, ownerValue = OWNER): Promise<WireClient> {
    const job = await WireClient.open(socket);
    await job.openObject(1);
    assert.ok((await job.set(owner, ownerValue)).ok);
    return job;
  }

  it('keeps port, connections, ids and queued messages; a Run of the same owner on the same interface and port re-attaches', async () => {
    const { socket, engine } = await engineOfItsOwn({ graceMs: 3000 });
    const run = findMember(SERVER.methods, 'Запустить');
    const receive = findMember(SERVER.methods, 'Принять');
    const job1 = await jobObject(socket);
    assert.ok((await job1.call(run, '127.0.0.1', 0, '', '', '')).ok);
    const port = (await job1.get(findMember(SERVER.props, 'Порт'))).value as number;
    const peer = await WireClient.open(socket);
    await peer.openObject(0);
    await peer.call(m(CLIENT, 'Подключиться'), `ws://127.0.0.1:${port}/`);
    await peer.call(m(CLIENT, 'Отправить'), 'first');
    const first = await job1.call(receive, 5000, 0, '');
    assert.deepEqual([first.value, first.outs.get(1), receivedText(first.outs.get(2))], [true, 1, 'first']);
    const blocked = job1.call(receive, 0, 0, '');
    job1.close(); // the job's session ends without Остановить(), while its Receive(0) waits
    await assert.rejects(blocked, /connection closed/);
    await peer.call(m(CLIENT, 'Отправить'), 'while nobody owns the server');
    await new Promise((r) => setTimeout(r, 200));
    const other = await jobObject(socket, 'Srvr="1c-prod";Ref="Производство_копия";');
    const refused = await other.call(run, '127.0.0.1', port, '', '', '');
    assert.equal(refused.ok, false, 'another owner does not get the server');
    assert.match(String(refused.error), new RegExp(`^Порт ${port} на интерфейсе 127\\.0\\.0\\.1 занят сервером другого владельца: .* не позже чем через [1-3] с$`));
    assert.ok(!String(refused.error).includes('1c-prod'), 'the owner is not told');
    other.close();
    const job2 = await jobObject(socket);
    assert.ok((await job2.call(run, '127.0.0.1', port, '', '', '')).ok, 're-attached instead of "port busy"');
    assert.equal((await job2.get(owner)).value, OWNER);
    const second = await job2.call(receive, 5000, 0, '');
    assert.deepEqual([second.value, second.outs.get(1), receivedText(second.outs.get(2))], [true, 1, 'while nobody owns the server']);
    assert.match(String((await job2.get(findMember(SERVER.props, 'Соединения'))).value), /^1: 127\.0\.0\.1:\d+$/);
    assert.ok((await job2.call(findMember(SERVER.methods, 'Остановить'))).ok);
    const job3 = await jobObject(socket);
    assert.ok((await job3.call(run, '127.0.0.1', port, '', '', '')).ok, 'after Остановить the port was free');
    assert.equal((await job3.get(findMember(SERVER.props, 'Соединения'))).value, '', 'a fresh server, not the stopped one');
    job3.close();
    const closedAt = Date.now();
    let freedAfter = -1;
    while (Date.now() - closedAt < 10_000) {
      if (await tryConnect(port).then(() => false, () => true)) {
        freedAfter = Date.now() - closedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(freedAfter >= 2900, `the port is free once the grace period (3000 ms) ended: ${freedAfter} ms`);
    peer.close();
    job2.close();
    engine.kill();
  });

  it('a server without an owner is not parked: its port is free as soon as its object is gone', async () => {
    const { socket, engine } = await engineOfItsOwn({ graceMs: 30_000 });
    const job = await WireClient.open(socket);
    await job.openObject(1);
    assert.equal((await job.get(owner)).value, '', 'no owner unless BSL sets one');
    assert.ok((await job.call(findMember(SERVER.methods, 'Запустить'), '127.0.0.1', 0, '', '', '')).ok);
    const port = (await job.get(findMember(SERVER.props, 'Порт'))).value as number;
    job.close();
    await waitFor(() => tryConnect(port).then(() => false, () => true), 5000, 'the port freed long before the 30 s grace period ends');
    engine.kill();
  });
});

describe('engine process lifetime', () => {
  it('exits after its idle period with nothing to serve and removes its socket', async () => {
    const { socket, engine } = await engineOfItsOwn({ idleMs: 300 });
    const c = await WireClient.open(socket);
    await c.openObject(0);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(engine.exitCode, null, 'still running while an object is open');
    c.close();
    const [code] = (await once(engine, 'exit')) as [number];
    assert.equal(code, 0);
    assert.equal(existsSync(socket), false);
  });

  it('a second engine on the same socket leaves the first in charge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onec-ws-engine-'));
    const socket = join(dir, 'engine.sock');
    const first = spawnEngine(socket);
    await engineSocketReady(socket);
    const second = spawnEngine(socket);
    const [code] = (await once(second, 'exit')) as [number];
    assert.equal(code, 0);
    const c = await WireClient.open(socket);
    assert.ok((await c.openObject(0)).ok);
    c.close();
    first.kill();
  });
});

/** An engine on a socket in a fresh directory, ready for objects. */
async function engineOfItsOwn(options: EngineOptions): Promise<{ socket: string; engine: ChildProcess }> {
  const socket = join(mkdtempSync(join(tmpdir(), 'onec-ws-engine-')), 'engine.sock');
  const engine = spawnEngine(socket, options);
  await engineSocketReady(socket);
  return { socket, engine };
}

function tryConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

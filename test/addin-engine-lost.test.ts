/**
 * The engine process killed (SIGKILL) while a client object blocks in Принять(0, Данные): the call
 * returns with the engineLost error within a few seconds, the object reads Статус −1, methods
 * follow their onEngineLost policy from src/api/table.ts, and Подключиться starts a new engine and
 * works again. The emulator's memory manager must stay clean throughout.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { CLIENT, SERVER } from '../src/api/table.js';
import { MESSAGES } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInObject } from '../src/host/index.js';
import { CLIENT_TYPE, SERVER_TYPE, useAddIn } from './support/addin.js';

describe('engine killed during a blocking call', () => {
  const addin = useAddIn();
  let client: AddInObject;
  let server: AddInObject;
  let firstEngine = 0;

  it('a client connected to a peer, a server running, one engine', () => {
    client = addin.host.create(CLIENT_TYPE);
    server = addin.host.create(SERVER_TYPE);
    assert.equal(client.call('Подключиться', addin.echo.url), true);
    client.call('Отправить', 'до');
    const data = out('');
    assert.equal(client.call('Принять', 5000, data), true);
    assert.equal(data.value, 'до');
    assert.equal(server.call('Запустить', '127.0.0.1', 0), true);
    const pids = addin.sandbox.enginePids();
    assert.equal(pids.length, 1, `engines: ${pids.join(', ')}`);
    firstEngine = pids[0] as number;
  });

  it('Принять(0, Данные) returns with engineLost when the engine is SIGKILLed after ~1 s', async () => {
    assert.ok(firstEngine > 0);
    // a separate process does the killing: this thread is about to block inside the add-in
    const killer = spawn('sh', ['-c', `sleep 1; kill -9 ${firstEngine}`], { stdio: 'ignore' });
    const killed = once(killer, 'exit');
    const data = out('прежнее');
    const started = Date.now();
    assert.throws(
      () => client.call('Принять', 0, data),
      (e: unknown) => {
        assert.ok(e instanceof BslError, String(e));
        assert.equal(e.message, `${Text.callFailed('Принять')}: ${MESSAGES.engineLost.ru}`);
        assert.equal(e.records.length, 1);
        assert.equal(e.records[0]?.descr, MESSAGES.engineLost.ru);
        return true;
      },
    );
    const elapsed = Date.now() - started;
    const [code] = (await killed) as [number | null];
    assert.equal(code, 0, 'kill -9 succeeded');
    assert.ok(elapsed >= 900, `returned after ${elapsed} ms: before the engine was killed`);
    assert.ok(elapsed < 4000, `returned after ${elapsed} ms`);
    assert.equal(client.call('ОписаниеОшибки'), MESSAGES.engineLost.ru);
    assert.deepEqual(addin.sandbox.enginePids(), [], 'no engine left');
  });

  it('properties read their whenEngineLost values: Статус −1, Сервер ""', () => {
    const expected = (spec: typeof CLIENT): Record<string, unknown> =>
      Object.fromEntries(spec.props.filter((p) => p.readable).map((p) => [p.ru, p.whenEngineLost]));
    assert.equal(client.get('Статус'), -1);
    assert.equal(client.get('Status'), -1);
    assert.deepEqual(Object.fromEntries(CLIENT.props.filter((p) => p.readable).map((p) => [p.ru, client.get(p.ru)])), expected(CLIENT));
    // the server object lost its engine as well (it notices before its next call)
    assert.deepEqual(Object.fromEntries(SERVER.props.filter((p) => p.readable).map((p) => [p.ru, server.get(p.ru)])), expected(SERVER));
  });

  it('methods follow their policy: Отправить/Принять fail with engineLost, Отключиться/Остановить succeed', () => {
    const lost = (name: string) => (e: unknown) =>
      e instanceof BslError && e.message === `${Text.callFailed(name)}: ${MESSAGES.engineLost.ru}`;
    assert.throws(() => client.call('Отправить', 'в пустоту'), lost('Отправить'));
    assert.throws(() => client.call('Принять', 100, out()), lost('Принять'));
    assert.throws(() => server.call('Отправить', 1, 'x'), lost('Отправить'));
    assert.throws(() => server.call('Принять', 100, out(), out()), lost('Принять'));
    assert.throws(() => server.call('Отключить', 1), lost('Отключить'));
    assert.equal(client.call('Отключиться'), true);
    assert.equal(server.call('Остановить'), true);
    // none of that started an engine
    assert.deepEqual(addin.sandbox.enginePids(), []);
  });

  it('Подключиться starts a new engine and a round trip works again', () => {
    assert.equal(client.call('Подключиться', addin.echo.url), true);
    assert.equal(client.get('Статус'), 1);
    assert.equal(client.get('Сервер'), addin.echo.url);
    const pids = addin.sandbox.enginePids();
    assert.equal(pids.length, 1);
    assert.notEqual(pids[0], firstEngine);
    client.call('Отправить', 'после 𝄞');
    const data = out('');
    assert.equal(client.call('Принять', 5000, data), true);
    assert.equal(data.value, 'после 𝄞');
  });

  it('Запустить restarts the server object in the same new engine', () => {
    assert.equal(server.call('Запустить', '127.0.0.1', 0), true);
    const port = server.get('Порт') as number;
    assert.ok(port > 0);
    assert.equal(addin.sandbox.enginePids().length, 1);
    const peer = addin.host.create(CLIENT_TYPE);
    try {
      peer.call('Подключиться', `ws://127.0.0.1:${port}/`);
      peer.call('Отправить', 'снова');
      const id = out(0);
      const data = out('');
      assert.equal(server.call('Принять', 5000, id, data), true);
      assert.deepEqual([id.value, data.value], [1, 'снова']);
    } finally {
      peer.destroy();
    }
  });

  it('the emulator\'s memory manager reports no problems', () => {
    client.destroy();
    server.destroy();
    addin.host.close();
    addin.host.assertClean();
  });
});

/**
 * Принять(0, Данные) waits "until a message arrives or the connection ends" (docs/decisions.md).
 * A client with no connection — never connected, after a failed Подключиться, after Отключиться —
 * has nothing to wait for: it must answer Ложь at once, or a BSL loop
 * `Пока Клиент.Принять(0, Данные) Цикл` would hang its 1C session forever.
 *
 * The call blocks this thread, so a watchdog process kills the engine after a few seconds: a call
 * that would hang then fails with engineLost instead of hanging the test run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BslError, out, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, isolateEngine, SERVER_TYPE } from './support/addin.js';

const WATCHDOG_S = 4;

describe('Принять(0) on a client without a connection', () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let watchdog: ChildProcess | undefined;

  before(() => {
    host = attach();
  });
  after(() => {
    watchdog?.kill('SIGKILL');
    host?.close();
    sandbox.cleanup();
  });

  /** Принять(0, Данные) with the watchdog armed: Ложь and "" at once, or the test fails. */
  function receiveForever(client: AddInObject): void {
    assert.equal(client.get('Статус') === 1, false, 'precondition: not connected');
    const engines = sandbox.enginePids();
    assert.equal(engines.length, 1);
    watchdog = spawn('sh', ['-c', `sleep ${WATCHDOG_S}; kill -9 ${engines.join(' ')}`], { stdio: 'ignore' });
    const data = out('прежнее');
    const started = Date.now();
    let result: unknown;
    try {
      result = client.call('Принять', 0, data);
    } catch (error) {
      if (error instanceof BslError && Date.now() - started >= WATCHDOG_S * 1000 - 500) {
        assert.fail(`Принять(0) blocked until the watchdog killed the engine after ${WATCHDOG_S} s: ${error.message}`);
      }
      throw error;
    } finally {
      watchdog.kill('SIGKILL');
      watchdog = undefined;
    }
    assert.equal(result, false);
    assert.equal(data.value, '');
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  }

  it('never connected', () => {
    const client = host.create(CLIENT_TYPE);
    try {
      assert.equal(client.get('Статус'), 0);
      receiveForever(client);
      assert.equal(client.get('Статус'), 0);
    } finally {
      client.destroy();
    }
  });

  it('after a failed Подключиться (Статус −1)', () => {
    const client = host.create(CLIENT_TYPE);
    try {
      assert.throws(() => client.call('Подключиться', 'ws://127.0.0.1:9/'), BslError);
      assert.equal(client.get('Статус'), -1);
      receiveForever(client);
    } finally {
      client.destroy();
    }
  });

  it('after Отключиться', () => {
    const server = host.create(SERVER_TYPE);
    const client = host.create(CLIENT_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0);
      client.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}/`);
      client.call('Отключиться');
      assert.equal(client.get('Статус'), 0);
      receiveForever(client);
    } finally {
      client.destroy();
      server.destroy();
    }
  });

  it('a message that arrived before the failure is still delivered first', () => {
    const server = host.create(SERVER_TYPE);
    const client = host.create(CLIENT_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0);
      const port = server.get('Порт') as number;
      client.call('Подключиться', `ws://127.0.0.1:${port}/`);
      server.call('Отправить', 1, 'последнее');
      const id = out(0);
      // the server drops the client once the message is surely out: a round trip through it
      client.call('Отправить', 'синхронизация');
      assert.equal(server.call('Принять', 5000, id, out()), true);
      assert.equal(server.call('Отключить', id.value as number), true);
      const deadline = Date.now() + 5000;
      while (client.get('Статус') !== 0 && Date.now() < deadline) {
        // the engine is another process: polling here lets it notice the close
      }
      assert.equal(client.get('Статус'), 0);
      // a failed reconnect must not lose it either
      assert.throws(() => client.call('Подключиться', 'ws://127.0.0.1:9/'), BslError);
      const data = out('');
      assert.equal(client.call('Принять', 0, data), true);
      assert.equal(data.value, 'последнее');
      receiveForever(client);
    } finally {
      client.destroy();
      server.destroy();
    }
  });

  it('leaves the emulator\'s memory manager clean', () => {
    host.close();
    host.assertClean();
  });
});

/**
 * The document's server scenario (sections 3 and 5, step 2) through the real library and engine:
 * one server object and several client objects in one emulator. Соединения in its exact format,
 * ids from 1 in accept order and never reused, Отключить Истина/Ложь, Остановить twice, and the
 * port free again afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { format } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInObject } from '../src/host/index.js';
import { CLIENT_TYPE, delay, SERVER_TYPE, useAddIn } from './support/addin.js';

const CONNECTION = /^(\d+): 127\.0\.0\.1:(\d+)$/;

/** Parses `1: 127.0.0.1:51234 | 2: 127.0.0.1:51236` strictly: [id, peer port] pairs. */
function parseConnections(text: string): Array<[number, number]> {
  if (text === '') return [];
  return text.split(' | ').map((part) => {
    const m = CONNECTION.exec(part);
    assert.ok(m, `connection entry ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
    const port = Number(m[2]);
    assert.ok(port > 0 && port < 65536, part);
    return [Number(m[1]), port];
  });
}

describe('the document\'s server scenario through the native library', () => {
  const addin = useAddIn({ echo: false });

  it('Принять before Запустить is an error (it would otherwise wait forever)', () => {
    const server = addin.host.create(SERVER_TYPE);
    try {
      assert.throws(
        () => server.call('Принять', 0, out(), out()),
        (e: unknown) => e instanceof BslError && e.message === `${Text.callFailed('Принять')}: ${format('ru', 'serverNotRunning')}`,
      );
      assert.equal(server.get('Порт'), 0);
    } finally {
      server.destroy();
    }
  });

  describe('one server, three clients', () => {
    let server: AddInObject;
    let client1: AddInObject;
    let client2: AddInObject;
    let client3: AddInObject;
    let port = 0;
    let peerPort2 = 0;

    before(() => {
      server = addin.host.create(SERVER_TYPE);
      client1 = addin.host.create(CLIENT_TYPE);
      client2 = addin.host.create(CLIENT_TYPE);
      client3 = addin.host.create(CLIENT_TYPE);
    });
    after(() => {
      for (const o of [client1, client2, client3, server]) o?.destroy();
    });

    it('Запустить: Сервер and Порт tell where it listens; no connections yet', () => {
      assert.equal(server.call('Запустить', '127.0.0.1', 0), true);
      port = server.get('Порт') as number;
      assert.ok(Number.isInteger(port) && port > 0 && port < 65536);
      assert.equal(server.get('Сервер'), '127.0.0.1');
      assert.equal(server.get('Соединения'), '');
    });

    it('a second Запустить on the running object fails and keeps it running', () => {
      assert.throws(
        () => server.call('Запустить', '127.0.0.1', 0),
        (e: unknown) => e instanceof BslError && e.message.includes(format('ru', 'serverAlreadyRunning', ['127.0.0.1', port])),
      );
      assert.equal(server.get('Порт'), port);
    });

    it('Соединения is exactly `1: 127.0.0.1:NNNNN | 2: 127.0.0.1:NNNNN`, ids in accept order', () => {
      const base = `ws://127.0.0.1:${port}`;
      assert.equal(client1.call('Подключиться', `${base}/first`), true);
      assert.equal(client2.call('Подключиться', `${base}/testadr`), true);
      const text = server.get('Соединения') as string;
      assert.match(text, /^1: 127\.0\.0\.1:\d{1,5} \| 2: 127\.0\.0\.1:\d{1,5}$/);
      const entries = parseConnections(text);
      assert.deepEqual(entries.map(([id]) => id), [1, 2]);
      const [[, p1], [, p2]] = entries as [[number, number], [number, number]];
      assert.notEqual(p1, p2);
      assert.notEqual(p1, port);
      assert.notEqual(p2, port);
      peerPort2 = p2;
    });

    it('ИДКлиента follows the accept order, not the order of messages', () => {
      client2.call('Отправить', 'от второго');
      client1.call('Отправить', 'ase1ЙЦУ');
      const id = out(0);
      const data = out('');
      assert.equal(server.call('Принять', 0, id, data), true);
      assert.deepEqual([id.value, data.value], [2, 'от второго']);
      assert.equal(server.call('Принять', 0, id, data), true);
      assert.deepEqual([id.value, data.value], [1, 'ase1ЙЦУ']);
    });

    it('Отправить(ИДКлиента, …) reaches exactly that client', () => {
      assert.equal(server.call('Отправить', 2, 'второму'), true);
      assert.equal(server.call('Отправить', 1, 'первому'), true);
      const d1 = out('');
      const d2 = out('');
      assert.equal(client2.call('Принять', 5000, d2), true);
      assert.equal(client1.call('Принять', 5000, d1), true);
      assert.deepEqual([d1.value, d2.value], ['первому', 'второму']);
      assert.equal(client1.call('Принять', 100, d1), false);
      assert.equal(client2.call('Принять', 100, d2), false);
    });

    it('Отключить: Истина for an open connection, Ложь for a closed or unknown id', () => {
      assert.equal(server.call('Отключить', 1), true);
      // the server's side is gone at once; the other connection keeps its id and address
      assert.equal(server.get('Соединения'), `2: 127.0.0.1:${peerPort2}`);
      assert.equal(server.call('Отключить', 1), false);
      assert.equal(server.call('Отключить', 99), false);
      assert.equal(server.call('Отключить', 0), false);
      assert.equal(server.call('Отправить', 1, 'в никуда'), false);
      // client 1 sees the server hang up cleanly: Принять returns Ложь at the end, Статус 0
      const data = out('x');
      const started = Date.now();
      assert.equal(client1.call('Принять', 0, data), false);
      assert.ok(Date.now() - started < 5000);
      assert.equal(data.value, '');
      assert.equal(client1.get('Статус'), 0);
      assert.equal(client2.get('Статус'), 1);
    });

    it('ids are never reused: the next client gets 3', () => {
      assert.equal(client3.call('Подключиться', `ws://127.0.0.1:${port}/third`), true);
      const entries = parseConnections(server.get('Соединения') as string);
      assert.deepEqual(entries.map(([id]) => id), [2, 3]);
      assert.equal(entries[0]?.[1], peerPort2);
      client3.call('Отправить', 'третий');
      const id = out(0);
      const data = out('');
      assert.equal(server.call('Принять', 5000, id, data), true);
      assert.deepEqual([id.value, data.value], [3, 'третий']);
    });

    it('Остановить twice: both Истина; the clients see the end; Порт, Сервер, Соединения are cleared', async () => {
      client2.call('Отправить', 'до остановки');
      // wait until it is in the server's queue (Состояние counts it), however slow the machine
      const deadline = Date.now() + 10_000;
      const queued = (): number => (JSON.parse(server.get('Состояние') as string) as { queuedMessages: number }).queuedMessages;
      while (queued() < 1 && Date.now() < deadline) await delay(10);
      assert.equal(queued(), 1, 'the message reached the server before Остановить');
      assert.equal(server.call('Остановить'), true);
      assert.equal(server.call('Остановить'), true);
      assert.equal(server.get('Порт'), 0);
      assert.equal(server.get('Сервер'), '');
      assert.equal(server.get('Соединения'), '');
      for (const client of [client2, client3]) {
        const data = out('x');
        assert.equal(client.call('Принять', 0, data), false, 'Принять(0) ends when the server goes away');
        assert.equal(data.value, '');
        assert.equal(client.get('Статус'), 0, 'Остановить closes cleanly (1001): Статус 0, not -1');
      }
      // after Остановить, Принять(0) returns what was queued, then Ложь at once (never blocks)
      const id = out(0);
      const data = out('');
      const started = Date.now();
      let taken = 0;
      while (server.call('Принять', 0, id, data) === true) {
        assert.deepEqual([id.value, data.value], [2, 'до остановки']);
        taken++;
      }
      assert.equal(taken, 1, 'the message queued before Остановить is still delivered');
      assert.ok(Date.now() - started < 2000);
      assert.deepEqual([id.value, data.value], [0, '']);
    });

    it('the port is free afterwards: another server object runs on it, then the first one again', () => {
      const second = addin.host.create(SERVER_TYPE);
      try {
        assert.equal(second.call('Запустить', '127.0.0.1', port), true);
        assert.equal(second.get('Порт'), port);
        // while it is taken, the first object cannot have it, and says so
        assert.throws(
          () => server.call('Запустить', '127.0.0.1', port),
          (e: unknown) => e instanceof BslError && e.message.includes(format('ru', 'portBusy', ['127.0.0.1', port])),
        );
        assert.equal(server.get('Порт'), 0);
        const probe = addin.host.create(CLIENT_TYPE);
        try {
          assert.equal(probe.call('Подключиться', `ws://127.0.0.1:${port}/`), true);
          assert.match(second.get('Соединения') as string, /^1: 127\.0\.0\.1:\d+$/);
        } finally {
          probe.destroy();
        }
        assert.equal(second.call('Остановить'), true);
      } finally {
        second.destroy();
      }
      assert.equal(server.call('Запустить', '127.0.0.1', port), true);
      assert.equal(server.get('Порт'), port);
      assert.equal(server.call('Остановить'), true);
    });

    it('Остановить on a never-started object and Отключиться on a never-connected one are not errors', () => {
      const idle = addin.host.create(SERVER_TYPE);
      const lonely = addin.host.create(CLIENT_TYPE);
      try {
        assert.equal(idle.call('Остановить'), true);
        assert.equal(idle.call('Остановить'), true);
        assert.equal(lonely.call('Отключиться'), true);
        assert.equal(lonely.call('Отключиться'), true);
      } finally {
        idle.destroy();
        lonely.destroy();
      }
    });
  });

  it('destroying a running server object frees its port (the engine stops it)', () => {
    const server = addin.host.create(SERVER_TYPE);
    server.call('Запустить', '127.0.0.1', 0);
    const port = server.get('Порт') as number;
    server.destroy();
    const again = addin.host.create(SERVER_TYPE);
    try {
      // DestroyObject closed the object's connection; the engine stops the server when it sees
      // that, so allow it a moment
      let ok = false;
      const deadline = Date.now() + 3000;
      while (!ok && Date.now() < deadline) {
        try {
          ok = again.call('Запустить', '127.0.0.1', port) === true;
        } catch {
          // still busy
        }
      }
      assert.ok(ok, `port ${port} was not freed after DestroyObject`);
    } finally {
      again.destroy();
    }
  });

  it('leaves the emulator\'s memory manager clean', () => {
    addin.host.close();
    addin.host.assertClean();
  });
});

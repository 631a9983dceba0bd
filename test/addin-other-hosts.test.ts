/**
 * Hosts other than 1C (docs/other-hosts.md), as the add-in met one in OneScript's native-API proxy:
 * it frees objects with C++ `delete` through their virtual destructor instead of DestroyObject,
 * never copies out-parameters back, treats an Undefined default as none, and ignores a false return.
 * The emulator plays such a host (ONESCRIPT_LIKE_HOST) against the real library and engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryData, BslError, ONESCRIPT_LIKE_HOST, out, Text, type AddInHost, type AddInObject, type ObjectOptions } from '../src/host/index.js';
import { MESSAGES } from '../src/i18n/messages.js';
import { attach, CLIENT_TYPE, SERVER_TYPE, useAddIn } from './support/addin.js';

process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = '30000';

/** A running server object of the ordinary host that records connection openings and closings. */
function watchingServer(host: AddInHost): { server: AddInObject; url: string; next: (event: 'open' | 'close') => number } {
  const server = host.create(SERVER_TYPE);
  server.set('СобытияСоединений', true);
  server.call('Запустить', '127.0.0.1', 0);
  const next = (event: 'open' | 'close'): number => {
    const id = out();
    const what = out();
    assert.equal(server.call('ПринятьСобытие', 10_000, id, what), true, `no "${event}" event within 10 s`);
    assert.equal(what.value, event);
    return id.value as number;
  };
  return { server, url: `ws://127.0.0.1:${server.get('Порт') as number}`, next };
}

/** One object of `type` in a fresh ONESCRIPT_LIKE_HOST: `fn`, then freed (by delete), the host clean. */
function inOtherHost(type: string, fn: (obj: AddInObject) => void, options: ObjectOptions = {}): void {
  const other = attach(ONESCRIPT_LIKE_HOST);
  const obj = other.create(type, options);
  try {
    fn(obj);
  } finally {
    obj.destroy();
  }
  other.close();
  other.assertClean();
}

describe('a host that frees objects with C++ delete', () => {
  const addin = useAddIn();

  it('delete through each of the four vptrs destroys the object: its connection closes, no host memory leaks', () => {
    const { server, url, next } = watchingServer(addin.host);
    try {
      for (const deleteThrough of [0, 1, 2, 3] as const) {
        // A host of its own: registration frees its probe objects with delete as well. Done alone
        // would close the connection, so one client is freed without it: then only the destructor
        // can have closed it. The other is freed as such a host does, Done first.
        const other = attach({ ...ONESCRIPT_LIKE_HOST, deleteThrough });
        const clients = [false, true].map((callsDone) => other.create(CLIENT_TYPE, { callsDone }));
        const ids = clients.map((client) => {
          client.call('Подключиться', url);
          return next('open');
        });
        for (const [i, client] of clients.entries()) {
          client.destroy(); // Done, then delete through vptr #deleteThrough + 1
          assert.equal(next('close'), ids[i], `client ${i} deleted through vptr #${deleteThrough + 1}`);
        }
        other.close();
        other.assertClean();
      }
    } finally {
      server.call('Остановить');
      server.destroy();
    }
    addin.host.assertClean();
  });
});

describe('ПринятьСообщение for hosts without out-parameters', () => {
  const addin = useAddIn();

  it('such a host cannot use Принять: the Undefined default counts as none, an out-parameter stays as it was', () => {
    inOtherHost(CLIENT_TYPE, (client) => {
      client.call('Подключиться', addin.echo.url);
      assert.throws(() => client.call('Принять', 100), (e) => e instanceof BslError && e.message === Text.notEnoughParams);
      client.call('Отправить', 'эхо');
      const Данные = out('before');
      assert.equal(client.call('Принять', 5000, Данные), true);
      assert.equal(Данные.value, 'before', 'this host copies nothing back');
    });
  });

  it('a client returns text, ДвоичныеДанные, and Неопределено when nothing came', () => {
    inOtherHost(CLIENT_TYPE, (client) => {
      client.call('Подключиться', addin.echo.url);
      client.call('Отправить', 'Привет 😀');
      client.call('Отправить', new BinaryData([0, 1, 255]));
      assert.equal(client.call('ПринятьСообщение', 5000), 'Привет 😀');
      assert.equal(client.get('ДвоичноеСообщение'), false);
      const binary = client.call('ReceiveMessage', 5000);
      assert.ok(binary instanceof BinaryData);
      assert.deepEqual([...binary.bytes], [0, 1, 255]);
      assert.equal(client.get('IsBinary'), true);
      assert.equal(client.call('ПринятьСообщение', 100), undefined);
      assert.equal(client.get('ДвоичноеСообщение'), false);
      assert.equal(client.call('ОписаниеОшибки'), '', 'a timeout is no error');
      // the same errors as Принять
      assert.equal(client.call('Принять', -1, out()), undefined);
      const receiveError = client.call('ОписаниеОшибки');
      assert.notEqual(receiveError, '');
      assert.equal(client.call('Отправить', 'x'), true);
      const before = client.errors.length;
      assert.equal(client.call('ПринятьСообщение', -1), undefined);
      assert.equal(client.errors.length, before + 1, 'ПринятьСообщение(-1) failed');
      assert.equal(client.errors.at(-1)?.descr, receiveError);
      assert.equal(client.call('ПринятьСообщение', 5000), 'x', 'the failed call took nothing');
    });
  });

  it('a server returns the message and tells its sender in ИДОтправителя (0 when nothing came)', () => {
    const other = attach(ONESCRIPT_LIKE_HOST);
    const server = other.create(SERVER_TYPE);
    const clients: AddInObject[] = [];
    try {
      server.call('Запустить', '127.0.0.1', 0);
      const url = `ws://127.0.0.1:${server.get('Порт') as number}`;
      assert.equal(server.get('ИДОтправителя'), 0);
      for (const text of ['первый', 'второй']) {
        const client = addin.host.create(CLIENT_TYPE);
        clients.push(client);
        client.call('Подключиться', url);
        client.call('Отправить', text);
      }
      const seen = new Map<string, number>();
      for (let i = 0; i < 2; i++) {
        const message = server.call('ПринятьСообщение', 5000) as string;
        seen.set(message, server.get('SenderID') as number);
      }
      assert.deepEqual([...seen.keys()].sort(), ['второй', 'первый']);
      const ids = [...seen.values()];
      assert.ok(ids.every((id) => id > 0) && ids[0] !== ids[1], `sender ids ${ids}`);
      // replies by the id reach the right client
      for (const [text, id] of seen) assert.equal(server.call('Отправить', id, `ответ: ${text}`), true);
      for (const [i, client] of clients.entries()) {
        const reply = out();
        assert.equal(client.call('Принять', 5000, reply), true);
        assert.equal(reply.value, `ответ: ${['первый', 'второй'][i]}`);
      }
      assert.equal(server.call('ПринятьСообщение', 100), undefined);
      assert.equal(server.get('ИДОтправителя'), 0);
    } finally {
      for (const client of clients) client.destroy();
      server.call('Остановить');
      server.destroy();
    }
    other.close();
    other.assertClean();
    addin.host.assertClean();
  });

  it('Принять and ПринятьСообщение mixed: every message once, in order, with ДвоичноеСообщение and ИДОтправителя right', () => {
    const server = addin.host.create(SERVER_TYPE);
    const clients = ['A', 'B'].map(() => addin.host.create(CLIENT_TYPE));
    try {
      server.call('Запустить', '127.0.0.1', 0);
      const url = `ws://127.0.0.1:${server.get('Порт') as number}`;
      const count = 120;
      const binary = (i: number): boolean => i % 7 === 3;
      const message = (tag: number, i: number): string | BinaryData =>
        binary(i) ? new BinaryData([tag, i]) : `${tag}: сообщение ${i}`;
      /** which client sent `got` and which of its messages it is */
      const parse = (got: unknown): [number, number] => {
        if (got instanceof BinaryData) return [got.bytes[0] as number, got.bytes[1] as number];
        const match = /^(\d): сообщение (\d+)$/.exec(got as string);
        assert.ok(match, `unexpected message ${String(got)}`);
        return [Number(match[1]), Number(match[2])];
      };
      // the forms switch irregularly, so a batch made for one is often cut short by the other
      const useReceive = (i: number): boolean => [1, 0, 0, 1, 0, 1, 1, 1, 0][i % 9] === 1;
      for (const client of clients) client.call('Подключиться', url);
      for (let i = 0; i < count; i++) {
        for (const [tag, client] of clients.entries()) assert.equal(client.call('Отправить', message(tag, i)), true);
      }
      const next = [0, 0];
      const ids: number[] = [];
      for (let k = 0; k < 2 * count; k++) {
        let got: unknown;
        if (useReceive(k)) {
          const id = out();
          const data = out();
          assert.equal(server.call('Принять', 10_000, id, data), true, `message ${k}`);
          assert.equal(server.get('ИДОтправителя'), id.value, 'ИДОтправителя follows Принять too');
          got = data.value;
        } else {
          got = server.call('ПринятьСообщение', 10_000);
        }
        const [tag, i] = parse(got);
        assert.equal(i, next[tag], `client ${tag}: message ${next[tag]} expected, got ${i}`);
        next[tag] = i + 1;
        assert.equal(server.get('ДвоичноеСообщение'), binary(i), `ДвоичноеСообщение after message ${k}`);
        ids[tag] ??= server.get('ИДОтправителя') as number;
        assert.equal(server.get('ИДОтправителя'), ids[tag], `ИДОтправителя of message ${k}`);
      }
      assert.deepEqual(next, [count, count]);
      assert.notEqual(ids[0], ids[1]);
      const none = out();
      assert.equal(server.call('Принять', 100, out(), none), false);
      assert.equal(server.call('ПринятьСообщение', 100), undefined);

      // the client side of the same: the server sends client 0's messages back to it
      const first = clients[0] as AddInObject;
      for (let i = 0; i < count; i++) assert.equal(server.call('Отправить', ids[0], message(0, i)), true);
      for (let i = 0; i < count; i++) {
        let got: unknown;
        if (useReceive(i + 4)) {
          const data = out();
          assert.equal(first.call('Получить', 10_000, data), true, `echo ${i}`);
          got = data.value;
        } else {
          got = first.call('ReceiveMessage', 10_000);
        }
        assert.deepEqual(parse(got), [0, i]);
        assert.equal(first.get('ДвоичноеСообщение'), binary(i), `client ДвоичноеСообщение after echo ${i}`);
      }
      assert.equal(first.call('ПринятьСообщение', 100), undefined);
    } finally {
      for (const client of clients) client.destroy();
      server.call('Остановить');
      server.destroy();
    }
    addin.host.assertClean();
  });
});

describe('a host that ignores a false return', () => {
  useAddIn({ echo: false });

  it('gets no exception; ОписаниеОшибки() tells what failed, in the language of the locale', () => {
    inOtherHost(CLIENT_TYPE, (client) => {
      assert.equal(client.call('ОписаниеОшибки'), '');
      assert.equal(client.call('Отправить', 'x'), undefined, 'the failed call gives Undefined, no exception');
      assert.equal(client.call('ОписаниеОшибки'), MESSAGES.notConnected.ru);
      assert.ok(client.errors.length > 0, 'AddError was still called');
    });
    inOtherHost(
      CLIENT_TYPE,
      (client) => {
        assert.equal(client.call('Send', 'x'), undefined);
        assert.equal(client.call('ErrorDescription'), MESSAGES.notConnected.en);
      },
      { locale: 'en_US' },
    );
  });
});

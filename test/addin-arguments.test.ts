/**
 * Arguments through the real library and engine: a wrong type in any parameter of any method gives
 * «<bad cast>» (in the exception, in AddError and in ОписаниеОшибки()) and changes nothing; omitted
 * optional parameters, skipped ones (`М(1, , 3)`), too few mandatory ones and an explicit
 * Неопределено behave as the table says. Parameters and kinds come from src/api/table.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLASSES, type ClassSpec, type MethodSpec, type ParamSpec } from '../src/api/table.js';
import { format, MESSAGES, type Lang, type MessageKey } from '../src/i18n/messages.js';
import { BinaryData, BslError, out, skip, Text, type AddInObject, type Argument, type BslValue } from '../src/host/index.js';
import { CLIENT_TYPE, SERVER_TYPE, useAddIn } from './support/addin.js';


/** A valid argument list for every method that takes arguments (out-parameters as variables). */
const VALID: Record<string, Record<string, () => Argument[]>> = {
  Client: {
    Connect: () => ['ws://127.0.0.1:1/'],
    Send: () => ['valid'],
    Receive: () => [100, out('')],
    ReceiveMessage: () => [100],
    SetHeader: () => ['X-Test', 'valid'],
  },
  Server: {
    Run: () => ['127.0.0.1', 0, '', '', ''],
    Send: () => [1, 'valid'],
    Receive: () => [100, out(0), out('')],
    Disconnect: () => [1],
    Broadcast: () => ['valid', ''],
    ConnectionInfo: () => [1],
    ReceiveEvent: () => [100, out(0), out('')],
    ReceiveMessage: () => [100],
  },
};

interface WrongValue {
  value: BslValue;
  type: MessageKey;
}
const NUMBER: WrongValue = { value: 42, type: 'typeNumber' };
const FRACTION: WrongValue = { value: 2.5, type: 'typeNumber' };
const STRING: WrongValue = { value: '7', type: 'typeString' };
const BOOLEAN: WrongValue = { value: true, type: 'typeBoolean' };
const DATE: WrongValue = { value: new Date(Date.UTC(2020, 1, 5, 12, 30, 0)), type: 'typeDate' };
const BINARY: WrongValue = { value: new BinaryData([1, 2, 3]), type: 'typeBinary' };
const NULL: WrongValue = { value: null, type: 'typeNull' };

/**
 * Wrong values for each parameter kind. A message body (`message`) may be a String or, as an
 * extension, ДвоичныеДанные (sent as a binary frame, docs/decisions.md), so BinaryData is not wrong there.
 */
const WRONG: Record<ParamSpec['kind'], WrongValue[]> = {
  string: [NUMBER, FRACTION, BOOLEAN, DATE, BINARY, NULL],
  number: [STRING, BOOLEAN, DATE, BINARY, NULL],
  message: [NUMBER, BOOLEAN, DATE, NULL],
  out: [],
};
const EXPECTED_TYPE: Record<ParamSpec['kind'], MessageKey> = {
  string: 'typeString',
  number: 'typeNumber',
  message: 'typeString',
  out: 'typeUndefined',
};

/** The readable properties of an object, by their Russian names. */
function snapshot(obj: AddInObject, spec: ClassSpec): Record<string, BslValue> {
  return Object.fromEntries(spec.props.filter((p) => p.readable).map((p) => [p.ru, obj.get(p.ru)]));
}

/** The documented properties out of a snapshot (the others are compared as a whole). */
function pick(state: Record<string, BslValue>, ...names: string[]): Record<string, BslValue> {
  return Object.fromEntries(names.map((n) => [n, state[n]]));
}

function isBadCast(name: string, expected: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof BslError, String(e));
    assert.equal(e.message, `${Text.callFailed(name)}: ${expected}`);
    assert.equal(e.records.length, 1);
    assert.equal(e.records[0]?.descr, expected);
    assert.equal(e.records[0]?.source, 'AddIn.WebSocket');
    assert.ok(expected.startsWith('<bad cast>'));
    return true;
  };
}

describe('add-in arguments', () => {
  const addin = useAddIn();

  it('has a valid argument list for every method with parameters (the table and this test agree)', () => {
    for (const spec of CLASSES) {
      for (const m of spec.methods.filter((x) => x.params.length > 0)) {
        const args = VALID[spec.name]?.[m.en]?.();
        assert.ok(args, `test/addin-arguments.test.ts: add a valid argument list for ${spec.name}.${m.en}`);
        assert.equal(args.length, m.params.length, `${spec.name}.${m.en}: one valid argument per parameter`);
      }
    }
  });

  describe('wrong types give «<bad cast>» and change nothing', () => {
    /**
     * Calls every method of `obj` with one wrong value in one parameter at a time; after each call
     * the readable properties must be what they were.
     */
    function everyWrongArgument(obj: AddInObject, spec: ClassSpec, lang: Lang): number {
      const before = snapshot(obj, spec);
      let calls = 0;
      for (const method of spec.methods) {
        // a method missing from VALID fails the test above; the others are still checked here
        if (!VALID[spec.name]?.[method.en]) continue;
        method.params.forEach((param, index) => {
          for (const wrong of WRONG[param.kind]) {
            const args = VALID[spec.name]?.[method.en]?.() as Argument[];
            args[index] = wrong.value;
            const expected = format(lang, 'badCast', [
              index + 1,
              param[lang],
              MESSAGES[EXPECTED_TYPE[param.kind]][lang],
              MESSAGES[wrong.type][lang],
            ]);
            // by the Russian name and by the English one
            const name = calls % 2 === 0 ? method.ru : method.en;
            assert.throws(() => obj.call(name, ...args), isBadCast(name, expected), `${spec.name}.${name} parameter ${index + 1} = ${String(wrong.value)}`);
            assert.equal(obj.call('ОписаниеОшибки'), expected);
            assert.deepEqual(snapshot(obj, spec), before, `${spec.name}.${name} parameter ${index + 1} = ${String(wrong.value)} changed the state`);
            calls++;
          }
        });
      }
      return calls;
    }

    const expectedCalls = (spec: ClassSpec): number =>
      spec.methods
        .filter((m) => VALID[spec.name]?.[m.en])
        .reduce((sum: number, m: MethodSpec) => sum + m.params.reduce((s, p) => s + WRONG[p.kind].length, 0), 0);

    for (const lang of ['ru', 'en'] as const) {
      const locale = lang === 'ru' ? 'ru_RU' : 'en_US';

      it(`Client not connected (Статус stays 0), ${locale}`, () => {
        const client = addin.host.create(CLIENT_TYPE, { locale });
        try {
          assert.equal(client.get('Статус'), 0);
          const spec = CLASSES[0] as ClassSpec;
          assert.equal(everyWrongArgument(client, spec, lang), expectedCalls(spec));
          assert.deepEqual(pick(snapshot(client, spec), 'Статус', 'Сервер'), { Статус: 0, Сервер: '' });
        } finally {
          client.destroy();
        }
      });

      it(`Client connected (Статус stays 1, nothing is sent), ${locale}`, () => {
        const client = addin.host.create(CLIENT_TYPE, { locale });
        try {
          client.call('Подключиться', addin.echo.url);
          const spec = CLASSES[0] as ClassSpec;
          assert.equal(everyWrongArgument(client, spec, lang), expectedCalls(spec));
          assert.deepEqual(pick(snapshot(client, spec), 'Статус', 'Сервер'), { Статус: 1, Сервер: addin.echo.url });
          // no wrong Отправить reached the echo server
          const data = out('');
          assert.equal(client.call('Принять', 300, data), false);
          // and the connection still works
          client.call('Отправить', 'после ошибок');
          assert.equal(client.call('Принять', 5000, data), true);
          assert.equal(data.value, 'после ошибок');
        } finally {
          client.destroy();
        }
      });

      it(`Server not running (Порт stays 0), ${locale}`, () => {
        const server = addin.host.create(SERVER_TYPE, { locale });
        try {
          const spec = CLASSES[1] as ClassSpec;
          assert.equal(everyWrongArgument(server, spec, lang), expectedCalls(spec));
          assert.deepEqual(pick(snapshot(server, spec), 'Сервер', 'Порт', 'Соединения'), { Сервер: '', Порт: 0, Соединения: '' });
        } finally {
          server.destroy();
        }
      });

      it(`Server running with a client (nothing sent, nobody disconnected), ${locale}`, () => {
        const server = addin.host.create(SERVER_TYPE, { locale });
        const client = addin.host.create(CLIENT_TYPE);
        try {
          server.call('Запустить', '127.0.0.1', 0);
          const port = server.get('Порт') as number;
          client.call('Подключиться', `ws://127.0.0.1:${port}/`);
          const spec = CLASSES[1] as ClassSpec;
          const state = snapshot(server, spec);
          assert.equal(state.Порт, port);
          assert.match(state.Соединения as string, /^1: 127\.0\.0\.1:\d+$/);
          assert.equal(everyWrongArgument(server, spec, lang), expectedCalls(spec));
          assert.deepEqual(snapshot(server, spec), state);
          const data = out('');
          assert.equal(client.call('Принять', 300, data), false, 'a wrong Отправить reached the client');
          assert.equal(client.get('Статус'), 1);
          assert.equal(server.call('Отправить', 1, 'после ошибок'), true);
          assert.equal(client.call('Принять', 5000, data), true);
          assert.equal(data.value, 'после ошибок');
        } finally {
          client.destroy();
          server.destroy();
        }
      });
    }

    it('the last error is kept by ОписаниеОшибки() until the next error', () => {
      const client = addin.host.create(CLIENT_TYPE);
      try {
        assert.equal(client.call('ОписаниеОшибки'), '');
        assert.throws(() => client.call('Отправить', null), BslError);
        const first = client.call('ОписаниеОшибки');
        assert.equal(first, format('ru', 'badCast', [1, 'ТелоСообщения', 'Строка', 'Null']));
        assert.equal(client.call('Принять', 10, out()), false); // a success does not clear it
        assert.equal(client.call('ErrorDescription'), first);
        assert.throws(() => client.call('Принять', new Date(0)), BslError);
        assert.equal(client.call('ОписаниеОшибки'), format('ru', 'badCast', [1, 'Таймаут', 'Число', 'Дата']));
      } finally {
        client.destroy();
      }
    });
  });

  describe('omitted, skipped and explicit Неопределено arguments', () => {
    it('Запустить(Интерфейс, Порт) with two arguments runs a plain ws:// server', () => {
      const server = addin.host.create(SERVER_TYPE);
      const client = addin.host.create(CLIENT_TYPE);
      try {
        assert.equal(server.call('Запустить', '127.0.0.1', 0), true);
        const port = server.get('Порт') as number;
        assert.ok(port > 0);
        assert.equal(server.get('Сервер'), '127.0.0.1');
        assert.equal(client.call('Подключиться', `ws://127.0.0.1:${port}/`), true);
        assert.equal(client.get('Статус'), 1);
      } finally {
        client.destroy();
        server.destroy();
      }
    });

    it('Запустить("127.0.0.1", 0, , , ) with the optional ones skipped, and with Неопределено', () => {
      for (const rest of [[skip, skip, skip], [undefined, undefined, undefined], [skip, undefined], ['', skip, '']] as Argument[][]) {
        const server = addin.host.create(SERVER_TYPE);
        const client = addin.host.create(CLIENT_TYPE);
        try {
          assert.equal(server.call('Запустить', '127.0.0.1', 0, ...rest), true, rest.map((a) => (a === skip ? '<skipped>' : String(a))).join(', '));
          const port = server.get('Порт') as number;
          assert.equal(client.call('Подключиться', `ws://127.0.0.1:${port}/`), true);
        } finally {
          client.destroy();
          server.destroy();
        }
      }
    });

    it('Принять(Таймаут) without the out-parameters, on the client and the server', () => {
      const server = addin.host.create(SERVER_TYPE);
      const client = addin.host.create(CLIENT_TYPE);
      try {
        assert.equal(client.call('Подключиться', addin.echo.url), true);
        assert.equal(client.call('Принять', 100), false);
        client.call('Отправить', 'никуда');
        // the message is taken (and dropped: there is no variable for it)
        assert.equal(client.call('Принять', 5000), true);
        assert.equal(client.call('Принять', 100, out('x')), false);

        server.call('Запустить', '127.0.0.1', 0);
        assert.equal(server.call('Принять', 100), false);
        assert.equal(server.call('Получить', 100, skip, skip), false);
        const peer = addin.host.create(CLIENT_TYPE);
        try {
          peer.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}/`);
          peer.call('Отправить', 'раз');
          peer.call('Отправить', 'два');
          assert.equal(server.call('Принять', 5000), true);
          const data = out('');
          // ИДКлиента skipped in the middle, Данные given: Сервер.Принять(5000, , Данные)
          assert.equal(server.call('Принять', 5000, skip, data), true);
          assert.equal(data.value, 'два');
        } finally {
          peer.destroy();
        }
      } finally {
        client.destroy();
        server.destroy();
      }
    });

    it('Неопределено passed explicitly for an out-parameter is fine', () => {
      const server = addin.host.create(SERVER_TYPE);
      const client = addin.host.create(CLIENT_TYPE);
      try {
        server.call('Запустить', '127.0.0.1', 0);
        assert.equal(server.call('Принять', 50, undefined, undefined), false);
        client.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}/`);
        assert.equal(client.call('Принять', 50, undefined), false);
        client.call('Отправить', 'неопределено');
        const data = out();
        assert.equal(server.call('Принять', 5000, undefined, data), true);
        assert.equal(data.value, 'неопределено');
      } finally {
        client.destroy();
        server.destroy();
      }
    });

    it('too few mandatory arguments: the platform refuses before calling (Недостаточно фактических параметров)', () => {
      const client = addin.host.create(CLIENT_TYPE);
      const server = addin.host.create(SERVER_TYPE);
      try {
        const refused = (e: unknown): boolean => e instanceof BslError && e.message === Text.notEnoughParams;
        assert.throws(() => client.call('Подключиться'), refused);
        assert.throws(() => client.call('Отправить'), refused);
        assert.throws(() => client.call('Принять'), refused);
        assert.throws(() => client.call('Принять', skip, out('')), refused);
        assert.throws(() => server.call('Запустить'), refused);
        assert.throws(() => server.call('Запустить', '127.0.0.1'), refused);
        assert.throws(() => server.call('Запустить', skip, 0), refused);
        assert.throws(() => server.call('Отправить', 1), refused);
        assert.throws(() => server.call('Отправить', skip, 'текст'), refused);
        assert.throws(() => server.call('Принять'), refused);
        assert.throws(() => server.call('Отключить'), refused);
        assert.equal(client.get('Статус'), 0);
        assert.equal(server.get('Порт'), 0);
      } finally {
        client.destroy();
        server.destroy();
      }
    });

    it('too many arguments are refused too', () => {
      const client = addin.host.create(CLIENT_TYPE);
      try {
        assert.throws(() => client.call('Отключиться', 1), (e: unknown) => e instanceof BslError && e.message === Text.tooManyParams);
        assert.throws(() => client.call('Принять', 1, out(), 3), (e: unknown) => e instanceof BslError && e.message === Text.tooManyParams);
      } finally {
        client.destroy();
      }
    });

    it('Неопределено for a mandatory parameter: «Не задан обязательный параметр», nothing changes', () => {
      const client = addin.host.create(CLIENT_TYPE);
      const server = addin.host.create(SERVER_TYPE);
      try {
        const missing = (name: string, index: number, param: string) => (e: unknown) => {
          const text = format('ru', 'missingParam', [index, param]);
          assert.ok(e instanceof BslError);
          assert.equal(e.message, `${Text.callFailed(name)}: ${text}`);
          return true;
        };
        assert.throws(() => client.call('Подключиться', undefined), missing('Подключиться', 1, 'АдресСервера'));
        assert.equal(client.call('ОписаниеОшибки'), format('ru', 'missingParam', [1, 'АдресСервера']));
        assert.throws(() => client.call('Отправить', undefined), missing('Отправить', 1, 'ТелоСообщения'));
        assert.throws(() => client.call('Принять', undefined, out()), missing('Принять', 1, 'Таймаут'));
        assert.throws(() => server.call('Запустить', undefined, 0), missing('Запустить', 1, 'Интерфейс'));
        assert.throws(() => server.call('Запустить', '127.0.0.1', undefined), missing('Запустить', 2, 'Порт'));
        assert.throws(() => server.call('Отправить', undefined, 'т'), missing('Отправить', 1, 'ИДКлиента'));
        assert.throws(() => server.call('Отправить', 1, undefined), missing('Отправить', 2, 'ТелоСообщения'));
        assert.throws(() => server.call('Принять', undefined), missing('Принять', 1, 'Таймаут'));
        assert.throws(() => server.call('Отключить', undefined), missing('Отключить', 1, 'ИДКлиента'));
        assert.equal(client.get('Статус'), 0);
        assert.equal(server.get('Порт'), 0);
      } finally {
        client.destroy();
        server.destroy();
      }
    });
  });

  it('leaves the emulator\'s memory manager clean', () => {
    addin.host.close();
    addin.host.assertClean();
  });
});

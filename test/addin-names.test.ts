/**
 * Names as BSL uses them, through the real library: every method and property of both classes under
 * its Russian and English name (and the alias Получить) in any letter case, and the name
 * enumerations (GetNMethods/GetMethodName/GetNParams/HasRetVal, GetNProps/GetPropName/IsProp*)
 * exactly as src/api/table.ts declares them. Everything is driven from the table so it cannot drift.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLASSES, CLIENT, SERVER, type ClassSpec, type MethodSpec, type PropSpec } from '../src/api/table.js';
import { format } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInObject } from '../src/host/index.js';
import { CLIENT_TYPE, SERVER_TYPE, useAddIn } from './support/addin.js';

const TYPE_OF_CLASS: Record<string, string> = { Client: CLIENT_TYPE, Server: SERVER_TYPE };

/** Every spelling of a name BSL could use: as written, UPPER, lower, sWAPPED and aLtErNaTiNg case. */
function swapCase(name: string): string {
  return [...name].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
}

function caseVariants(name: string): string[] {
  const swapped = swapCase(name);
  const alternating = [...name].map((ch, i) => (i % 2 === 0 ? ch.toLowerCase() : ch.toUpperCase())).join('');
  return [...new Set([name, name.toUpperCase(), name.toLowerCase(), swapped, alternating])];
}

function allNames(member: { ru: string; en: string; aliases?: readonly string[] }): string[] {
  return [member.ru, member.en, ...(member.aliases ?? [])];
}

/** FindMethod / FindProp as the platform asks them (the bare lookup, no call). */
function finder(obj: AddInObject): (what: 'FindMethod' | 'FindProp', name: string) => number {
  return (what, name) => (what === 'FindMethod' ? obj.findMethod(name) : obj.findProp(name));
}

describe('names through the native library', () => {
  const addin = useAddIn();

  it('registers exactly the table\'s classes', () => {
    assert.deepEqual(
      addin.host.typeNames.sort(),
      CLASSES.map((c) => `AddIn.WebSocket.${c.name}`).sort(),
    );
  });

  for (const [classId, spec] of CLASSES.entries()) {
    describe(`${spec.name}: enumerations match src/api/table.ts (class id ${classId})`, () => {
      it('GetNMethods, GetMethodName(en=0, ru=1), GetNParams, HasRetVal', () => {
        const obj = addin.host.create(TYPE_OF_CLASS[spec.name] as string);
        try {
          assert.deepEqual(
            obj.methods(),
            spec.methods.map((m, index) => ({
              index,
              en: m.en,
              ru: m.ru,
              params: m.params.length,
              hasRetVal: m.returns,
            })),
          );
        } finally {
          obj.destroy();
        }
      });

      it('GetNProps, GetPropName(en=0, ru=1), IsPropReadable, IsPropWritable', () => {
        const obj = addin.host.create(TYPE_OF_CLASS[spec.name] as string);
        try {
          assert.deepEqual(
            obj.properties(),
            spec.props.map((p, index) => ({ index, en: p.en, ru: p.ru, readable: p.readable, writable: p.writable })),
          );
        } finally {
          obj.destroy();
        }
      });

      it('FindMethod / FindProp find every name, alias and letter case; unknown names are -1', () => {
        const obj = addin.host.create(TYPE_OF_CLASS[spec.name] as string);
        try {
          const find = finder(obj);
          let checked = 0;
          spec.methods.forEach((m, index) => {
            for (const name of allNames(m)) {
              for (const variant of caseVariants(name)) {
                assert.equal(find('FindMethod', variant), index, `FindMethod(${variant})`);
                assert.equal(find('FindProp', variant), spec.props.findIndex((p) => allNames(p).some((n) => n.toLowerCase() === variant.toLowerCase())), `FindProp(${variant})`);
                checked++;
              }
            }
          });
          spec.props.forEach((p, index) => {
            for (const name of allNames(p)) {
              for (const variant of caseVariants(name)) {
                assert.equal(find('FindProp', variant), index, `FindProp(${variant})`);
                checked++;
              }
            }
          });
          assert.ok(checked >= (spec.methods.length + spec.props.length) * 2 * 4);
          for (const unknown of ['', 'Принятт', 'Recieve', 'Подключиться ', ' Статус', 'Статус1', 'Get', 'Ё', 'ПринятьЁ']) {
            assert.equal(find('FindMethod', unknown), -1, `FindMethod(${JSON.stringify(unknown)})`);
            assert.equal(find('FindProp', unknown), -1, `FindProp(${JSON.stringify(unknown)})`);
          }
        } finally {
          obj.destroy();
        }
      });
    });
  }

  it('Получить is an alias of Принять on both classes, and GetMethodName reports Принять', () => {
    for (const spec of [CLIENT, SERVER]) {
      const receive = spec.methods.findIndex((m) => m.en === 'Receive');
      assert.ok(receive >= 0);
      assert.equal(spec.methods[receive]?.ru, 'Принять');
      assert.deepEqual(spec.methods[receive]?.aliases, ['Получить']);
      const obj = addin.host.create(TYPE_OF_CLASS[spec.name] as string);
      try {
        const find = finder(obj);
        for (const name of ['Получить', 'ПОЛУЧИТЬ', 'получить', 'пОЛУЧИТЬ']) assert.equal(find('FindMethod', name), receive, name);
        assert.equal(obj.methods()[receive]?.ru, 'Принять');
      } finally {
        obj.destroy();
      }
    }
  });

  it('unknown names fail with the platform\'s texts through the emulator', () => {
    const client = addin.host.create(CLIENT_TYPE);
    try {
      assert.throws(() => client.call('Принятт', 0), (e: unknown) => e instanceof BslError && e.message === Text.methodNotFound('Принятт'));
      assert.throws(() => client.get('Статусс'), (e: unknown) => e instanceof BslError && e.message === Text.propNotFound('Статусс'));
      // the client has no Соединения, the server has no Статус
      assert.throws(() => client.get('Соединения'), (e: unknown) => e instanceof BslError && e.message === Text.propNotFound('Соединения'));
    } finally {
      client.destroy();
    }
  });

  it('properties are read-only: setting one fails', () => {
    const client = addin.host.create(CLIENT_TYPE);
    try {
      assert.throws(() => client.set('Статус', 1), (e: unknown) => e instanceof BslError && e.message === Text.propNotWritable('Статус'));
      assert.equal(client.get('Статус'), 0);
    } finally {
      client.destroy();
    }
  });

  // ---- every method and property, called by each spelling, doing what it should ----

  type Spelling = { label: string; pick(member: MethodSpec | PropSpec): string };
  const spellings: Spelling[] = [
    { label: 'Russian as written', pick: (m) => m.ru },
    { label: 'English as written', pick: (m) => m.en },
    { label: 'RUSSIAN UPPER CASE', pick: (m) => m.ru.toUpperCase() },
    { label: 'english lower case', pick: (m) => m.en.toLowerCase() },
    { label: 'русский нижний регистр', pick: (m) => m.ru.toLowerCase() },
    { label: 'ENGLISH UPPER CASE', pick: (m) => m.en.toUpperCase() },
    { label: 'рУССКИЙ sWAPPED (пРИНЯТЬ)', pick: (m) => swapCase(m.ru) },
    { label: 'alias Получить / получить', pick: (m) => ('aliases' in m && m.aliases?.[0]) || m.ru },
    { label: 'alias lower case', pick: (m) => (('aliases' in m && m.aliases?.[0]) || m.ru).toLowerCase() },
  ];

  const method = (spec: ClassSpec, en: string): MethodSpec => {
    const m = spec.methods.find((x) => x.en === en);
    assert.ok(m, `${spec.name}.${en} in the table`);
    return m;
  };
  const prop = (spec: ClassSpec, en: string): PropSpec => {
    const p = spec.props.find((x) => x.en === en);
    assert.ok(p, `${spec.name}.${en} in the table`);
    return p;
  };

  it('every spelling is distinct from the table names where it should be', () => {
    // the odd spellings really are odd: not equal to any name as written in the table
    const receive = method(CLIENT, 'Receive');
    assert.equal(spellings[6]?.pick(receive), 'пРИНЯТЬ');
    assert.equal(spellings[5]?.pick(receive), 'RECEIVE');
    assert.equal(spellings[8]?.pick(receive), 'получить');
    assert.equal(spellings[4]?.pick(prop(CLIENT, 'Status')), 'статус');
    assert.equal(spellings[2]?.pick(prop(SERVER, 'Connections')), 'СОЕДИНЕНИЯ');
  });

  for (const spelling of spellings) {
    it(`Client: every member by ${spelling.label}`, () => {
      const n = (en: string): string => spelling.pick(method(CLIENT, en));
      const p = (en: string): string => spelling.pick(prop(CLIENT, en));
      const client = addin.host.create(CLIENT_TYPE);
      try {
        assert.equal(client.get(p('Status')), 0);
        assert.equal(client.get(p('Server')), '');
        assert.equal(client.call(n('Connect'), addin.echo.url), true);
        assert.equal(client.get(p('Status')), 1);
        assert.equal(client.get(p('Server')), addin.echo.url);
        const message = `по имени ${spelling.label}`;
        assert.equal(client.call(n('Send'), message), true);
        const data = out('');
        assert.equal(client.call(n('Receive'), 5000, data), true);
        assert.equal(data.value, message);
        assert.equal(client.call(n('Disconnect')), true);
        assert.equal(client.get(p('Status')), 0);
        assert.throws(() => client.call(n('Connect'), 12), BslError);
        const expected = format('ru', 'badCast', [1, method(CLIENT, 'Connect').params[0]?.ru, 'Строка', 'Число']);
        assert.equal(client.call(n('ErrorDescription')), expected);
      } finally {
        client.destroy();
      }
    });

    it(`Server: every member by ${spelling.label}`, () => {
      const n = (en: string): string => spelling.pick(method(SERVER, en));
      const p = (en: string): string => spelling.pick(prop(SERVER, en));
      const server = addin.host.create(SERVER_TYPE);
      const client = addin.host.create(CLIENT_TYPE);
      try {
        assert.equal(server.get(p('Port')), 0);
        assert.equal(server.get(p('Server')), '');
        assert.equal(server.get(p('Connections')), '');
        assert.equal(server.call(n('Run'), '127.0.0.1', 0), true);
        const port = server.get(p('Port')) as number;
        assert.ok(Number.isInteger(port) && port > 0 && port < 65536, String(port));
        assert.equal(server.get(p('Server')), '127.0.0.1');
        client.call('Подключиться', `ws://127.0.0.1:${port}/`);
        assert.match(server.get(p('Connections')) as string, /^1: 127\.0\.0\.1:\d+$/);
        client.call('Отправить', 'к серверу');
        const id = out(0);
        const data = out('');
        assert.equal(server.call(n('Receive'), 5000, id, data), true);
        assert.equal(id.value, 1);
        assert.equal(data.value, 'к серверу');
        assert.equal(server.call(n('Send'), 1, 'к клиенту'), true);
        const back = out('');
        assert.equal(client.call('Принять', 5000, back), true);
        assert.equal(back.value, 'к клиенту');
        assert.equal(server.call(n('Disconnect'), 1), true);
        assert.equal(server.call(n('Disconnect'), 1), false);
        assert.throws(() => server.call(n('Disconnect'), 'один'), BslError);
        const expected = format('ru', 'badCast', [1, method(SERVER, 'Disconnect').params[0]?.ru, 'Число', 'Строка']);
        assert.equal(server.call(n('ErrorDescription')), expected);
        assert.equal(server.call(n('Stop')), true);
        assert.equal(server.get(p('Port')), 0);
        assert.equal(server.get(p('Connections')), '');
      } finally {
        client.destroy();
        server.destroy();
      }
    });
  }

  it('leaves the emulator\'s memory manager clean', () => {
    addin.host.close();
    addin.host.assertClean();
  });
});

/**
 * The BSL examples under examples/ ask the add-in only for what it has: every `Клиент.X(…)` /
 * `Сервер.X` they write is looked up through the 1C host emulator in the real library — FindMethod
 * or FindProp on a live object of the right class, the argument count against GetNParams (and the
 * table's mandatory parameters), HasRetVal where the value is used, IsPropReadable/IsPropWritable —
 * and every `Новый("AddIn.…")` type is created under the symbolic name the file attaches with.
 * A bogus snippet shows the check fails when it should. Every example also passes the structure
 * checker (test/support/bsl-structure.ts, tested in test/bsl-structure.test.ts): what a 1C compiler
 * would reject, context directives by module type, error handling and logging where they work. Then
 * the form example's polling handler runs against a real echo server.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLIENT, SERVER, findMember } from '../src/api/table.js';
import { attachAddIn, out, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, delay, isolateEngine, LIBRARY, SERVER_TYPE, type EngineSandbox } from './support/addin.js';
import { scanBsl, stripBsl, type AddInClass } from './support/bsl-scan.js';
import { checkBslStructure } from './support/bsl-structure.js';
import { ROOT, startCliEcho } from './support/processes.js';

const EXAMPLES = `${ROOT}examples/`;
const SPECS = { Client: CLIENT, Server: SERVER } as const;

function bslFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bslFiles(join(dir, e.name)) : e.name.toLowerCase().endsWith('.bsl') ? [join(dir, e.name)] : [],
  );
}

/** Checks one BSL text against the library; returns one line per problem (empty: all good). */
function checkBsl(file: string, source: string, objects: Record<AddInClass, AddInObject>): string[] {
  const problems: string[] = [];
  const scan = scanBsl(source);
  const at = (line: number): string => `${file}:${line}`;

  const symbolic = [...new Set(scan.attachments.map((a) => a.symbolicName))];
  if (scan.creations.length > 0 && symbolic.length !== 1) {
    problems.push(`${file}: creates add-in objects but attaches under ${symbolic.length === 0 ? 'no' : symbolic.join(', ')} symbolic name`);
  }
  for (const c of scan.creations) {
    const name = symbolic[0] ?? '?';
    const prefix = `AddIn.${name}.`;
    if (!c.typeName.startsWith(prefix)) {
      problems.push(`${at(c.line)}: Новый("${c.typeName}") does not use the symbolic name "${name}" given to ПодключитьВнешнююКомпоненту`);
      continue;
    }
    // the type must exist under that symbolic name, as 1C would resolve it
    const host = attachAddIn(LIBRARY, name);
    try {
      host.create(c.typeName).destroy();
    } catch (error) {
      problems.push(`${at(c.line)}: Новый("${c.typeName}"): ${(error as Error).message}`);
    } finally {
      host.close();
    }
  }

  for (const use of scan.members) {
    const obj = objects[use.cls];
    const what = `${use.variable}.${use.name} (${obj.typeName})`;
    if (use.kind === 'method') {
      const index = obj.findMethod(use.name);
      if (index < 0) {
        problems.push(`${at(use.line)}: ${what}: no such method`);
        continue;
      }
      const info = obj.methods()[index];
      const spec = SPECS[use.cls].methods[findMember(SPECS[use.cls].methods, use.name)];
      const mandatory = spec?.params.filter((p) => p.default === undefined).length ?? 0;
      if (info && (use.args ?? 0) > info.params) problems.push(`${at(use.line)}: ${what}: ${use.args} arguments, the method takes ${info.params}`);
      if ((use.args ?? 0) < mandatory) problems.push(`${at(use.line)}: ${what}: ${use.args} arguments, ${mandatory} are mandatory`);
      if (info && use.asExpression && !info.hasRetVal) problems.push(`${at(use.line)}: ${what}: used as a value but is a procedure`);
    } else {
      const index = obj.findProp(use.name);
      if (index < 0) {
        problems.push(`${at(use.line)}: ${what}: no such property`);
        continue;
      }
      const info = obj.properties()[index];
      if (use.write && !info?.writable) problems.push(`${at(use.line)}: ${what}: the property is read-only`);
      if (!use.write && !info?.readable) problems.push(`${at(use.line)}: ${what}: the property is not readable`);
    }
  }
  return problems;
}

describe('BSL examples', () => {
  let sandbox: EngineSandbox;
  let host: AddInHost;
  let objects: Record<AddInClass, AddInObject>;

  before(() => {
    sandbox = isolateEngine();
    host = attach();
    objects = { Client: host.create(CLIENT_TYPE), Server: host.create(SERVER_TYPE) };
  });

  after(() => {
    host?.close();
    sandbox?.cleanup();
  });

  const files = bslFiles(EXAMPLES);

  it('are all there: the full test, the Slack bot, the web page server, the receiving forms, the server job and its watchdog, server → users', () => {
    const found = files.map((f) => relative(EXAMPLES, f));
    for (const expected of [
      'full-test.bsl',
      'receive-form.bsl',
      'form-external-events.bsl',
      'slack-socket-mode-bot.bsl',
      'web-client/server.bsl',
      'background-job-server.bsl',
      'scheduled-job-server.bsl',
      'server-to-users-form.bsl',
    ]) {
      assert.ok(found.includes(expected), `examples/${expected} is missing`);
    }
  });

  for (const file of files) {
    const name = relative(EXAMPLES, file);
    it(`${name} calls only names the library exposes`, () => {
      const source = readFileSync(file, 'utf8');
      const scan = scanBsl(source);
      if (scan.attachments.length === 0 && scan.creations.length === 0) {
        // a module that never attaches the add-in (server-to-users-form.bsl) must not use it either
        assert.deepEqual(scan.members, [], `${name} attaches no add-in but uses add-in members`);
      } else {
        assert.ok(scan.members.length >= 5, `found only ${scan.members.length} add-in member uses in ${name}`);
      }
      assert.deepEqual(checkBsl(name, source, objects), []);
      // nothing left of the document's slips in the code (comments may name them): data-processor
      // attributes, the retired echo service, the closed RTM API
      const { code, strings } = stripBsl(source);
      assert.doesNotMatch(`${code}\n${strings.join('\n')}`, /Объект\.|echo\.websocket\.org|rtm\.connect/);
    });
  }

  for (const file of files) {
    const name = relative(EXAMPLES, file);
    it(`${name} has the structure a 1C compiler accepts in the module its header names`, () => {
      assert.deepEqual(checkBslStructure(readFileSync(file, 'utf8')), []);
    });
  }

  it("the README's BSL samples, one in each half, call only names the library exposes", () => {
    const samples = [...readFileSync(`${ROOT}README.md`, 'utf8').matchAll(/```bsl\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    assert.equal(samples.length, 2, 'the English and the Russian half each have their own sample');
    for (const [i, sample] of samples.entries()) {
      assert.ok(scanBsl(sample).members.length >= 5, `README sample ${i + 1}: too few add-in calls found`);
      assert.deepEqual(checkBsl(`README.md sample ${i + 1}`, sample, objects), []);
    }
  });

  it('fails on names, arities and uses the library does not support (the check can fail)', () => {
    const bogus = [
      'ПодключитьВнешнююКомпоненту(Путь, "WebSocket", ТипВнешнейКомпоненты.Native);',
      'Х = Новый("AddIn.WebSocket.Server");',
      'Клиент = Новый("AddIn.WebSocket.Client");',
      'Клиент.ПодключитьсяБыстро("ws://x"); // a method that does not exist',
      'Если Х.Статус = 1 Тогда КонецЕсли;  // Статус is the client\'s, not the server\'s',
      'Х.Подключиться("ws://x");          // a client method on a server (tracked by Новый)',
      'Клиент.Отправить("а", "б");        // too many arguments',
      'Х.Отправить("только текст");       // ИДКлиента is mandatory',
      'Клиент.Статус = 1;                 // read-only',
      'Сервер2.Порт();                    // by name: a server; Порт is a property, not a method',
      'Клиент.Принять(0, Данные);         // fine',
      'Строка = "Клиент.Несуществующий()"; // inside a string: ignored',
      '// Клиент.ТожеНет() in a comment: ignored',
      'Соединение = Новый HTTPСоединение("slack.com"); Соединение.Получить(Запрос); // not the add-in',
      'К = Новый("AddIn.websocket.Client"); // another symbolic name',
    ].join('\n');
    const problems = checkBsl('bogus.bsl', bogus, objects);
    assert.deepEqual(problems, [
      'bogus.bsl:15: Новый("AddIn.websocket.Client") does not use the symbolic name "WebSocket" given to ПодключитьВнешнююКомпоненту',
      'bogus.bsl:4: Клиент.ПодключитьсяБыстро (AddIn.WebSocket.Client): no such method',
      'bogus.bsl:5: Х.Статус (AddIn.WebSocket.Server): no such property',
      'bogus.bsl:6: Х.Подключиться (AddIn.WebSocket.Server): no such method',
      'bogus.bsl:7: Клиент.Отправить (AddIn.WebSocket.Client): 2 arguments, the method takes 1',
      'bogus.bsl:8: Х.Отправить (AddIn.WebSocket.Server): 1 arguments, 2 are mandatory',
      'bogus.bsl:9: Клиент.Статус (AddIn.WebSocket.Client): the property is read-only',
      'bogus.bsl:10: Сервер2.Порт (AddIn.WebSocket.Server): no such method',
    ]);
  });

  it("receive-form.bsl: the idle handler takes what has arrived with short Принять calls and stops when the server hangs up", async () => {
    const echo = await startCliEcho();
    const Журнал: string[] = [];
    const ДобавитьВЖурнал = (Строка: string): void => void Журнал.push(Строка);
    let handlerAttached = false;

    // Подключиться(Команда)
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.call('Подключиться', `${echo.url}/chat`);
    ДобавитьВЖурнал(`Подключено к ${Клиент.get('Сервер') as string}`);
    handlerAttached = true; // ПодключитьОбработчикОжидания("ПроверитьСообщения", 1, Ложь)

    // ПроверитьСообщения()
    const ПроверитьСообщения = (): void => {
      let Данные = out('');
      while (Клиент.call('Принять', 10, Данные)) {
        ДобавитьВЖурнал(`< ${Данные.value as string}`);
        Данные = out('');
      }
      if (Клиент.get('Статус') !== 1) {
        handlerAttached = false; // ОтключитьОбработчикОжидания("ПроверитьСообщения")
        ДобавитьВЖурнал(`Соединение закрыто (статус ${Клиент.get('Статус') as number})`);
      }
    };

    ПроверитьСообщения(); // the first tick: nothing yet
    for (const ТекстСообщения of ['один', 'два', 'три']) {
      Клиент.call('Отправить', ТекстСообщения); // Отправить(Команда)
      ДобавитьВЖурнал(`> ${ТекстСообщения}`);
    }
    // the form is idle between ticks of its handler; the echoes arrive
    const echoes = (): number => Журнал.filter((Строка) => Строка.startsWith('< ')).length;
    let deadline = Date.now() + 10_000;
    let slowestTick = 0;
    while (echoes() < 3 && Date.now() < deadline) {
      await delay(100);
      const started = Date.now();
      ПроверитьСообщения();
      slowestTick = Math.max(slowestTick, Date.now() - started);
    }
    assert.ok(slowestTick < 500, `a tick takes what has arrived without waiting long (slowest ${slowestTick} ms)`);
    assert.equal(handlerAttached, true);

    await echo.stop(); // the server goes away
    deadline = Date.now() + 10_000;
    while (handlerAttached && Date.now() < deadline) {
      await delay(100);
      ПроверитьСообщения();
    }
    assert.equal(handlerAttached, false, 'the handler detached itself');

    assert.deepEqual(Журнал, [
      `Подключено к ${echo.url}/chat`,
      '> один',
      '> два',
      '> три',
      '< один',
      '< два',
      '< три',
      'Соединение закрыто (статус 0)',
    ]);
    // ПриЗакрытии
    Клиент.call('Отключиться');
    Клиент.destroy();
  });
});

/**
 * External events to forms (issue 7, docs/features.md "External events") through the host
 * emulator: with ВнешниеСобытия = Истина the library's own thread raises every message, open,
 * close and error with IAddInDefBase::ExternalEvent; a message the platform refuses (its event
 * queue is full) stays for Принять. The emulator answers the component's thread only while Node's
 * event loop is free, so the tests await between calls, and objects whose thread may be inside
 * ExternalEvent are destroyed with destroyAsync() (Done on a worker thread), as the platform's
 * UI thread is never what a component's ExternalEvent waits for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BinaryData, BslError, out, type AddInHost, type AddInObject, type ExternalEventRecord } from '../src/host/index.js';
import { attach, CLIENT_TYPE, delay, isolateEngine, SERVER_TYPE, type EngineSandbox } from './support/addin.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';
import { waitFor } from './support/wait.js';

const PEER = `${ROOT}dist/test/support/feature-peer.js`;

/** Waits for `count` events (taking each out of the platform's queue, as ВнешнееСобытие does). */
async function events(obj: AddInObject, count: number, timeoutMs = 5000): Promise<ExternalEventRecord[]> {
  const list: ExternalEventRecord[] = [];
  for (let i = 0; i < count; i++) list.push(await obj.waitEvent(timeoutMs));
  return list;
}

const brief = (list: readonly ExternalEventRecord[]): string[] => list.map((e) => `${e.message}: ${e.data}`);

describe('external events to forms', () => {
  let sandbox: EngineSandbox;
  let host: AddInHost;
  let peer: Peer;
  let url: string;
  before(async () => {
    sandbox = isolateEngine();
    process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = '0';
    peer = await startPeer(process.execPath, [PEER], /READY (\d+)/);
    url = `ws://127.0.0.1:${peer.ready[1]}/`;
    host = attach();
  });
  after(async () => {
    host.close();
    await peer.stop();
    sandbox.cleanup();
  });

  it('client: open, text and binary messages, error and close arrive in order with the source and data', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    assert.deepEqual(
      [Клиент.get('ВнешниеСобытия'), Клиент.get('ИсточникСобытий'), Клиент.get('ГлубинаОчередиСобытий')],
      [false, 'WebSocket', 1],
    );
    Клиент.set('ИсточникСобытий', 'Чат');
    Клиент.set('ГлубинаОчередиСобытий', 100);
    assert.equal(Клиент.eventBufferDepth, 100, 'SetEventBufferDepth reached the platform');
    Клиент.set('ВнешниеСобытия', true);
    assert.equal(Клиент.get('ExternalEvents'), true);

    Клиент.call('Подключиться', url);
    const [open] = await events(Клиент, 1);
    assert.deepEqual(open, { source: 'Чат', message: 'open', data: url });

    Клиент.call('Отправить', 'привет 😀');
    Клиент.call('Отправить', new BinaryData([0, 1, 2, 250, 255]));
    Клиент.call('Отправить', 'второе');
    const got = await events(Клиент, 3);
    assert.deepEqual(brief(got), ['message: привет 😀', `binary: ${Buffer.from([0, 1, 2, 250, 255]).toString('base64')}`, 'message: второе']);
    assert.ok(got.every((e) => e.source === 'Чат'));
    assert.equal(Клиент.call('Принять', 200, out('')), false, 'events took every message: Принять has none');

    Клиент.call('Отправить', 'close:4001:пока');
    const [error, close] = await events(Клиент, 2);
    assert.equal(error?.message, 'error');
    assert.match(error?.data ?? '', /закрыто \(4001 пока\)/);
    assert.equal(close?.message, 'close');
    assert.deepEqual(JSON.parse(close?.data ?? ''), { code: 4001, reason: 'пока', clean: false, reconnecting: false });
    assert.equal(Клиент.get('Статус'), -1);

    // a normal end: Отключиться gives a clean close, no error
    Клиент.set('ИсточникСобытий', 'Чат2');
    Клиент.call('Подключиться', url);
    Клиент.call('Отключиться');
    const [again, bye] = await events(Клиент, 2);
    assert.deepEqual([again?.source, again?.message], ['Чат2', 'open']);
    assert.deepEqual([bye?.message, JSON.parse(bye?.data ?? '')], ['close', { code: 1000, reason: '', clean: true, reconnecting: false }]);
    await Клиент.destroyAsync();
    assert.deepEqual(host.problems(), []);
  });

  it('a burst with the platform queue at depth 1: every message once, through an event or Принять, in order', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    assert.equal(Клиент.eventBufferDepth, 1);
    Клиент.set('ВнешниеСобытия', true);
    Клиент.call('Подключиться', url);
    assert.equal((await Клиент.waitEvent()).message, 'open');

    const N = 60;
    const expected = Array.from({ length: N }, (_, i) => `m${i + 1}`);
    for (const m of expected) Клиент.call('Отправить', m);

    // What the form obtains, in the order it obtains it. An event counts when the platform took it
    // (it is in the queue); Принять is called with the queue as it is, so the events already in it
    // came first.
    const got: string[] = [];
    const via = { event: 0, receive: 0 };
    const seen = new Set<ExternalEventRecord>();
    const noteEvents = (): void => {
      for (const e of Клиент.events) {
        if (seen.has(e)) continue;
        seen.add(e);
        assert.equal(e.message, 'message');
        got.push(e.data);
        via.event++;
      }
    };
    const Данные = out('');
    const deadline = Date.now() + 30_000;
    // The form is busy at first: it never lets the platform deliver its queued event, so the
    // queue stays full and the component's retries are refused; the program calls Принять.
    while (via.receive < 20 && got.length < N && Date.now() < deadline) {
      await delay(15);
      noteEvents();
      if (Клиент.call('Принять', 30, Данные)) {
        got.push(Данные.value as string);
        via.receive++;
      }
    }
    // Then the form handles its events (ВнешнееСобытие) and calls Принять no more.
    while (got.length < N && Date.now() < deadline) {
      await delay(5);
      noteEvents();
      Клиент.takeEvents();
    }
    assert.deepEqual(got, expected);
    assert.ok(via.event > 0 && via.receive > 0, `both ways were used: ${JSON.stringify(via)}`);
    assert.ok(Клиент.rejectedEvents.length > 0, 'the platform refused events (its queue was full)');
    assert.ok(Клиент.rejectedEvents.every((e) => expected.includes(e.data)));
    assert.equal(Клиент.call('Принять', 100, Данные), false, 'nothing left, nothing twice');
    await Клиент.destroyAsync();
  });

  it('server: open, message and close of each connection, with the client id', async () => {
    const Сервер = host.create(SERVER_TYPE);
    Сервер.set('ИсточникСобытий', 'Сервер');
    Сервер.set('ГлубинаОчередиСобытий', 50);
    Сервер.set('ВнешниеСобытия', true);
    Сервер.call('Запустить', '127.0.0.1', 0);
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.call('Подключиться', `ws://127.0.0.1:${Сервер.get('Порт') as number}/chat`);
    Клиент.call('Отправить', 'привет');
    Клиент.call('Отправить', new BinaryData([7, 8, 9]));
    const [open, text, binary] = await events(Сервер, 3);
    assert.deepEqual([open?.source, open?.message], ['Сервер', 'open']);
    const opened = JSON.parse(open?.data ?? '') as { id: number; address: string };
    assert.equal(opened.id, 1);
    assert.match(opened.address, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual([text?.message, JSON.parse(text?.data ?? '')], ['message', { id: 1, data: 'привет' }]);
    assert.deepEqual([binary?.message, JSON.parse(binary?.data ?? '')], ['binary', { id: 1, data: Buffer.from([7, 8, 9]).toString('base64') }]);
    Клиент.call('Отключиться');
    const [close] = await events(Сервер, 1);
    assert.deepEqual([close?.message, JSON.parse(close?.data ?? '')], ['close', { id: 1, code: 1000, reason: '' }]);
    assert.equal(Сервер.call('Принять', 100, out(0), out('')), false, 'events took the messages');
    Сервер.call('Остановить');
    await Сервер.destroyAsync();
    Клиент.destroy();
  });

  it('switched off: no more events, messages wait for Принять; switched on again: events again', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ГлубинаОчередиСобытий', 100);
    Клиент.set('ВнешниеСобытия', true);
    Клиент.call('Подключиться', url);
    Клиент.call('Отправить', 'a');
    assert.deepEqual(brief(await events(Клиент, 2)), [`open: ${url}`, 'message: a']);

    Клиент.set('ВнешниеСобытия', false);
    assert.equal(Клиент.get('ВнешниеСобытия'), false);
    Клиент.call('Отправить', 'b');
    Клиент.call('Отправить', 'c');
    await delay(300);
    assert.deepEqual([Клиент.events.length, Клиент.rejectedEvents.length], [0, 0], 'nothing raised while off');
    const Данные = out('');
    const taken: unknown[] = [];
    while (Клиент.call('Принять', 500, Данные)) {
      taken.push(Данные.value);
      if (taken.length === 2) break;
    }
    assert.deepEqual(taken, ['b', 'c']);

    Клиент.set('ExternalEvents', true);
    Клиент.call('Отправить', 'd');
    assert.deepEqual(brief(await events(Клиент, 1)), ['message: d']);
    Клиент.set('ВнешниеСобытия', false);
    Клиент.call('Отключиться');
    await delay(200);
    assert.equal(Клиент.events.length, 0, 'no close event while off');
    Клиент.destroy(); // the thread is stopped: a plain destroy is fine
  });

  it('settings are checked; both classes have them in both languages', () => {
    for (const type of [CLIENT_TYPE, SERVER_TYPE]) {
      const obj = host.create(type);
      assert.throws(() => obj.set('ВнешниеСобытия', 1), (e: BslError) => /<bad cast>/.test(e.message));
      assert.throws(() => obj.set('EventSource', 5), /<bad cast>/);
      assert.throws(() => obj.set('ГлубинаОчередиСобытий', 'много'), /<bad cast>/);
      assert.throws(() => obj.set('ГлубинаОчередиСобытий', 0), /Недопустимое значение свойства ГлубинаОчередиСобытий/);
      assert.throws(() => obj.set('EventBufferDepth', 2.5), /Недопустимое значение/);
      obj.set('EventBufferDepth', 7);
      assert.deepEqual([obj.get('ГлубинаОчередиСобытий'), obj.eventBufferDepth], [7, 7]);
      obj.set('ИсточникСобытий', '');
      assert.equal(obj.get('EventSource'), '');
      obj.destroy();
    }
  });

  it('destroyed while events flow: no crash, no leak, no host call afterwards', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ВнешниеСобытия', true); // depth 1: the thread keeps retrying refused events
    Клиент.call('Подключиться', url);
    for (let i = 0; i < 200; i++) Клиент.call('Отправить', `x${i}`);
    await Клиент.waitEvent();
    await waitFor(() => Клиент.rejectedEvents.length > 0, 5000, 'a refused event');
    const before = Клиент.events.length + Клиент.rejectedEvents.length;

    const Сервер = host.create(SERVER_TYPE);
    Сервер.set('ГлубинаОчередиСобытий', 3);
    Сервер.set('ВнешниеСобытия', true);
    Сервер.call('Запустить', '127.0.0.1', 0);
    const Отправитель = host.create(CLIENT_TYPE);
    Отправитель.call('Подключиться', `ws://127.0.0.1:${Сервер.get('Порт') as number}/`);
    for (let i = 0; i < 100; i++) Отправитель.call('Отправить', `y${i}`);
    await Сервер.waitEvent();

    await Promise.all([Клиент.destroyAsync(), Сервер.destroyAsync()]);
    const calls = (): number => Клиент.events.length + Клиент.rejectedEvents.length;
    const atDestroy = calls();
    assert.ok(atDestroy >= before);
    await delay(500);
    assert.equal(calls(), atDestroy, 'no ExternalEvent after DestroyObject');
    Отправитель.destroy();
    assert.deepEqual(host.problems(), [], 'no stray host calls, leaks or violations');

    // the engine lives on
    const Ещё = host.create(CLIENT_TYPE);
    Ещё.call('Подключиться', url);
    Ещё.call('Отправить', 'живой');
    const Данные = out('');
    assert.equal(Ещё.call('Принять', 3000, Данные), true);
    assert.equal(Данные.value, 'живой');
    Ещё.destroy();
    host.assertClean();
  });

  it('examples/form-external-events.bsl: its handler logs messages, a break with reconnect, and the close', async () => {
    const Журнал: string[] = [];
    const ДобавитьВЖурнал = (Строка: string): void => void Журнал.push(Строка);
    // ПриОткрытии
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ИсточникСобытий', 'Чат');
    Клиент.set('ГлубинаОчередиСобытий', 100);
    Клиент.set('ВнешниеСобытия', true);
    Клиент.set('Автопереподключение', true);
    // ВнешнееСобытие(Источник, Событие, Данные)
    const ВнешнееСобытие = (Источник: string, Событие: string, Данные: string): void => {
      if (Источник !== 'Чат') return;
      if (Событие === 'message') ДобавитьВЖурнал(`< ${Данные}`);
      else if (Событие === 'binary') ДобавитьВЖурнал(`< двоичные данные, ${Buffer.from(Данные, 'base64').length} байт`);
      else if (Событие === 'open') ДобавитьВЖурнал(`Подключено к ${Данные}`);
      else if (Событие === 'close') {
        const Закрытие = JSON.parse(Данные) as { code: number; reason: string; reconnecting: boolean };
        if (Закрытие.reconnecting) ДобавитьВЖурнал(`Связь потеряна (${Закрытие.code}), переподключение…`);
        else ДобавитьВЖурнал(`Соединение закрыто: ${Закрытие.code} ${Закрытие.reason}`);
      } else if (Событие === 'error') ДобавитьВЖурнал(`Ошибка: ${Данные}`);
    };
    // the platform calls the handler for each queued event
    const deliver = async (count: number): Promise<void> => {
      for (const e of await events(Клиент, count)) ВнешнееСобытие(e.source, e.message, e.data);
    };

    Клиент.call('Подключиться', url); // Подключиться(Команда)
    await deliver(1);
    Клиент.call('Отправить', 'привет'); // Отправить(Команда)
    ДобавитьВЖурнал('> привет');
    await deliver(1);
    Клиент.call('Отправить', new BinaryData([1, 2, 3]));
    await deliver(1);
    Клиент.call('Отправить', 'drop'); // the peer drops the TCP connection: error, close, a reconnect
    await deliver(3);
    Клиент.call('Отключиться'); // Отключиться(Команда)
    await deliver(1);
    // ПриЗакрытии
    Клиент.set('ВнешниеСобытия', false);
    Клиент.call('Отключиться');
    await Клиент.destroyAsync();

    assert.deepEqual(Журнал, [
      `Подключено к ${url}`,
      '> привет',
      '< привет',
      '< двоичные данные, 3 байт',
      `Ошибка: Соединение с сервером ${url} закрыто (1006)`,
      'Связь потеряна (1006), переподключение…',
      `Подключено к ${url}`,
      'Соединение закрыто: 1000 ',
    ]);
  });

  it('the engine process dies: an error event says so, once', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ГлубинаОчередиСобытий', 10);
    Клиент.set('ВнешниеСобытия', true);
    Клиент.call('Подключиться', url);
    assert.equal((await Клиент.waitEvent()).message, 'open');
    for (const pid of sandbox.enginePids()) process.kill(pid, 'SIGKILL');
    const lost = await Клиент.waitEvent();
    assert.equal(lost.message, 'error');
    assert.match(lost.data, /Процесс движка компоненты WebSocket завершился/);
    await delay(300);
    assert.equal(Клиент.events.length, 0, 'said once');
    assert.equal(Клиент.get('ВнешниеСобытия'), false, 'the engine-lost value');
    await Клиент.destroyAsync();
    host.assertClean();
  });
});

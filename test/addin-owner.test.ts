/**
 * Several infobases on one 1C server (docs/infobases.md): one engine serves every rphost of the OS
 * user, so a server parked after its object went away must only ever go back to its own infobase.
 * Two "infobases" (two Владелец values) alternate on one port through the real library and engine:
 * neither ever gets the other's connections or messages, the parked server is left untouched by
 * the refused Запустить, and its owner gets everything back in order with the same ids. A server
 * without an owner is not parked at all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, type Lang } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInObject } from '../src/host/index.js';
import { CLIENT_TYPE, delay, SERVER_TYPE, useAddIn } from './support/addin.js';
import { testCertificates } from './support/certs.js';

process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = '20000';

/** Production and its test copy: the connection strings differ in letter case only, and that is enough. */
const PRODUCTION = 'File="C:\\Базы\\Склад 📦";';
const TEST_COPY = 'File="C:\\базы\\склад 📦";';

/** The refusal, in the object's language, with any number of seconds up to the grace period. */
function refusal(lang: Lang, port: number, prefix: string): RegExp {
  const marker = '\u0000';
  const text = `${prefix}${format(lang, 'portParkedByOtherOwner', ['127.0.0.1', port, marker])}`;
  const [before, after] = text.split(marker).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${before}(1?\\d|20)${after}$`);
}

/**
 * Запустить once the object that went away is parked: the library closes an object without waiting
 * for the engine, so right after DestroyObject the old server may still hold the port as a live one
 * ("busy") for a moment. Other errors and success end the wait.
 */
async function runOnceParked(server: AddInObject, port: number, ...tls: string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      server.call('Запустить', '127.0.0.1', port, ...tls);
      return;
    } catch (e) {
      const busy = e instanceof BslError && (e.message.includes(format('ru', 'portBusy', ['127.0.0.1', port])) || e.message.includes(format('en', 'portBusy', ['127.0.0.1', port])));
      if (!busy || Date.now() > deadline) throw e;
      await delay(20);
    }
  }
}

/** Запустить fails with the refusal and leaves the object stopped, with nothing of the other owner's. */
async function assertRefused(server: AddInObject, port: number, lang: Lang): Promise<void> {
  await assert.rejects(
    runOnceParked(server, port),
    (e: unknown) => e instanceof BslError && refusal(lang, port, `${Text.callFailed('Запустить')}: `).test(e.message) && !/склад|File=/i.test(e.message),
  );
  assert.match(server.call('ОписаниеОшибки') as string, refusal(lang, port, ''));
  assert.equal(server.get('Порт'), 0);
  assert.equal(server.get('Соединения'), '');
  assert.throws(() => server.call('Принять', 0, out(), out()), /Сервер не запущен|The server is not running/);
}

function receiveText(server: AddInObject): [number, string] {
  const id = out(0);
  const data = out('');
  assert.equal(server.call('Принять', 5000, id, data), true);
  return [id.value as number, data.value as string];
}

/** A running server with a client of its own that sent one message the server has not taken. */
function serverWithClient(host: ReturnType<typeof useAddIn>['host'], server: AddInObject, message: string): { port: number; client: AddInObject } {
  server.call('Запустить', '127.0.0.1', 0);
  const port = server.get('Порт') as number;
  const client = host.create(CLIENT_TYPE);
  client.call('Подключиться', `ws://127.0.0.1:${port}/`);
  client.call('Отправить', message);
  return { port, client };
}

/** Waits (up to 5 s, far less than the grace period) for a client to see its server close. */
async function closedByServer(client: AddInObject): Promise<void> {
  const deadline = Date.now() + 5000;
  while (client.get('Статус') === 1 && Date.now() < deadline) await delay(20);
  assert.equal(client.get('Статус'), 0, 'closed cleanly by the stopping server');
  assert.equal(client.get('КодЗакрытия'), 1001);
}

function ownedServer(host: ReturnType<typeof useAddIn>['host'], owner: string, locale?: string): AddInObject {
  const server = host.create(SERVER_TYPE, locale ? { locale } : {});
  server.set('Владелец', owner);
  return server;
}

describe('two infobases alternating on one port never see each other\'s clients or messages', () => {
  const addin = useAddIn({ echo: false });

  it('production parks; its copy is refused (ru, en, and a Run with no owner) without disturbing it; production comes back to everything', async () => {
    const production = ownedServer(addin.host, PRODUCTION);
    assert.equal(production.get('Владелец'), PRODUCTION, 'read back exactly');
    const { port, client } = serverWithClient(addin.host, production, 'a1');
    assert.deepEqual(receiveText(production), [1, 'a1']);
    const connections = production.get('Соединения') as string;
    assert.match(connections, /^1: 127\.0\.0\.1:\d+$/);
    const health = production.get('Состояние') as string;
    assert.ok(!/склад|File=/i.test(health), `the owner stays out of Состояние: ${health}`);
    assert.throws(() => production.set('Владелец', TEST_COPY), /можно менять только до Подключиться\(\)\/Запустить\(\)/);
    assert.equal(production.get('Владелец'), PRODUCTION, 'a running server keeps its owner');
    client.call('Отправить', 'a2');
    client.call('Отправить', 'a3');
    production.destroy(); // the job's session ends without Остановить(): parked

    const copies = [ownedServer(addin.host, TEST_COPY), ownedServer(addin.host, TEST_COPY, 'en_US'), addin.host.create(SERVER_TYPE)];
    await assertRefused(copies[0] as AddInObject, port, 'ru');
    await assertRefused(copies[1] as AddInObject, port, 'en');
    await assertRefused(copies[2] as AddInObject, port, 'ru'); // no owner never claims an owned server
    // an interface that overlaps the parked one: the same refusal, naming where the server is parked
    assert.throws(
      () => (copies[0] as AddInObject).call('Запустить', '0.0.0.0', port),
      (e: unknown) => e instanceof BslError && refusal('ru', port, `${Text.callFailed('Запустить')}: `).test(e.message),
    );
    const elsewhere = ownedServer(addin.host, PRODUCTION);
    assert.throws(
      () => elsewhere.call('Запустить', '0.0.0.0', port),
      (e: unknown) => e instanceof BslError && e.message.endsWith(format('ru', 'portParkedOnOtherInterface', ['127.0.0.1', port])),
      'the same owner is told to name the same interface',
    );
    elsewhere.destroy();
    assert.equal(client.get('Статус'), 1, 'the production client stays connected');
    client.call('Отправить', 'a4');

    const back = ownedServer(addin.host, PRODUCTION);
    back.call('Запустить', '127.0.0.1', port); // parked already: the copies were refused
    assert.deepEqual([receiveText(back), receiveText(back), receiveText(back)], [[1, 'a2'], [1, 'a3'], [1, 'a4']], 'queued messages, in order, same id');
    assert.equal(back.get('Соединения'), connections, 'the same connection');
    back.call('Отправить', 1, 'ответ');
    const data = out('');
    assert.equal(client.call('Принять', 5000, data), true);
    assert.equal(data.value, 'ответ');

    // the second round: parked again, refused again, then stopped by its owner
    client.call('Отправить', 'a5');
    back.destroy();
    await assertRefused(copies[0] as AddInObject, port, 'ru');
    const third = ownedServer(addin.host, PRODUCTION);
    third.call('Запустить', '127.0.0.1', port);
    assert.deepEqual(receiveText(third), [1, 'a5']);
    third.call('Остановить');
    third.destroy();

    // now the port is free: the copy runs a server of its own, which has none of production's
    const copy = copies[0] as AddInObject;
    copy.call('Запустить', '127.0.0.1', port);
    assert.equal(copy.get('Соединения'), '', 'no production connection');
    assert.equal(copy.call('Принять', 300, out(0), out('')), false, 'no production message');
    assert.notEqual(client.get('Статус'), 1, 'production\'s client was closed by its Остановить');
    const copyClient = addin.host.create(CLIENT_TYPE);
    copyClient.call('Подключиться', `ws://127.0.0.1:${port}/`);
    copyClient.call('Отправить', 'b1');
    assert.deepEqual(receiveText(copy), [1, 'b1']);
    copyClient.call('Отправить', 'b2');
    copy.destroy(); // the copy's job ends: now the copy's server is parked, and production is refused
    const refusedProduction = ownedServer(addin.host, PRODUCTION);
    await assertRefused(refusedProduction, port, 'ru');
    const copyBack = ownedServer(addin.host, TEST_COPY);
    copyBack.call('Запустить', '127.0.0.1', port);
    assert.deepEqual(receiveText(copyBack), [1, 'b2']);
    copyBack.call('Остановить');
    for (const o of [copyBack, copyClient, client, refusedProduction, copies[1] as AddInObject, copies[2] as AddInObject]) o.destroy();
  });

  it('a server without an owner stops with its object: its client is closed and the port is free at once', async () => {
    const server = addin.host.create(SERVER_TYPE);
    assert.equal(server.get('Владелец'), '');
    const { port, client } = serverWithClient(addin.host, server, 'не для следующего задания');
    server.destroy();
    await closedByServer(client);
    const next = addin.host.create(SERVER_TYPE);
    next.set('Владелец', PRODUCTION);
    assert.equal(next.call('Запустить', '127.0.0.1', port), true, 'the port is free (the client saw the server stop)');
    assert.equal(next.call('Принять', 300, out(0), out('')), false, 'nothing of the ownerless server was kept');
    next.call('Остановить');
    for (const o of [next, client]) o.destroy();
  });

  it('the same owner with another certificate: the parked server is stopped (its client closed) and a new one runs', async () => {
    const certs = testCertificates();
    const plain = ownedServer(addin.host, PRODUCTION);
    const { port, client } = serverWithClient(addin.host, plain, 'по открытому каналу');
    plain.destroy();
    const secure = ownedServer(addin.host, PRODUCTION);
    await runOnceParked(secure, port, certs.certFile, certs.keyFile);
    assert.equal(secure.get('Соединения'), '', 'a new server');
    assert.equal(secure.call('Принять', 300, out(0), out('')), false, 'nothing of the plain server');
    await closedByServer(client);
    secure.call('Остановить');
    for (const o of [secure, client]) o.destroy();
  });

  it('Владелец: a String, «<bad cast>» otherwise; any letter case of either name', () => {
    const server = addin.host.create(SERVER_TYPE);
    assert.throws(
      () => server.set('Владелец', 5),
      (e: unknown) => e instanceof BslError && e.message.endsWith(format('ru', 'badSetting', ['Владелец', format('ru', 'typeString'), format('ru', 'typeNumber')])),
    );
    server.set('OWNER', TEST_COPY);
    assert.equal(server.get('владелец'), TEST_COPY);
    server.set('Owner', '');
    assert.equal(server.get('Владелец'), '');
    server.destroy();
  });
});

/**
 * Features beyond the original product (issue 7 / docs/features.md), through the host emulator
 * with the names a BSL programmer types. Peers for blocking client calls run in other processes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BinaryData, BslError, out, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, isolateEngine, SERVER_TYPE, type EngineSandbox } from './support/addin.js';
import { testCertificates } from './support/certs.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';
import { waitFor } from './support/wait.js';

const PEER = `${ROOT}dist/test/support/feature-peer.js`;
const PROXY = `${ROOT}dist/test/support/connect-proxy.js`;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits (blocking, as BSL would) until `read()` returns `expected` or `ms` pass. */
function pollProp(obj: AddInObject, name: string, expected: unknown, ms = 5000): unknown {
  const deadline = Date.now() + ms;
  let value = obj.get(name);
  while (value !== expected && Date.now() < deadline) {
    sleepSync(20);
    value = obj.get(name);
  }
  return value;
}

describe('client settings and information', () => {
  let sandbox: EngineSandbox;
  let host: AddInHost;
  let plain: Peer;
  let secure: Peer;
  let mutual: Peer;
  const certs = testCertificates();
  before(async () => {
    sandbox = isolateEngine();
    plain = await startPeer(process.execPath, [PEER], /READY (\d+)/);
    secure = await startPeer(process.execPath, [PEER, '--tls', certs.certFile, certs.keyFile], /READY (\d+)/);
    mutual = await startPeer(process.execPath, [PEER, '--tls', certs.certFile, certs.keyFile, '--client-ca', certs.caFile], /READY (\d+)/);
    host = attach();
  });
  after(async () => {
    host.close();
    await Promise.all([plain.stop(), secure.stop(), mutual.stop()]);
    sandbox.cleanup();
  });
  const url = (peer: Peer, scheme = 'ws'): string => `${scheme}://127.0.0.1:${peer.ready[1]}`;

  it('handshake headers and subprotocols; the negotiated one is readable', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('Подпротоколы', 'superchat, chat');
    Клиент.call('УстановитьЗаголовок', 'Authorization', 'Bearer секрет-токен'.replace('секрет-токен', 'token-123'));
    Клиент.call('SetHeader', 'X-Trace', 'trace-1');
    assert.throws(() => Клиент.call('SetHeader', 'X-Name', 'кириллица'), /Недопустимый заголовок/);
    Клиент.call('Подключиться', `${url(plain)}/path?q=1`);
    assert.equal(Клиент.get('Подпротокол'), 'chat');
    assert.equal(Клиент.get('Protocol'), 'chat');
    assert.equal(Клиент.get('Подпротоколы'), 'superchat, chat');
    Клиент.call('Отключиться');
    await waitFor(() => plain.lines.some((l) => l.includes('/path?q=1')), 5000, 'the peer\'s report');
    const seen = JSON.parse(plain.lines.filter((l) => l.includes('/path?q=1')).at(-1) as string) as { path: string; headers: Record<string, string>; protocol: string };
    assert.equal(seen.path, '/path?q=1');
    assert.equal(seen.headers.authorization, 'Bearer token-123');
    assert.equal(seen.headers['x-trace'], 'trace-1');
    assert.equal(seen.protocol, 'chat');
    Клиент.call('ОчиститьЗаголовки');
    assert.throws(() => Клиент.call('УстановитьЗаголовок', 'Bad Name', 'x'), /Недопустимый заголовок/);
    Клиент.destroy();
  });

  it('settings are checked: types, values, and no change while connected', () => {
    const Клиент = host.create(CLIENT_TYPE);
    assert.throws(() => Клиент.set('ТаймаутПодключения', 'долго'), (e: BslError) => /<bad cast>/.test(e.message));
    assert.throws(() => Клиент.set('ТаймаутПодключения', -5), /Недопустимое значение свойства ТаймаутПодключения/);
    assert.throws(() => Клиент.set('Сжатие', 1), /<bad cast>/);
    assert.throws(() => Клиент.get('ПарольКлючаКлиента'));
    Клиент.set('ПарольКлючаКлиента', 'пароль');
    Клиент.call('Подключиться', url(plain));
    assert.throws(() => Клиент.set('Сжатие', true), /можно менять только до Подключиться/);
    Клиент.call('Отключиться');
    Клиент.set('Сжатие', true);
    Клиент.destroy();
  });

  it('connect timeout', async () => {
    const silent = await startPeer(process.execPath, ['-e', "require('net').createServer(()=>{}).listen(0,'127.0.0.1',function(){console.log('READY '+this.address().port)})"], /READY (\d+)/);
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ТаймаутПодключения', 300);
    const started = Date.now();
    assert.throws(() => Клиент.call('Подключиться', `ws://127.0.0.1:${silent.ready[1]}/`), /Истекло время ожидания подключения.*300 мс/);
    assert.ok(Date.now() - started < 3000);
    assert.equal(Клиент.get('Статус'), -1);
    Клиент.destroy();
    await silent.stop();
  });

  it('a silent peer turns Статус to −1 within ping interval + timeout', () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ИнтервалПинга', 200);
    Клиент.set('ТаймаутПинга', 300);
    Клиент.call('Подключиться', url(plain));
    Клиент.call('Отправить', 'silence');
    const started = Date.now();
    const Данные = out('');
    assert.equal(Клиент.call('Принять', 0, Данные), false, 'Receive(0) ends when the peer is declared dead');
    const took = Date.now() - started;
    assert.ok(took < 2000, `detected in ${took} ms`);
    assert.equal(Клиент.get('Статус'), -1);
    Клиент.destroy();
  });

  it('TLS: trusted CA file, the loudly named skip switch, and a client certificate (mutual TLS)', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    assert.throws(() => Клиент.call('Подключиться', url(secure, 'wss')), /Ошибка TLS/);
    Клиент.set('ФайлЦС', certs.caFile);
    Клиент.call('Подключиться', url(secure, 'wss'));
    Клиент.call('Отключиться');
    const Небезопасный = host.create(CLIENT_TYPE);
    Небезопасный.set('НеПроверятьСертификатСервера_ОПАСНО', true);
    Небезопасный.call('Подключиться', url(secure, 'wss'));
    Небезопасный.call('Отключиться');
    Небезопасный.destroy();
    assert.throws(() => Клиент.call('Подключиться', url(mutual, 'wss')), BslError, 'without a client certificate');
    Клиент.set('СертификатКлиента', certs.clientCertFile);
    Клиент.set('КлючКлиента', certs.clientKeyFile);
    Клиент.call('Подключиться', url(mutual, 'wss'));
    Клиент.call('Отправить', 'mtls');
    const Данные = out('');
    assert.equal(Клиент.call('Принять', 3000, Данные), true);
    assert.equal(Данные.value, 'mtls');
    Клиент.call('Отключиться');
    Клиент.destroy();
    await waitFor(() => mutual.lines.some((l) => l.includes('"clientCertificate":"onec-client"')), 5000, `the peer's report: ${mutual.lines.join('\n')}`);
  });

  it('an HTTP CONNECT proxy, given explicitly or taken from the environment', async () => {
    const proxy = await startPeer(process.execPath, [PROXY], /READY (\d+)/);
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('Прокси', `http://127.0.0.1:${proxy.ready[1]}`);
    Клиент.call('Подключиться', `${url(plain)}/via-proxy`);
    Клиент.call('Отправить', 'через прокси');
    const Данные = out('');
    assert.equal(Клиент.call('Принять', 3000, Данные), true);
    assert.equal(Данные.value, 'через прокси');
    Клиент.call('Отключиться');
    Клиент.set('Прокси', 'не адрес');
    assert.throws(() => Клиент.call('Подключиться', url(plain)), /Неверный адрес прокси/);
    Клиент.destroy();
    await waitFor(() => proxy.lines.includes(`CONNECT 127.0.0.1:${plain.ready[1]}`), 5000, 'the proxy tunnel');
    await proxy.stop();
  });

  it('permessage-deflate on request', async () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('Сжатие', true);
    Клиент.call('Подключиться', `${url(plain)}/deflate`);
    Клиент.call('Отправить', 'я'.repeat(10_000));
    const Данные = out('');
    assert.equal(Клиент.call('Принять', 3000, Данные), true);
    assert.equal(Данные.value, 'я'.repeat(10_000));
    Клиент.call('Отключиться');
    Клиент.destroy();
    await waitFor(() => plain.lines.some((l) => l.includes('/deflate')), 5000, 'the peer\'s report');
    const seen = JSON.parse(plain.lines.filter((l) => l.includes('/deflate')).at(-1) as string) as { headers: Record<string, string> };
    assert.match(seen.headers['sec-websocket-extensions'] ?? '', /permessage-deflate/);
  });

  it('close code and reason of the last close', () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.call('Подключиться', url(plain));
    assert.equal(Клиент.get('КодЗакрытия'), 0);
    Клиент.call('Отправить', 'close:4001:уходим');
    assert.equal(Клиент.call('Принять', 0, out('')), false);
    assert.equal(Клиент.get('КодЗакрытия'), 4001);
    assert.equal(Клиент.get('ПричинаЗакрытия'), 'уходим');
    Клиент.destroy();
  });

  it('binary messages both ways, told apart by ДвоичноеСообщение', () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.call('Подключиться', url(plain));
    const bytes = new BinaryData([0, 1, 2, 250, 255]);
    Клиент.call('Отправить', bytes);
    const Данные = out('');
    assert.equal(Клиент.call('Принять', 3000, Данные), true);
    assert.ok(Данные.value instanceof BinaryData);
    assert.ok((Данные.value as BinaryData).equals(bytes));
    assert.equal(Клиент.get('ДвоичноеСообщение'), true);
    Клиент.call('Отправить', 'текст');
    assert.equal(Клиент.call('Принять', 3000, Данные), true);
    assert.equal(Данные.value, 'текст');
    assert.equal(Клиент.get('IsBinary'), false);
    Клиент.destroy();
  });

  it('automatic reconnect: observable, and Send keeps every message across it', () => {
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('Автопереподключение', true);
    Клиент.call('Подключиться', url(plain));
    Клиент.call('Отправить', 'drop');
    assert.equal(pollProp(Клиент, 'Переподключение', true, 3000), true, 'reconnecting is visible');
    Клиент.call('Отправить', 'сохранено во время переподключения');
    assert.equal(pollProp(Клиент, 'Статус', 1, 5000), 1, 'connected again');
    assert.equal(Клиент.get('Переподключение'), false);
    const Данные = out('');
    assert.equal(Клиент.call('Принять', 3000, Данные), true);
    assert.equal(Данные.value, 'сохранено во время переподключения');
    Клиент.call('Отключиться');
    assert.equal(Клиент.get('Статус'), 0);
    Клиент.destroy();
  });
});

describe('server additions', () => {
  let sandbox: EngineSandbox;
  let host: AddInHost;
  before(() => {
    sandbox = isolateEngine();
    process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = '0';
    host = attach();
  });
  after(() => {
    host.close();
    sandbox.cleanup();
  });

  function serverWithClients(count: number, setup?: (s: AddInObject) => void): { Сервер: AddInObject; Клиенты: AddInObject[]; Порт: number } {
    const Сервер = host.create(SERVER_TYPE);
    setup?.(Сервер);
    Сервер.call('Запустить', '127.0.0.1', 0);
    const Порт = Сервер.get('Порт') as number;
    const Клиенты = Array.from({ length: count }, (_, i) => {
      const Клиент = host.create(CLIENT_TYPE);
      Клиент.call('Подключиться', `ws://127.0.0.1:${Порт}/room/${i + 1}?user=u${i + 1}`);
      return Клиент;
    });
    return { Сервер, Клиенты, Порт };
  }

  it('broadcast to all, and to a list of ids', () => {
    const { Сервер, Клиенты } = serverWithClients(3);
    assert.equal(Сервер.call('ОтправитьВсем', 'всем'), 3);
    for (const Клиент of Клиенты) {
      const Данные = out('');
      assert.equal(Клиент.call('Принять', 3000, Данные), true);
      assert.equal(Данные.value, 'всем');
    }
    assert.equal(Сервер.call('Broadcast', 'некоторым', '1, 3, 99'), 2);
    const got = Клиенты.map((Клиент, index) => {
      const Данные = out('');
      // long enough for the two that should get it; the one left out is then surely past its turn
      return Клиент.call('Принять', index === 1 ? 300 : 3000, Данные) ? Данные.value : null;
    });
    assert.deepEqual(got, ['некоторым', null, 'некоторым']);
    assert.throws(() => Сервер.call('ОтправитьВсем', 'x', '1, два'), /Список ИД/);
    Сервер.call('Остановить');
    for (const o of [...Клиенты, Сервер]) o.destroy();
  });

  it('connection information as JSON', () => {
    const { Сервер, Клиенты } = serverWithClients(1);
    const info = JSON.parse(Сервер.call('ИнформацияОСоединении', 1) as string) as Record<string, unknown>;
    assert.equal(info.id, 1);
    assert.equal(info.path, '/room/1');
    assert.equal(info.query, 'user=u1');
    assert.match(info.address as string, /^127\.0\.0\.1:\d+$/);
    assert.equal((info.headers as Record<string, string>)['sec-websocket-version'], '13');
    assert.equal(info.tlsClientSubject, null);
    assert.ok(Number.isFinite(Date.parse(info.connectedAt as string)));
    assert.equal(Сервер.call('ConnectionInfo', 42), '');
    Сервер.call('Остановить');
    for (const o of [...Клиенты, Сервер]) o.destroy();
  });

  it('connection opened/closed events, without touching Принять', () => {
    const { Сервер, Клиенты } = serverWithClients(2, (s) => s.set('СобытияСоединений', true));
    const ИД = out(0);
    const Событие = out('');
    const events: string[] = [];
    while (Сервер.call('ПринятьСобытие', 500, ИД, Событие)) {
      events.push(`${ИД.value as number}:${Событие.value as string}`);
      if (events.length === 2) break;
    }
    assert.deepEqual(events, ['1:open', '2:open']);
    (Клиенты[0] as AddInObject).call('Отключиться');
    assert.equal(Сервер.call('ПринятьСобытие', 3000, ИД, Событие), true);
    assert.deepEqual([ИД.value, Событие.value], [1, 'close']);
    assert.equal(Сервер.call('Принять', 200, out(0), out('')), false, 'Принять sees no events');
    Сервер.call('Остановить');
    for (const o of [...Клиенты, Сервер]) o.destroy();
  });

  it('mutual TLS on the server: ФайлЦСКлиентов requires a client certificate; its subject is in the connection info', () => {
    const certs = testCertificates();
    const Сервер = host.create(SERVER_TYPE);
    Сервер.set('ФайлЦСКлиентов', certs.caFile);
    Сервер.call('Запустить', '127.0.0.1', 0, certs.certFile, certs.keyFile);
    const Адрес = `wss://127.0.0.1:${Сервер.get('Порт') as number}/mtls`;
    const Аноним = host.create(CLIENT_TYPE);
    Аноним.set('ФайлЦС', certs.caFile);
    assert.throws(() => Аноним.call('Подключиться', Адрес), BslError, 'no client certificate, no connection');
    const Клиент = host.create(CLIENT_TYPE);
    Клиент.set('ФайлЦС', certs.caFile);
    Клиент.set('СертификатКлиента', certs.clientCertFile);
    Клиент.set('КлючКлиента', certs.clientKeyFile);
    Клиент.call('Подключиться', Адрес);
    const Сведения = JSON.parse(Сервер.call('ИнформацияОСоединении', 1) as string) as { tlsClientSubject: string };
    assert.match(Сведения.tlsClientSubject, /CN=onec-client/);
    assert.throws(() => Сервер.set('ФайлЦСКлиентов', ''), /можно менять только до/);
    Сервер.call('Остановить');
    for (const o of [Аноним, Клиент, Сервер]) o.destroy();
  });

  it('limits: max connections, allowed origins, max message size; a health view', () => {
    const Сервер = host.create(SERVER_TYPE);
    Сервер.set('МаксимумСоединений', 1);
    Сервер.set('РазрешенныеИсточники', 'https://portal.example, https://erp.example');
    Сервер.set('МаксимальныйРазмерСообщения', 1000);
    Сервер.call('Запустить', '127.0.0.1', 0);
    const Адрес = `ws://127.0.0.1:${Сервер.get('Порт') as number}/`;
    const Чужой = host.create(CLIENT_TYPE);
    Чужой.call('УстановитьЗаголовок', 'Origin', 'https://evil.example');
    assert.throws(() => Чужой.call('Подключиться', Адрес), /HTTP 403/);
    const Свой = host.create(CLIENT_TYPE);
    Свой.call('УстановитьЗаголовок', 'Origin', 'https://erp.example');
    Свой.call('Подключиться', Адрес);
    const Лишний = host.create(CLIENT_TYPE);
    Лишний.call('УстановитьЗаголовок', 'Origin', 'https://erp.example');
    assert.throws(() => Лишний.call('Подключиться', Адрес), /HTTP 503/);
    Свой.call('Отправить', 'x'.repeat(500));
    assert.equal(Сервер.call('Принять', 3000, out(0), out('')), true);
    const health = JSON.parse(Сервер.get('Состояние') as string) as Record<string, unknown>;
    assert.deepEqual(
      { running: health.running, port: health.port, connections: health.connections, queuedMessages: health.queuedMessages },
      { running: true, port: Сервер.get('Порт'), connections: 1, queuedMessages: 0 },
    );
    Свой.call('Отправить', 'x'.repeat(2000));
    assert.equal(Свой.call('Принять', 0, out('')), false, 'the server closed the connection over the size limit');
    assert.equal(Свой.get('КодЗакрытия'), 1009);
    assert.throws(() => Сервер.set('Сжатие', true), /можно менять только до/);
    Сервер.call('Остановить');
    for (const o of [Чужой, Свой, Лишний, Сервер]) o.destroy();
  });
});

describe('proxy from the environment', () => {
  it('Прокси = "env" follows HTTP_PROXY of the engine\'s environment', async () => {
    const proxy = await startPeer(process.execPath, [PROXY], /READY (\d+)/);
    const peer = await startPeer(process.execPath, [PEER], /READY (\d+)/);
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.ready[1]}`;
    process.env.NO_PROXY = '';
    process.env.no_proxy = '';
    const sandbox = isolateEngine(); // a new engine, started with this environment
    const host = attach();
    try {
      const Клиент = host.create(CLIENT_TYPE);
      Клиент.set('Прокси', 'env');
      Клиент.call('Подключиться', `ws://127.0.0.1:${peer.ready[1]}/env`);
      Клиент.call('Отключиться');
      Клиент.destroy();
      await waitFor(() => proxy.lines.includes(`CONNECT 127.0.0.1:${peer.ready[1]}`), 5000, 'the proxy tunnel');
    } finally {
      host.close();
      sandbox.cleanup();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await Promise.all([proxy.stop(), peer.stop()]);
    }
  });
});

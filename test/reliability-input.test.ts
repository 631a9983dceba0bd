/**
 * Bad input as BSL would pass it, through the host emulator, the real library and a real engine
 * (docs/reliability.md, "Bad input"). Wrong types in every parameter are test/addin-arguments.test.ts;
 * this file covers the values of the right type that are still wrong:
 *  - server addresses: malformed, unsupported schemes, ports out of range, IPv6 literals (bad and
 *    good), user:password URLs (the password never shows: error texts, Сервер, ОписаниеОшибки);
 *  - listening interfaces and ports out of range (NaN, ±Infinity, fractions, 1e12);
 *  - certificate files missing, a directory, a FIFO, a device, empty, garbage, a key that does not
 *    match, a missing key file; none of them hangs the engine;
 *  - timeouts negative, NaN, fractional, huge (1e12, 2^31, Infinity must not fire at once).
 * Every refused call leaves the object's state as it was, and the engine keeps serving.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { format, MESSAGES, type MessageKey } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, isolateEngine, SERVER_TYPE } from './support/addin.js';
import { testCertificates, type TestCertificates } from './support/certs.js';
import { EngineError } from '../src/engine/errors.js';
import { loadTlsCredentials } from '../src/engine/tls-credentials.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';

const HOSTILE = `${ROOT}dist/test/support/hostile-server.js`;
const STEADY = `${ROOT}dist/test/support/steady-client.js`;

/** A port nothing listens on (bound and released). */
async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * Asserts that `fn` fails with exactly `text` as the add-in's error (exception, AddError,
 * ОписаниеОшибки). AddError takes a NUL-terminated text, so what the platform shows ends at a NUL
 * the text may echo; ОписаниеОшибки() returns all of it.
 */
function failsWith(obj: AddInObject, method: string, fn: () => unknown, text: string): void {
  const shown = text.split('\u0000')[0] as string;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BslError, String(e));
    assert.equal(e.message, `${Text.callFailed(method)}: ${shown}`);
    assert.deepEqual(e.records.map((r) => r.descr), [shown]);
    return true;
  });
  assert.equal(obj.call('ОписаниеОшибки'), text);
}

function engineLogs(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('reliability: bad input through the emulator', () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let hostile: Peer;
  let hostileUrl = '';

  before(async () => {
    hostile = await startPeer(process.execPath, [HOSTILE], /^listening on (\d+)$/);
    hostileUrl = `ws://127.0.0.1:${hostile.ready[1] as string}`;
    host = attach();
  });
  after(async () => {
    host?.close();
    await hostile?.stop();
    sandbox.cleanup();
  });

  describe('server addresses Подключиться refuses before connecting', () => {
    const reason = (key: MessageKey, ...args: unknown[]): ((lang: 'ru' | 'en') => string) => (lang) => format(lang, key, args);
    const notUrl = reason('urlNotParsable');
    const badPort = reason('urlBadPort');
    const cases: Array<[string, string, (lang: 'ru' | 'en') => string]> = [
      ['empty', '', notUrl],
      ['blanks', '   ', notUrl],
      ['words', 'не адрес', notUrl],
      ['scheme only', 'ws://', notUrl],
      ['no host', 'ws:///', notUrl],
      ['port without host', 'ws://:80/', notUrl],
      ['host:port without a scheme', '127.0.0.1:8080', notUrl],
      ['scheme-relative', '//127.0.0.1:8080/', notUrl],
      ['a name read as a scheme', 'localhost:8080', reason('urlBadScheme', 'localhost')],
      ['http', 'http://127.0.0.1/', reason('urlBadScheme', 'http')],
      ['https', 'https://127.0.0.1/', reason('urlBadScheme', 'https')],
      ['ftp', 'ftp://127.0.0.1/', reason('urlBadScheme', 'ftp')],
      ['file', 'file:///etc/passwd', reason('urlBadScheme', 'file')],
      ['javascript', 'javascript:alert(1)', reason('urlBadScheme', 'javascript')],
      ['data', 'data:text/plain,x', reason('urlBadScheme', 'data')],
      ['ws+unix', 'ws+unix:///tmp/x.sock', reason('urlBadScheme', 'ws+unix')],
      ['port 0', 'ws://127.0.0.1:0/', badPort],
      ['port 65536', 'ws://127.0.0.1:65536/', badPort],
      ['port 99999', 'ws://127.0.0.1:99999/', badPort],
      ['port 2^32+1 (would wrap to 1)', 'ws://127.0.0.1:4294967297/', badPort],
      ['negative port', 'ws://127.0.0.1:-1/', notUrl],
      ['port 1e3', 'ws://127.0.0.1:1e3/', notUrl],
      ['port with letters', 'ws://127.0.0.1:80a/', notUrl],
      ['IPv6 without brackets', 'ws://::1:80/', notUrl],
      ['IPv6 unclosed bracket', 'ws://[::1/', notUrl],
      ['IPv6 doubled bracket', 'ws://[::1]]:80/', notUrl],
      ['IPv6 with a zone id', 'ws://[fe80::1%25eth0]:80/', notUrl],
      ['IPv6 not hex', 'ws://[::g]/', notUrl],
      ['IPv6 port 65536', 'ws://[::1]:65536/', badPort],
      ['NUL in the host', 'ws://127.0.0.1\u0000:80/', notUrl],
      ['five octets', 'ws://1.2.3.4.5/', notUrl],
      ['octets over 255', 'ws://256.256.256.256/', notUrl],
      ['a space in the host', 'ws://a b/', notUrl],
      ['a fragment', 'ws://127.0.0.1:80/#part', reason('urlHasFragment')],
    ];
    for (const lang of ['ru', 'en'] as const) {
      it(`${cases.length} malformed addresses (${lang}): invalidUrl naming the reason; Статус and Сервер unchanged`, () => {
        const client = host.create(CLIENT_TYPE, { locale: lang === 'en' ? 'en_US' : 'ru_RU' });
        try {
          for (const [label, url, why] of cases) {
            const text = format(lang, 'invalidUrl', [url.trim(), why(lang)]);
            failsWith(client, 'Подключиться', () => client.call('Подключиться', url), text);
            assert.equal(client.get('Статус'), 0, label);
            assert.equal(client.get('Сервер'), '', label);
          }
        } finally {
          client.destroy();
        }
      });
    }

    it('a refused address on a connected object changes nothing: the connection keeps working', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.call('Подключиться', `${hostileUrl}/echo`);
        for (const [, url] of cases) assert.throws(() => client.call('Подключиться', url), BslError);
        assert.equal(client.get('Статус'), 1);
        assert.equal(client.get('Сервер'), `${hostileUrl}/echo`);
        client.call('Отправить', 'всё ещё здесь');
        const data = out('');
        assert.equal(client.call('Принять', 5000, data), true);
        assert.equal(data.value, 'всё ещё здесь');
      } finally {
        client.destroy();
      }
    });

    it('a leading zero in the port and an empty port are valid (ws://127.0.0.1:/ is port 80)', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        const port = Number(hostileUrl.split(':')[2]);
        assert.equal(client.call('Подключиться', `ws://127.0.0.1:0${port}/echo`), true);
        assert.equal(client.get('Статус'), 1);
      } finally {
        client.destroy();
      }
    });
  });

  describe('IPv6 literals', () => {
    it('a server on [::1] and a client at ws://[::1]:port/: round trip; Соединения shows [::1]:port', () => {
      const server = host.create(SERVER_TYPE);
      const client = host.create(CLIENT_TYPE);
      try {
        assert.equal(server.call('Запустить', '[::1]', 0), true);
        assert.equal(server.get('Сервер'), '::1');
        const port = server.get('Порт') as number;
        const url = `ws://[::1]:${port}/шесть`;
        assert.equal(client.call('Подключиться', url), true);
        assert.equal(client.get('Сервер'), url);
        assert.match(server.get('Соединения') as string, /^1: \[::1\]:\d+$/);
        client.call('Отправить', 'по IPv6');
        const id = out(0);
        const data = out('');
        assert.equal(server.call('Принять', 5000, id, data), true);
        assert.deepEqual([id.value, data.value], [1, 'по IPv6']);
        // the IPv4 loopback is another interface: nothing listens there
        const other = host.create(CLIENT_TYPE);
        try {
          assert.throws(() => other.call('Подключиться', `ws://127.0.0.1:${port}/`), (e: unknown) => e instanceof BslError && e.message.includes(format('ru', 'connectRefused', [`ws://127.0.0.1:${port}/`])));
          assert.equal(other.get('Статус'), -1);
        } finally {
          other.destroy();
        }
      } finally {
        client.destroy();
        server.destroy();
      }
    });

    it('an IPv4-mapped IPv6 literal reaches an IPv4 server', () => {
      const server = host.create(SERVER_TYPE);
      const client = host.create(CLIENT_TYPE);
      try {
        server.call('Запустить', '127.0.0.1', 0);
        const port = server.get('Порт') as number;
        assert.equal(client.call('Подключиться', `ws://[::ffff:127.0.0.1]:${port}/`), true);
        assert.match(server.get('Соединения') as string, /^1: 127\.0\.0\.1:\d+$/);
      } finally {
        client.destroy();
        server.destroy();
      }
    });
  });

  describe('user:password in the address', () => {
    const secret = 'С3кр3т-pa55';
    // a password is hidden however it is written; the last ones only parse leniently (WHATWG)
    const forms = (port: number): Array<[string, string]> => [
      [`ws://user:${secret}@127.0.0.1:${port}/p`, `ws://user:***@127.0.0.1:${port}/p`],
      [`ws://user:${secret}@pa@127.0.0.1:${port}/p`, `ws://user:***@127.0.0.1:${port}/p`],
      [`ws://:${secret}@127.0.0.1:${port}/`, `ws://:***@127.0.0.1:${port}/`],
      [`WS://USER:${secret}@127.0.0.1:${port}/`, `WS://USER:***@127.0.0.1:${port}/`],
      [`ws:/user:${secret}@127.0.0.1:${port}/`, `ws:/user:***@127.0.0.1:${port}/`],
      [`ws:user:${secret}@127.0.0.1:${port}/`, `ws:user:***@127.0.0.1:${port}/`],
      [`ws:\t//user:${secret}@127.0.0.1:${port}/`, `ws://user:***@127.0.0.1:${port}/`],
    ];

    it('a refused connection: the error and Сервер show *** instead of the password', async () => {
      const port = await closedPort();
      const client = host.create(CLIENT_TYPE);
      try {
        for (const [url, shown] of forms(port)) {
          failsWith(client, 'Подключиться', () => client.call('Подключиться', url), format('ru', 'connectRefused', [shown]));
          assert.equal(client.get('Статус'), -1);
          assert.equal(client.get('Сервер'), shown);
        }
      } finally {
        client.destroy();
      }
    });

    it('malformed addresses with a password: the error hides it too (a "/" in it, a bad port, a fragment)', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        const cases: Array<[string, string]> = [
          [`ws://user:pa/${secret}@127.0.0.1/`, 'ws://user:***@127.0.0.1/'],
          [`ws://user:${secret}@127.0.0.1:99999/`, 'ws://user:***@127.0.0.1:99999/'],
          [`ws://user:${secret}@127.0.0.1/#f`, 'ws://user:***@127.0.0.1/#f'],
          [`http://user:${secret}@127.0.0.1/`, 'http://user:***@127.0.0.1/'],
        ];
        for (const [url, shown] of cases) {
          assert.throws(() => client.call('Подключиться', url), (e: unknown) => {
            assert.ok(e instanceof BslError);
            assert.ok(!e.message.includes(secret), e.message);
            assert.ok(e.message.includes(`«${shown}»`), `${e.message} should show ${shown}`);
            return true;
          });
          assert.ok(!(client.call('ОписаниеОшибки') as string).includes(secret));
        }
      } finally {
        client.destroy();
      }
    });

    it('a successful connection shows the masked address in Сервер; the peer got the credentials (Basic), the engine log did not', async () => {
      const client = host.create(CLIENT_TYPE);
      try {
        const port = hostileUrl.split(':')[2] as string;
        const url = `ws://user:${secret}@127.0.0.1:${port}/echo-auth`;
        assert.equal(client.call('Подключиться', url), true);
        assert.equal(client.get('Сервер'), `ws://user:***@127.0.0.1:${port}/echo-auth`);
        client.call('Отправить', 'x');
        assert.equal(client.call('Принять', 5000, out()), true);
        // the peer's output is read while this thread is not blocked in the add-in
        const deadline = Date.now() + 5000;
        while (!hostile.lines.some((l) => l.includes('/echo-auth')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const seen = hostile.lines.find((l) => l.includes('/echo-auth'));
        assert.ok(seen, 'the peer saw the request');
        const basic = Buffer.from(`user:${secret}`).toString('base64');
        assert.ok(seen.includes(`Basic ${basic}`), `Authorization reached the peer: ${seen}`);
        const log = engineLogs(sandbox.dir);
        assert.ok(!log.includes(secret) && !log.includes(encodeURIComponent(secret)) && !log.includes(basic), 'the engine log holds the password');
      } finally {
        client.destroy();
      }
    });
  });

  describe('listening interfaces and ports Запустить refuses', () => {
    it('ports out of range (−1, 65536, 1.5, NaN, ±Infinity, 1e12, 2^31, 2^32): portOutOfRange, nothing listens', () => {
      const server = host.create(SERVER_TYPE);
      try {
        for (const port of [-1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e12, 2 ** 31, 2 ** 32, -0.5]) {
          failsWith(server, 'Запустить', () => server.call('Запустить', '127.0.0.1', port), format('ru', 'portOutOfRange', [port]));
          assert.deepEqual([server.get('Порт'), server.get('Сервер'), server.get('Соединения')], [0, '', '']);
        }
      } finally {
        server.destroy();
      }
    });

    it('interfaces that are not IP addresses: badInterface; an address this machine does not have: addressNotAvailable', () => {
      const server = host.create(SERVER_TYPE, { locale: 'en_US' });
      try {
        for (const iface of ['', '   ', 'any', 'example.com', '256.1.1.1', '1.2.3', '127.0.0.1:80', '[::1', '::g']) {
          failsWith(server, 'Запустить', () => server.call('Запустить', iface, 0), format('en', 'badInterface', [iface]));
          assert.equal(server.get('Порт'), 0);
        }
        // A NUL inside: refused as well. AddError takes a NUL-terminated text, so the exception's
        // text ends at the NUL; ОписаниеОшибки() has all of it.
        assert.throws(() => server.call('Запустить', '127.0.0.1\u0000', 0), BslError);
        assert.equal(server.call('ОписаниеОшибки'), format('en', 'badInterface', ['127.0.0.1\u0000']));
        assert.equal(server.get('Порт'), 0);
        failsWith(server, 'Запустить', () => server.call('Запустить', '203.0.113.7', 0), format('en', 'addressNotAvailable', ['203.0.113.7']));
        assert.equal(server.get('Порт'), 0);
        // and after all that it runs
        assert.equal(server.call('Запустить', '127.0.0.1', 0), true);
        assert.ok((server.get('Порт') as number) > 0);
      } finally {
        server.destroy();
      }
    });
  });

  describe('certificate files', () => {
    let certs: TestCertificates;
    let dir: string;
    before(() => {
      certs = testCertificates();
      dir = mkdtempSync(join(tmpdir(), 'onec-ws-badcert-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const runFails = (args: () => string[], expected: () => string, password?: string) => () => {
      const server = host.create(SERVER_TYPE);
      try {
        const started = Date.now();
        failsWith(server, 'Запустить', () => server.call('Запустить', '127.0.0.1', 0, ...args()), expected());
        assert.ok(Date.now() - started < 5000, 'answered at once');
        assert.deepEqual([server.get('Порт'), server.get('Сервер')], [0, '']);
        if (password) {
          assert.ok(!(server.call('ОписаниеОшибки') as string).includes(password));
          assert.ok(!engineLogs(sandbox.dir).includes(password), 'the engine log holds the password');
        }
      } finally {
        server.destroy();
      }
    };

    it('missing certificate file', runFails(() => [join(dir, 'нет.pem')], () => format('ru', 'certNotFound', [join(dir, 'нет.pem')])));
    it('a path through a regular file (ENOTDIR) counts as missing', runFails(() => [`${certs.certFile}/x.pem`], () => format('ru', 'certNotFound', [`${certs.certFile}/x.pem`])));
    it('a directory', runFails(() => [dir], () => format('ru', 'certUnreadable', [dir, 'EISDIR'])));
    it('a file without read permission (mode 000), for an engine running as user nobody (root reads anything)', (t) => {
      if (process.getuid?.() !== 0) return t.skip('switching to user nobody needs root');
      const open = mkdtempSync(join(tmpdir(), 'onec-ws-000-'));
      chmodSync(open, 0o755);
      const file = join(open, 'cert.pem');
      copyFileSync(certs.combinedFile, file);
      chmodSync(file, 0o000);
      try {
        // the engine's own Server, as the engine runs it, in a process of user nobody
        const script = `import(${JSON.stringify(`${ROOT}dist/src/index.js`)}).then(async ({ Server }) => { try { await new Server().run('127.0.0.1', 0, process.env.CERT); console.log('RAN'); process.exit(0); } catch (e) { console.log(e.message); } })`;
        const result = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script], {
          env: { PATH: process.env.PATH, CERT: file },
          encoding: 'utf8',
          timeout: 20_000,
        });
        assert.equal(result.stdout.trim(), format('ru', 'certUnreadable', [file, 'EACCES']), result.stderr);
      } finally {
        rmSync(open, { recursive: true, force: true });
      }
    });
    it('a FIFO (reading it would block the whole engine forever)', () => {
      const fifo = join(dir, 'cert.fifo');
      execFileSync('mkfifo', [fifo]);
      runFails(() => [fifo], () => format('ru', 'certUnreadable', [fifo, 'это не обычный файл']))();
    });
    it('a device that never ends (/dev/zero)', runFails(() => ['/dev/zero'], () => format('ru', 'certUnreadable', ['/dev/zero', 'это не обычный файл'])));
    it('an empty file', () => {
      const empty = join(dir, 'empty.pem');
      writeFileSync(empty, '');
      runFails(() => [empty], () => format('ru', 'certNoCertificate', [`«${empty}»`]))();
    });
    it('garbage between PEM markers', () => {
      const garbage = join(dir, 'garbage.pem');
      writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n' + readFileSync(certs.keyFile, 'utf8'));
      const server = host.create(SERVER_TYPE);
      try {
        assert.throws(() => server.call('Запустить', '127.0.0.1', 0, garbage), (e: unknown) => e instanceof BslError && e.message.includes(format('ru', 'certInvalid', ['']).trim()));
        assert.equal(server.get('Порт'), 0);
      } finally {
        server.destroy();
      }
    });
    it('a key that does not match the certificate (4 and 5 arguments, with a password given)', () => {
      runFails(() => [certs.certFile, certs.otherKeyFile], () => MESSAGES.certKeyMismatch.ru)();
      runFails(() => [certs.certFile, certs.otherKeyFile, 'пароль-не-нужен'], () => MESSAGES.certKeyMismatch.ru, 'пароль-не-нужен')();
    });
    it('a missing key file in the 5-argument form', runFails(() => [certs.certFile, join(dir, 'нет.key'), 'x'], () => format('ru', 'certNotFound', [join(dir, 'нет.key')])));
    it('a wrong password for an encrypted key: certBadPassword, no password in the text or the log', runFails(() => [certs.certFile, certs.encryptedKeyFile, 'НеТот-Пароль-42'], () => MESSAGES.certBadPassword.ru, 'НеТот-Пароль-42'));
    it('2,000 wrong passwords for a legacy encrypted PEM key all give certBadPassword (some decrypt to well-padded garbage)', () => {
      // Legacy «Proc-Type: 4,ENCRYPTED» keys carry no MAC: about one wrong password in 256 passes the
      // padding check and fails later as a DER decoding error. Each must still be reported as the password.
      let other = 0;
      for (let i = 0; i < 2000; i += 1) {
        try {
          loadTlsCredentials(certs.combinedEncryptedFile, `неверный-${i}`);
          assert.fail(`wrong password ${i} opened the key`);
        } catch (error) {
          if (!(error instanceof EngineError && error.key === 'certBadPassword')) other += 1;
        }
      }
      assert.equal(other, 0, `${other} of 2000 wrong passwords were reported as something else`);
    });
    it('a password for a key that is not encrypted is ignored; the server runs', () => {
      const server = host.create(SERVER_TYPE);
      try {
        assert.equal(server.call('Запустить', '127.0.0.1', 0, certs.certFile, certs.keyFile, 'лишний'), true);
        assert.ok((server.get('Порт') as number) > 0);
      } finally {
        server.destroy();
      }
    });
    it('after all of that the engine still serves (nothing hung)', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        assert.equal(client.call('Подключиться', `${hostileUrl}/echo`), true);
        client.call('Отправить', 'живой');
        const data = out('');
        assert.equal(client.call('Принять', 5000, data), true);
        assert.equal(data.value, 'живой');
      } finally {
        client.destroy();
      }
    });
  });

  describe('Принять timeouts', () => {
    it('negative, NaN and −Infinity: badTimeout; the queued message stays for the next Принять', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.call('Подключиться', `${hostileUrl}/echo`);
        client.call('Отправить', 'ждёт');
        for (const timeout of [-1, -0.5, -1e12, Number.NaN, Number.NEGATIVE_INFINITY]) {
          const data = out('прежнее');
          failsWith(client, 'Принять', () => client.call('Принять', timeout, data), format('ru', 'badTimeout', [timeout]));
          assert.equal(data.value, 'прежнее', 'a refused call writes nothing back');
          assert.equal(client.get('Статус'), 1);
        }
        const data = out('');
        assert.equal(client.call('Принять', 5000, data), true);
        assert.equal(data.value, 'ждёт');
      } finally {
        client.destroy();
      }
    });

    it('negative timeouts on the server as well', () => {
      const server = host.create(SERVER_TYPE);
      try {
        server.call('Запустить', '127.0.0.1', 0);
        for (const timeout of [-1, Number.NaN]) {
          failsWith(server, 'Принять', () => server.call('Принять', timeout, out(), out()), format('ru', 'badTimeout', [timeout]));
        }
        assert.ok((server.get('Порт') as number) > 0);
      } finally {
        server.destroy();
      }
    });

    it('fractions round up: 0.4 and 0.0001 wait about a millisecond (never forever), 1.5 waits 2 ms', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.call('Подключиться', `${hostileUrl}/echo`);
        for (const timeout of [0.4, 0.0001, 1.5, 2.999]) {
          const started = Date.now();
          assert.equal(client.call('Принять', timeout, out()), false);
          assert.ok(Date.now() - started < 1000, `${timeout} returned after ${Date.now() - started} ms`);
        }
      } finally {
        client.destroy();
      }
    });

    // Node's setTimeout fires at once for delays over 2^31−1 ms; the engine must not.
    for (const timeout of [2 ** 31, 2 ** 31 + 1, 2 ** 32 + 5, 1e12, 8.64e15, Number.MAX_VALUE, Number.POSITIVE_INFINITY]) {
      it(`client Принять(${timeout}) does not fire at once: it returns the message sent 700 ms later`, () => {
        const client = host.create(CLIENT_TYPE);
        try {
          client.call('Подключиться', `${hostileUrl}/delayed?ms=700&text=${encodeURIComponent(`через ${timeout}`)}`);
          const data = out('');
          const started = Date.now();
          assert.equal(client.call('Принять', timeout, data), true);
          const elapsed = Date.now() - started;
          assert.equal(data.value, `через ${timeout}`);
          assert.ok(elapsed >= 400, `returned after ${elapsed} ms`);
        } finally {
          client.destroy();
        }
      });
    }

    it('server Принять(1e12) and Принять(2^31) wait for a client that writes 700 ms after connecting', async () => {
      const server = host.create(SERVER_TYPE);
      const peers: ChildProcess[] = [];
      try {
        server.call('Запустить', '127.0.0.1', 0);
        const port = server.get('Порт') as number;
        for (const timeout of [1e12, 2 ** 31]) {
          // a client in another process: connects, sends "0" 700 ms later, waits for the answer
          const peer = spawn(process.execPath, [STEADY, `ws://127.0.0.1:${port}/`, '1', '700', '20000'], { stdio: 'ignore' });
          peers.push(peer);
          const deadline = Date.now() + 10_000;
          while (!/\d: /.test(server.get('Соединения') as string) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          const id = out(0);
          const data = out('');
          const started = Date.now();
          assert.equal(server.call('Принять', timeout, id, data), true);
          assert.ok(Date.now() - started >= 300, `returned after ${Date.now() - started} ms`);
          assert.equal(data.value, '0');
          server.call('Отправить', id.value as number, 'ответ');
          server.call('Отключить', id.value as number);
        }
      } finally {
        for (const p of peers) p.kill('SIGKILL');
        server.destroy();
      }
    });
  });

  it('leaves the emulator\'s memory manager clean', () => {
    host.close();
    host.assertClean();
  });
});

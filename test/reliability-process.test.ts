/**
 * Process faults (docs/reliability.md, "Process faults"); the client-side "engine SIGKILLed during
 * Принять(0)" case is test/addin-engine-lost.test.ts. Here:
 *  - a 1C process holding a server, 5 clients of it and a client of an outside echo server is
 *    SIGKILLed: its server keeps the port for the grace period (scheduled jobs), then the port is
 *    free, and the engine's sockets and connections drop back to what they were before;
 *  - the engine SIGKILLed while a *server's* Принять(0) blocks: engineLost at once, and the port died
 *    with the engine, so Запустить on the same port works right away in a new engine;
 *  - an add-in object destroyed (Done + DestroyObject on the main thread) while another thread is
 *    blocked in its Принять(0) — the platform's case of a form closed during a background call —
 *    through koffi's asynchronous call: the blocked call returns false promptly, nothing leaks,
 *    no host callback reaches the freed object.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { MESSAGES } from '../src/i18n/messages.js';
import { BslError, out, Text, type AddInHost, type AddInObject, type BslValue } from '../src/host/index.js';
import { callPtrAsync, rawAlloc, rawFree, readPtr } from '../src/host/ffi.js';
import { COMPONENT_BASES } from '../src/host/interfaces.js';
import { CLIENT_TYPE, delay, SERVER_TYPE, useAddIn } from './support/addin.js';
import { portAccepts, socketFds, socketInodes } from './support/proc.js';
import { ROOT } from './support/processes.js';

const ONEC = `${ROOT}dist/test/support/onec-process.js`;
const GRACE_MS = 1500;

/** Established TCP connections held by that process (its socket inodes in /proc/net/tcp{,6}, state 01). */
function established(pid: number): number {
  const mine = socketInodes(pid);
  return ['tcp', 'tcp6']
    .flatMap((f) => readFileSync(`/proc/${pid}/net/${f}`, 'utf8').split('\n').slice(1))
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[3] === '01' && mine.has(cols[9] as string)).length;
}


/** Сервер.Принять(0) / Клиент.Принять(0) on a koffi worker thread: resolves with CallAsFunc's result. */
function receiveOnAnotherThread(host: AddInHost, obj: AddInObject, args: BslValue[]): { done: Promise<boolean>; release(): void } {
  const abi = host.abi;
  const base = COMPONENT_BASES.findIndex((d) => d.methods.some((m) => m.name === 'CallAsFunc'));
  const def = COMPONENT_BASES[base]!;
  const index = def.methods.findIndex((m) => m.name === 'CallAsFunc');
  const self = obj.pointer + BigInt(base * abi.pointerSize);
  const fn = readPtr(abi, readPtr(abi, self, 0), (abi.destructorSlots + index) * abi.pointerSize);
  const size = host.codec.size;
  const params = rawAlloc(args.length * size);
  const ret = rawAlloc(size);
  args.forEach((a, i) => host.codec.write(params + BigInt(i * size), a, `parameter ${i + 1} of Принять`));
  const method = obj.findMethod('Принять');
  const done = callPtrAsync(abi, fn, def.methods[index]!, self, [method, ret, params, args.length]).then((r) => r === true);
  return {
    done,
    release() {
      for (let i = 0; i < args.length; i++) host.codec.release(params + BigInt(i * size), 'the host after the async Принять');
      host.codec.release(ret, 'the host after the async Принять');
      rawFree(params);
      rawFree(ret);
    },
  };
}

describe('reliability: process faults', () => {
  process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = String(GRACE_MS);
  const addin = useAddIn();
  after(() => {
    delete process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS;
  });

  it('a 1C process SIGKILLed with a server, 5 clients of it and an outside client: the engine frees all of it', async () => {
    // this process's own object starts the engine and stays: the engine must not exit meanwhile
    const mine = addin.host.create(CLIENT_TYPE);
    assert.equal(mine.get('Статус'), 0);
    const engine = addin.sandbox.enginePids()[0] as number;
    const fdsBefore = socketFds(engine);
    const tcpBefore = established(engine);

    const child = spawn(process.execPath, [ONEC, addin.echo.url, '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    let closed = false;
    child.once('close', () => (closed = true));
    const deadline = Date.now() + 20_000;
    while (!output.includes('READY') && Date.now() < deadline && !closed) await delay(20);
    assert.ok(output.includes('READY'), `the 1C process did not get ready: ${output} ${errors}`);
    const port = Number(/PORT (\d+)/.exec(output)?.[1]);
    assert.deepEqual(addin.sandbox.enginePids(), [engine], 'the child used the same engine');
    const fdsWith = socketFds(engine);
    const tcpWith = established(engine);
    // 7 objects (Unix sockets) + 1 listener + 5 accepted + 5 client sides + 1 outside client
    assert.ok(fdsWith - fdsBefore >= 19, `socket fds ${fdsBefore} → ${fdsWith}`);
    assert.ok(tcpWith - tcpBefore >= 11, `established ${tcpBefore} → ${tcpWith}`);

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await once(child, 'exit');
    // the objects' connections close with the process; the server is parked for the grace period
    await delay(300);
    assert.equal(await portAccepts(port), true, 'the server outlives its process for the grace period');
    let freedAfter = 0;
    while (Date.now() - killedAt < GRACE_MS + 5000) {
      if (!(await portAccepts(port))) {
        freedAfter = Date.now() - killedAt;
        break;
      }
      await delay(50);
    }
    assert.ok(freedAfter >= GRACE_MS - 100, `port freed after ${freedAfter} ms (grace ${GRACE_MS})`);
    const settle = Date.now() + 5000;
    while ((socketFds(engine) > fdsBefore || established(engine) > tcpBefore) && Date.now() < settle) await delay(50);
    const fdsAfter = socketFds(engine);
    const tcpAfter = established(engine);
    process.stdout.write(
      `# figure: 1C process killed: engine socket fds ${fdsBefore} → ${fdsWith} → ${fdsAfter}, established TCP ${tcpBefore} → ${tcpWith} → ${tcpAfter}, port freed ${freedAfter} ms after the kill (grace ${GRACE_MS} ms)\n`,
    );
    assert.equal(fdsAfter, fdsBefore, 'every socket of the dead process was closed');
    assert.equal(tcpAfter, tcpBefore, 'every TCP connection of the dead process was closed');
    assert.deepEqual(addin.sandbox.enginePids(), [engine], 'the engine itself goes on');
    assert.equal(mine.get('Статус'), 0);
    mine.destroy();
  });

  it('the engine SIGKILLed while a server blocks in Принять(0): engineLost at once; the same port runs again in a new engine', async () => {
    const server = addin.host.create(SERVER_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0);
      const port = server.get('Порт') as number;
      const engine = addin.sandbox.enginePids()[0] as number;
      const killer = spawn('sh', ['-c', `sleep 1; kill -9 ${engine}`], { stdio: 'ignore' });
      const started = Date.now();
      assert.throws(
        () => server.call('Принять', 0, out(), out()),
        (e: unknown) => e instanceof BslError && e.message === `${Text.callFailed('Принять')}: ${MESSAGES.engineLost.ru}`,
      );
      const elapsed = Date.now() - started;
      await once(killer, 'exit');
      assert.ok(elapsed >= 900 && elapsed < 4000, `returned after ${elapsed} ms`);
      assert.equal(server.get('Порт'), 0, 'whenEngineLost');
      assert.equal(await portAccepts(port), false, 'the port died with the engine');
      assert.equal(server.call('Запустить', '127.0.0.1', port), true, 'Запустить restarts in a new engine on the same port');
      assert.equal(server.get('Порт'), port);
      assert.notDeepEqual(addin.sandbox.enginePids(), [engine]);
    } finally {
      server.destroy();
    }
  });

  for (const kind of ['Client', 'Server'] as const) {
    it(`a ${kind} object destroyed on the main thread while another thread blocks in its Принять(0)`, async () => {
      const obj = addin.host.create(kind === 'Client' ? CLIENT_TYPE : SERVER_TYPE);
      if (kind === 'Client') obj.call('Подключиться', addin.echo.url);
      else obj.call('Запустить', '127.0.0.1', 0);
      const port = kind === 'Server' ? (obj.get('Порт') as number) : 0;
      const blocked = receiveOnAnotherThread(addin.host, obj, kind === 'Client' ? [0, undefined] : [0, undefined, undefined]);
      let finished = false;
      void blocked.done.then(() => (finished = true));
      await delay(500);
      assert.equal(finished, false, 'Принять(0) is blocked on its thread');
      const started = Date.now();
      obj.destroy();
      const destroyMs = Date.now() - started;
      const result = await Promise.race([blocked.done, delay(5000).then(() => 'still blocked' as const)]);
      const returnMs = Date.now() - started;
      blocked.release();
      process.stdout.write(`# figure: ${kind} destroyed during Принять(0): DestroyObject ${destroyMs} ms, the blocked call returned after ${returnMs} ms\n`);
      assert.equal(result, false, 'the blocked Принять returned false');
      assert.ok(destroyMs < 3000, `DestroyObject took ${destroyMs} ms`);
      assert.equal(addin.host.problems().length, 0, addin.host.problems().join('\n'));
      if (kind === 'Server') {
        const deadline = Date.now() + 5000;
        while ((await portAccepts(port)) && Date.now() < deadline) await delay(50);
        // no Владелец: the server is not parked, it stops with its object
        assert.equal(await portAccepts(port), false, 'the port is freed with the object');
      }
    });
  }

  it('the emulator\'s memory manager reports no problems', () => {
    addin.host.close();
    addin.host.assertClean();
  });
});

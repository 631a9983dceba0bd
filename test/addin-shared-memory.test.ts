/**
 * Large message bodies through shared memory (docs/protocol.md, "Shared memory"), through the real
 * library and engine: text (Cyrillic, emoji, astral, an unpaired surrogate → U+FFFD) and binary,
 * both ways, at the threshold's edges and at 16 MiB, byte-exact against a real peer, with shared
 * memory on and switched off (ONEC_WEBSOCKET_SHARED_MEMORY=0). The proof it was used: the engine
 * holds the library's memfds and this process maps them; and that nothing leaks: after the idle
 * rule the memory is gone, and after the object is destroyed, after the engine is SIGKILLed
 * mid-transfer, and when Принять never takes a large message, neither this process nor the engine
 * holds them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SHARED_FROM } from '../src/daemon/shared.js';
import { BinaryData, out, type AddInObject } from '../src/host/index.js';
import { CLIENT_TYPE, SERVER_TYPE, useAddIn } from './support/addin.js';
import { waitFor } from './support/wait.js';
import { largeBinary, largeTextWithSurrogate } from './support/large-bodies.js';

const MEMFD = '/memfd:onec-websocket-';

/** The fds of process `pid` that are the library's memfds (link → path). */
function memfds(pid: number | 'self'): Map<string, string> {
  const found = new Map<string, string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith(MEMFD)) found.set(`/proc/${pid}/fd/${fd}`, link);
    } catch {
      // closed meanwhile
    }
  }
  return found;
}

/** This process's mappings of the library's memfds. */
function mapped(): string[] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.includes(MEMFD));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const SIZES = [SHARED_FROM - 1, SHARED_FROM, SHARED_FROM + 1, 16 * 1024 * 1024];

/** Sends and receives each size, text and binary, through `client` (connected to an echo peer). */
function roundTrips(client: AddInObject): void {
  SIZES.forEach((size, n) => {
    const { sent, back } = largeTextWithSurrogate(size);
    assert.equal(client.call('Отправить', sent), true);
    const data = out('');
    assert.equal(client.call('Принять', 30_000, data), true);
    assert.equal(typeof data.value, 'string');
    assert.ok(data.value === back, `text of ${size} UTF-8 bytes back exactly`);
    const bytes = largeBinary(size, n + 1);
    assert.equal(client.call('Отправить', new BinaryData(bytes)), true);
    assert.ok(client.call('ПринятьСообщение', 30_000) instanceof BinaryData);
    assert.equal(client.get('ДвоичноеСообщение'), true);
    const message = out('');
    assert.equal(client.call('Отправить', new BinaryData(bytes)), true);
    assert.equal(client.call('Принять', 30_000, message), true);
    assert.ok(message.value instanceof BinaryData);
    assert.ok(Buffer.from(message.value.bytes).equals(bytes), `${size} binary bytes back exactly`);
  });
}

describe('large messages through shared memory', () => {
  const addin = useAddIn();
  const engine = (): number => {
    const pids = addin.sandbox.enginePids();
    assert.equal(pids.length, 1, `engines: ${pids.join(', ')}`);
    return pids[0] as number;
  };

  describe('on (the default)', () => {
    let client: AddInObject;
    before(() => {
      client = addin.host.create(CLIENT_TYPE);
      assert.equal(client.call('Подключиться', addin.echo.url), true);
    });
    after(() => client?.destroy());

    it('text and binary at SHARED_FROM − 1, SHARED_FROM, + 1 and 16 MiB, both ways, byte-exact', () => {
      roundTrips(client);
    });

    it('was used: the engine holds both memfds and this process maps them', () => {
      const theirs = [...memfds(engine()).values()].sort();
      assert.deepEqual(theirs, [`${MEMFD}in (deleted)`, `${MEMFD}out (deleted)`]);
      assert.equal(memfds('self').size, 2, 'the library keeps its two');
      assert.ok(mapped().length >= 1, 'mapped here');
    });

    it('2 s without large messages: the next small call unmaps both and gives their memory back', async () => {
      await sleep(2200);
      assert.equal(client.get('Статус'), 1);
      assert.deepEqual(mapped(), []);
      for (const path of memfds('self').keys()) assert.equal(statSync(path).size, 0, `${path} is empty`);
      assert.equal(memfds(engine()).size, 2, 'still shared');
      // and the next large message uses them again
      const bytes = largeBinary(SHARED_FROM * 2, 9);
      assert.equal(client.call('Отправить', new BinaryData(bytes)), true);
      assert.ok(Buffer.from((client.call('ПринятьСообщение', 10_000) as BinaryData).bytes).equals(bytes));
      assert.ok(mapped().length >= 1);
    });

    it('after the object is destroyed neither this process nor the engine holds them', async () => {
      const pid = engine();
      client.destroy();
      assert.deepEqual([...memfds('self').keys()], []);
      assert.deepEqual(mapped(), []);
      await waitFor(() => memfds(pid).size === 0, 5000, 'the engine closed its fds');
    });
  });

  it('a server object that only receives shares its areas after its first large body; it sends the same way', async () => {
    const server = addin.host.create(SERVER_TYPE);
    const client = addin.host.create(CLIENT_TYPE);
    assert.equal(server.call('Запустить', '127.0.0.1', 0), true);
    assert.equal(client.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}`), true);
    const { sent, back } = largeTextWithSurrogate(SHARED_FROM + 100);
    const id = out(0);
    const data = out('');
    // the server object only receives: its first large body comes through the socket, which makes
    // it share its areas before its next request, so the second comes through them
    for (let i = 0; i < 2; i++) {
      assert.equal(client.call('Отправить', sent), true);
      assert.equal(server.call('Принять', 10_000, id, data), true);
      assert.ok(data.value === back, 'the server got the text');
    }
    assert.equal(memfds(engine()).size, 4, 'both objects shared their areas');
    assert.ok(mapped().some((line) => line.includes(`${MEMFD}in`)), 'the in area is mapped here');
    const bytes = largeBinary(SHARED_FROM + 3, 5);
    assert.equal(server.call('Отправить', id.value as number, new BinaryData(bytes)), true);
    const got = out('');
    assert.equal(client.call('Принять', 10_000, got), true);
    assert.ok(Buffer.from((got.value as BinaryData).bytes).equals(bytes), 'the client got the binary');
    assert.equal(memfds(engine()).size, 4, 'both objects shared their areas');
    client.destroy();
    server.destroy();
    assert.deepEqual([...memfds('self').keys()], []);
    await waitFor(() => memfds(engine()).size === 0, 5000, 'the engine closed its fds');
  });

  it('a large message Принять never takes: destroying the object leaks nothing', async () => {
    const client = addin.host.create(CLIENT_TYPE);
    assert.equal(client.call('Подключиться', addin.echo.url), true);
    for (let i = 0; i < 3; i++) assert.equal(client.call('Отправить', new BinaryData(largeBinary(SHARED_FROM * 4, i))), true);
    await sleep(300); // the echoes wait in the engine's queue
    const pid = engine();
    assert.equal(memfds(pid).size, 2);
    client.destroy();
    assert.deepEqual([...memfds('self').keys()], []);
    assert.deepEqual(mapped(), []);
    await waitFor(() => memfds(pid).size === 0, 5000, 'the engine closed its fds');
  });

  it('the engine SIGKILLed mid-transfer: the call fails, and the library holds nothing', async () => {
    const client = addin.host.create(CLIENT_TYPE);
    assert.equal(client.call('Подключиться', addin.echo.url), true);
    const bytes = largeBinary(16 * 1024 * 1024, 3);
    assert.equal(client.call('Отправить', new BinaryData(bytes)), true);
    assert.equal(memfds('self').size, 2);
    // a separate process kills: this thread blocks inside the add-in meanwhile
    spawn('sh', ['-c', `sleep 0.3; kill -9 ${engine()}`], { stdio: 'ignore' });
    let failed = false;
    const started = Date.now();
    while (!failed && Date.now() - started < 20_000) {
      try {
        client.call('Принять', 10_000, out(''));
        client.call('Отправить', new BinaryData(bytes));
      } catch {
        failed = true;
      }
    }
    assert.ok(failed, 'a call failed once the engine was gone');
    assert.deepEqual([...memfds('self').keys()], []);
    assert.deepEqual(mapped(), []);
    assert.equal(client.get('Статус'), -1);
    client.destroy();
  });

  describe('switched off: ONEC_WEBSOCKET_SHARED_MEMORY=0', () => {
    let client: AddInObject;
    before(() => {
      process.env.ONEC_WEBSOCKET_SHARED_MEMORY = '0'; // read by the library when a session opens
      client = addin.host.create(CLIENT_TYPE);
      assert.equal(client.call('Подключиться', addin.echo.url), true);
    });
    after(() => {
      client?.destroy();
      delete process.env.ONEC_WEBSOCKET_SHARED_MEMORY;
    });

    it('the same round trips give the same results, through the socket only', () => {
      roundTrips(client);
      assert.deepEqual([...memfds('self').keys()], []);
      assert.deepEqual(mapped(), []);
      assert.deepEqual([...memfds(engine()).keys()], []);
    });
  });
});

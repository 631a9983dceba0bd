/**
 * Batches and send grants through the real library (docs/protocol.md): Отправить under a grant
 * returns without waiting for the engine and Принять answers from a batch the engine sent along,
 * yet BSL sees exactly what it would see call by call — every message once, in order, with
 * ДвоичноеСообщение right after each Принять — and an Отправить after the connection ended fails
 * as before once the grant has lapsed. Message bodies cross as UTF-8, with the bytes on the
 * WebSocket the same as the engine's own encoding would make them. A server object that goes away in the middle of a batch
 * leaves the rest queued for the next one.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { BinaryData, BslError, out } from '../src/host/index.js';
import { CLIENT_TYPE, delay, SERVER_TYPE, useAddIn } from './support/addin.js';
import { ROOT } from './support/processes.js';

process.env.ONEC_WEBSOCKET_SERVER_GRACE_MS = '30000';

describe('batches and send grants through the native library', () => {
  const addin = useAddIn();

  it('300 messages sent without waiting come back complete and in order; ДвоичноеСообщение follows each Принять', () => {
    const client = addin.host.create(CLIENT_TYPE);
    try {
      client.call('Подключиться', addin.echo.url);
      const count = 300;
      const binary = (i: number): boolean => i % 3 === 2;
      for (let i = 0; i < count; i++) {
        const ok = binary(i) ? client.call('Отправить', new BinaryData([i & 0xff, i >> 8])) : client.call('Отправить', `сообщение ${i} 😀`);
        assert.equal(ok, true);
      }
      for (let i = 0; i < count; i++) {
        const Данные = out();
        assert.equal(client.call('Принять', 10_000, Данные), true, `message ${i}`);
        if (binary(i)) {
          assert.ok(Данные.value instanceof BinaryData, `message ${i} is binary`);
          assert.deepEqual([...(Данные.value as BinaryData).bytes], [i & 0xff, i >> 8]);
        } else {
          assert.equal(Данные.value, `сообщение ${i} 😀`);
        }
        assert.equal(client.get('ДвоичноеСообщение'), binary(i), `ДвоичноеСообщение after message ${i}`);
      }
      const nothing = out();
      assert.equal(client.call('Принять', 100, nothing), false);
      assert.equal(nothing.value, '');
    } finally {
      client.destroy();
    }
    addin.host.assertClean();
  });

  it('message bodies cross to the engine as UTF-8: every plane, NUL, and a lone surrogate as U+FFFD (as Node encodes it)', () => {
    const client = addin.host.create(CLIENT_TYPE);
    try {
      client.call('Подключиться', addin.echo.url);
      const texts = ['ascii', 'Ёлка ЙЦУКЕН', '€ ह 中文', '😀𝄞 astral', 'a\u0000b', '', 'x'.repeat(70_000) + 'ж'];
      for (const text of texts) assert.equal(client.call('Отправить', text), true);
      assert.equal(client.call('Отправить', 'lone \ud800 high, lone \udc00 low'), true);
      for (const text of texts) {
        const Данные = out();
        assert.equal(client.call('Принять', 10_000, Данные), true);
        assert.equal(Данные.value, text);
      }
      const Данные = out();
      assert.equal(client.call('Принять', 10_000, Данные), true);
      assert.equal(Данные.value, Buffer.from('lone \ud800 high, lone \udc00 low', 'utf8').toString('utf8'));
      assert.equal(Данные.value, 'lone \ufffd high, lone \ufffd low');
    } finally {
      client.destroy();
    }
  });

  it('Отправить after the server closed the connection fails once the grant has lapsed', async () => {
    const server = addin.host.create(SERVER_TYPE);
    const client = addin.host.create(CLIENT_TYPE);
    try {
      server.call('Запустить', '127.0.0.1', 0);
      client.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}`);
      assert.equal(client.call('Отправить', 'привет'), true);
      const id = out(0);
      assert.equal(server.call('Принять', 5000, id, out()), true);
      assert.equal(server.call('Отключить', id.value as number), true);
      while (server.get('Соединения') !== '') await delay(10);
      await delay(300); // longer than a grant lives (20 ms), with no call on the client meanwhile
      assert.throws(
        () => client.call('Отправить', 'слишком поздно'),
        (e: unknown) => e instanceof BslError && /закрыто|не подключ/i.test(e.message),
      );
      assert.notEqual(client.get('Статус'), 1);
    } finally {
      client.destroy();
      server.destroy();
    }
  });

  it('a server object that goes away in the middle of a batch leaves the rest queued for the next object', async () => {
    const first = addin.host.create(SERVER_TYPE);
    first.set('Владелец', 'File="/srv/1c/base";'); // only a server with an owner is parked
    first.call('Запустить', '127.0.0.1', 0);
    const port = first.get('Порт') as number;
    // an external client that sends five messages and then stays connected
    const script = `const W = require(${JSON.stringify(`${ROOT}node_modules/ws`)}); const ws = new W('ws://127.0.0.1:${port}');
      ws.on('open', () => { for (let i = 1; i <= 5; i++) ws.send('m' + i); console.log('sent'); });
      process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
    const sender: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => sender.stdout?.once('data', () => resolve()));
      // wait until all five are queued, so the first Принять brings the other four along
      while ((JSON.parse(first.get('Состояние') as string) as { queuedMessages: number }).queuedMessages < 5) await delay(10);
      const got: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const Данные = out();
        assert.equal(first.call('Принять', 5000, out(0), Данные), true);
        got.push(Данные.value);
      }
      assert.deepEqual([...got], ['m1', 'm2']);
      first.destroy(); // no Остановить: the server is parked with what BSL has not taken
      const second = addin.host.create(SERVER_TYPE);
      try {
        second.set('Владелец', 'File="/srv/1c/base";');
        second.call('Запустить', '127.0.0.1', port);
        for (let i = 0; i < 3; i++) {
          const Данные = out();
          assert.equal(second.call('Принять', 5000, out(0), Данные), true);
          got.push(Данные.value);
        }
        assert.deepEqual(got, ['m1', 'm2', 'm3', 'm4', 'm5']);
        second.call('Остановить');
      } finally {
        second.destroy();
      }
    } finally {
      sender.stdin?.end();
    }
  });
});

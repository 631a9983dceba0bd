/**
 * Out-parameters and text through the real library and engine: Данные and ИДКлиента are written
 * back into the caller's variables; on a timeout Данные becomes "" and the result is Ложь; Cyrillic,
 * emoji, astral-plane characters and embedded NULs survive client → echo (another process) → client
 * and client → our own server → client, exactly, unit for unit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BinaryData, out, type AddInObject } from '../src/host/index.js';
import { CLIENT_TYPE, SERVER_TYPE, useAddIn } from './support/addin.js';

const TEXTS: ReadonlyArray<[string, string]> = [
  ['Cyrillic', 'Привет, мир! Ёлка, ЙЦУКЕН, ъыь'],
  ['the document\'s sample', 'ase1ЦУ'],
  ['emoji (surrogate pairs)', '😀🎉👍🏽 — 👨‍👩‍👧'],
  ['astral plane 𝄞', '𝄞 G clef, 𝕏, 𠀀'],
  ['embedded NUL', 'a\u0000b\u0000\u0000c'],
  ['only NUL', '\u0000'],
  ['leading and trailing NUL around Cyrillic', '\u0000Ж\u0000'],
  ['empty string', ''],
  ['everything at once', 'Ж😀\u0000𝄞\r\n\t"\'\\ end'],
  ['long (200 000 units, mixed planes)', 'Щ𝄞\u0000x'.repeat(40_000)],
];

/** UTF-16 code units, for an exact comparison with a readable failure. */
const units = (s: string): number[] => [...Array(s.length).keys()].map((i) => s.charCodeAt(i));

function assertSame(actual: unknown, expected: string, what: string): void {
  assert.equal(typeof actual, 'string', what);
  const a = actual as string;
  assert.equal(a.length, expected.length, `${what}: length`);
  if (a !== expected) assert.deepEqual(units(a).slice(0, 200), units(expected).slice(0, 200), what);
  assert.equal(a, expected, what);
}

describe('out-parameters and text through the native library', () => {
  const addin = useAddIn();

  describe('client → echo server (another process) → client', () => {
    let client: AddInObject;
    before(() => {
      client = addin.host.create(CLIENT_TYPE);
      client.call('Подключиться', addin.echo.url);
    });
    after(() => client?.destroy());

    for (const [label, text] of TEXTS) {
      it(`round-trips ${label} exactly`, () => {
        assert.equal(client.call('Отправить', text), true);
        const data = out('прежнее значение');
        assert.equal(client.call('Принять', 5000, data), true);
        assertSame(data.value, text, label);
      });
    }

    it('any text round-trips (fast-check, 300 cases): every unit kept, a lone surrogate becomes U+FFFD', () => {
      // The library encodes UTF-16 to UTF-8 and decodes what comes back a word at a time over ASCII
      // runs: runs of every length around the 4- and 8-unit words, between any other characters.
      const piece = fc.oneof(
        fc.integer({ min: 0, max: 40 }).map((n) => 'abcdefghijklmnopqrstuvwxyz0123456789 {}:"'.slice(0, n)),
        fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
        fc.integer({ min: 0x10000, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
        fc.constantFrom('\u0000', '\u007f', '\u0080', 'Ж', '\u07ff', '\u0800', '\uffff', '\ud800', '\udfff'),
      );
      const wellFormed = (t: string): string => t.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
          const text = pieces.join('');
          assert.equal(client.call('Отправить', text), true);
          const data = out('');
          assert.equal(client.call('Принять', 5000, data), true);
          assertSame(data.value, wellFormed(text), JSON.stringify(text));
        }),
        { seed: 20_261_126, numRuns: 300 },
      );
    });

    it('large messages of shrinking and growing sizes, binary and text, in turn: each exactly itself', () => {
      // the library reuses the memory of the last large request and response: a shorter message
      // after a longer one must not carry the longer one's tail, nor a longer one stale bytes
      const sizes = [300_000, 100_000, 70_000, 450_000, 65_000, 300_001];
      sizes.forEach((size, n) => {
        const bytes = Buffer.alloc(size, n + 1);
        bytes.writeUInt32LE(size, 0);
        bytes[size - 1] = 0xa5;
        assert.equal(client.call('Отправить', new BinaryData(bytes)), true);
        const data = out('');
        assert.equal(client.call('Принять', 10_000, data), true);
        assert.ok(data.value instanceof BinaryData, `${size}: BinaryData`);
        assert.ok(Buffer.from((data.value as BinaryData).bytes).equals(bytes), `${size} bytes back exactly`);
        const text = `${String.fromCharCode(0x410 + n)}${'x'.repeat(size / 2 - 2)}Ж`;
        assert.equal(client.call('Отправить', text), true);
        assert.equal(client.call('Принять', 10_000, data), true);
        assertSame(data.value, text, `text of ${text.length} units`);
      });
    });

    it('on a timeout Данные becomes "" and the result is Ложь, whatever the variable held', () => {
      for (const previous of ['прежнее', 12345, true, new BinaryData([1, 2, 3]), new Date(Date.UTC(2020, 0, 1)), null, undefined]) {
        const data = out(previous);
        const started = Date.now();
        assert.equal(client.call('Принять', 150, data), false);
        assert.ok(Date.now() - started >= 140, 'waited for the timeout');
        assert.equal(data.value, '', `previous value ${String(previous)}`);
      }
    });

    it('the English name writes Data back the same way', () => {
      client.call('Send', '𝄞 en');
      const data = out(0);
      assert.equal(client.call('Receive', 5000, data), true);
      assert.equal(data.value, '𝄞 en');
      const empty = out('x');
      assert.equal(client.call('Receive', 50, empty), false);
      assert.equal(empty.value, '');
    });

    it('several queued messages come out in order, one per call', () => {
      const sent = TEXTS.slice(0, 6).map(([, t]) => t);
      for (const t of sent) client.call('Отправить', t);
      for (const t of sent) {
        const data = out('');
        assert.equal(client.call('Принять', 5000, data), true);
        assertSame(data.value, t, 'in order');
      }
      const rest = out('x');
      assert.equal(client.call('Принять', 100, rest), false);
      assert.equal(rest.value, '');
    });
  });

  describe('client → our own server → client (all objects in one emulator)', () => {
    let server: AddInObject;
    let client: AddInObject;
    before(() => {
      server = addin.host.create(SERVER_TYPE);
      server.call('Запустить', '127.0.0.1', 0);
      client = addin.host.create(CLIENT_TYPE);
      client.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}/path`);
    });
    after(() => {
      client?.destroy();
      server?.destroy();
    });

    for (const [label, text] of TEXTS) {
      it(`round-trips ${label} exactly, with ИДКлиента written back`, () => {
        assert.equal(client.call('Отправить', text), true);
        const id = out('не число');
        const data = out(new BinaryData([9]));
        assert.equal(server.call('Принять', 5000, id, data), true);
        assert.equal(id.value, 1);
        assertSame(data.value, text, `server got ${label}`);
        assert.equal(server.call('Отправить', id.value as number, data.value as string), true);
        const back = out('');
        assert.equal(client.call('Принять', 5000, back), true);
        assertSame(back.value, text, `client got ${label} back`);
      });
    }

    it('on a timeout the server writes ИДКлиента = 0 and Данные = "" and returns Ложь', () => {
      const id = out(7);
      const data = out('прежнее');
      assert.equal(server.call('Принять', 100, id, data), false);
      assert.equal(id.value, 0);
      assert.equal(data.value, '');
    });

    it('a second client gets id 2, written back as a Number', () => {
      const second = addin.host.create(CLIENT_TYPE);
      try {
        second.call('Подключиться', `ws://127.0.0.1:${server.get('Порт') as number}/`);
        second.call('Отправить', 'второй 😀');
        const id = out();
        const data = out();
        assert.equal(server.call('Получить', 5000, id, data), true);
        assert.equal(id.value, 2);
        assert.equal(data.value, 'второй 😀');
      } finally {
        second.destroy();
      }
    });
  });

  it('leaves the emulator\'s memory manager clean (every out-parameter freed once)', () => {
    addin.host.close();
    addin.host.assertClean();
    assert.equal(addin.host.memory.liveAllocations().length, 0);
    assert.ok(addin.host.memory.stats.componentAllocations > 0 && addin.host.memory.stats.frees > 0);
  });
});

/**
 * `npm start` equivalence: the document's ВыполнитьПолноеТестированиеКомпоненты() (section 5) run
 * by our CLI through the host emulator against the real native library and a real engine, exactly
 * as `npm start` runs it (minus the build check), in its own engine directory.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { isolateEngine } from './support/addin.js';
import { CLI, run } from './support/processes.js';

describe('npm start (full-test) through the native library', () => {
  const sandbox = isolateEngine({ idleMs: 1000 });
  after(() => sandbox.cleanup());

  it('prints both steps of the document as passed and exits 0', async () => {
    // the child inherits ONEC_WEBSOCKET_DIR: its library starts an engine in the sandbox
    const result = await run(process.execPath, [CLI, 'full-test'], 60_000);
    const lines = result.stdout.split('\n');
    const context = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    assert.ok(lines.includes('Тестирование Шаг 1. Успешно пройдено'), context);
    assert.ok(lines.includes('Тестирование Шаг 2. Успешно пройдено'), context);
    assert.ok(
      lines.indexOf('Тестирование Шаг 1. Успешно пройдено') < lines.indexOf('Тестирование Шаг 2. Успешно пройдено'),
      context,
    );
    assert.ok(!result.stdout.includes('ОШИБКА'), context);
    assert.equal(result.code, 0, context);
    // and its library used the sandbox, not the user's real engine directory
    const files = readdirSync(sandbox.dir);
    assert.ok(files.some((f) => /^engine-[0-9a-f]+\.mjs$/.test(f)), `engine bundle in ${sandbox.dir}: ${files.join(', ')}`);
  });
});

/**
 * Hosts that free an add-in object with C++ `delete` through its virtual destructor instead of
 * DestroyObject (docs/other-hosts.md): the C driver frees objects through every vptr's destructor
 * slots; each freeing must end the object's engine session, and under AddressSanitizer nothing may
 * leak or be freed twice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultLibraryPath } from '../src/cli/library-path.js';
import { destructorScript, DRIVER_CLEAN } from './support/destructors.js';
import { freePort } from './support/proc.js';
import { ROOT, run } from './support/processes.js';

describe('freeing through the virtual destructor (C driver)', () => {
  const work = mkdtempSync(join(tmpdir(), 'onec-ws-dtor-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  async function drive(driver: string, lib: string, runtime: string, extra: string[] = []) {
    const env = [`ONEC_WEBSOCKET_DIR=${join(work, runtime)}`, 'ONEC_WEBSOCKET_IDLE_MS=3000', ...extra];
    const r = await run('env', [...env, driver, lib, ...destructorScript(await freePort())], 240_000);
    return { ...r, context: `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}` };
  }

  it('delete through each of the four vptrs and the complete-object destructor end the session', async () => {
    const make = spawnSync('make', ['-s', '-C', `${ROOT}native`, 'driver'], { encoding: 'utf8' });
    assert.equal(make.status, 0, make.stdout + make.stderr);
    const r = await drive(`${ROOT}native/obj/driver`, defaultLibraryPath(), 'rt');
    for (const k of [0, 1, 2, 3]) assert.match(r.stdout, new RegExp(`^deleted through vptr ${k}$`, 'm'), r.context);
    assert.equal(r.stdout.match(/^ {3}param 3: s:close$/gm)?.length, 8, r.context);
    assert.match(r.stdout, DRIVER_CLEAN, r.context);
    assert.equal(r.code, 0, r.context);
  });

  it('under AddressSanitizer: no leak, no double free, no use after free', { timeout: 600_000 }, async () => {
    const make = spawnSync('make', ['-s', '-C', `${ROOT}native`, 'asan'], { encoding: 'utf8' });
    assert.equal(make.status, 0, make.stdout + make.stderr);
    const asan = `${ROOT}native/obj/asan`;
    const r = await drive(`${asan}/driver`, `${asan}/lib.so`, 'rt-asan', ['ASAN_OPTIONS=detect_leaks=1:halt_on_error=1']);
    assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error/, r.context);
    assert.match(r.stdout, DRIVER_CLEAN, r.context);
    assert.equal(r.code, 0, r.context);
  });
});

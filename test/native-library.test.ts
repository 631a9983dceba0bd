/** The native library on its own: the C host driver's end-to-end script (its ZIPs: release-zip.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT, run } from './support/processes.js';

describe('native library', () => {
  it('passes its C-driver end-to-end script (engine loss, destroy during Receive, start failures)', async () => {
    const result = await run('bash', [`${ROOT}native/test/e2e.sh`], 120_000);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^\d+ passed, 0 failed$/m);
  });
});

/** The native library on its own: the C host driver's end-to-end script, and the add-in ZIP. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { defaultLibraryPath, packageVersion } from '../src/cli/library-path.js';
import { ROOT, run } from './support/processes.js';

describe('native library', () => {
  it('passes its C-driver end-to-end script (engine loss, destroy during Receive, start failures)', async () => {
    const result = await run('bash', [`${ROOT}native/test/e2e.sh`], 120_000);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^\d+ passed, 0 failed$/m);
  });

  it('ships in a ZIP whose MANIFEST.XML names the versioned Linux x86_64 library', () => {
    const version = packageVersion();
    const zip = unzipSync(new Uint8Array(readFileSync(`${ROOT}build/onec-websocket_${version}.zip`)));
    const manifest = new TextDecoder().decode(zip['MANIFEST.XML']);
    const file = `onec-websocket_Linux_x86_64_${version}.so`;
    assert.match(manifest, /<bundle xmlns="http:\/\/v8\.1c\.ru\/8\.2\/addin\/bundle"/);
    assert.match(manifest, new RegExp(`<component os="Linux" path="${file.replace(/\./g, '\\.')}" type="native" arch="x86_64"/>`));
    // compared by hash: a diff of two ~30 MB buffers would take the assertion minutes to print
    const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
    assert.equal(sha256(zip[file] ?? new Uint8Array()), sha256(readFileSync(defaultLibraryPath())), `${file} in the ZIP is the built library`);
  });
});

/**
 * The built library's binary surface: exactly the five Native API entry points are exported, and
 * the C++ runtime is linked in statically (1C servers often have an older libstdc++ than ours).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LIBRARY } from './support/addin.js';

describe('the built library', () => {
  it('exports exactly GetClassNames, GetClassObject, DestroyObject, SetPlatformCapabilities, GetAttachType', () => {
    const output = execFileSync('nm', ['-D', '--defined-only', LIBRARY], { encoding: 'utf8' });
    const names = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const parts = l.trim().split(/\s+/);
        return parts[parts.length - 1] as string;
      })
      .sort();
    assert.deepEqual(names, ['DestroyObject', 'GetAttachType', 'GetClassNames', 'GetClassObject', 'SetPlatformCapabilities']);
    // each of them a function in the text section
    for (const line of output.split('\n').filter((l) => l.trim() !== '')) assert.match(line, /\sT\s/, line);
  });

  it('needs no libstdc++ (ldd)', () => {
    const output = execFileSync('ldd', [LIBRARY], { encoding: 'utf8' });
    assert.doesNotMatch(output, /libstdc\+\+/, output);
    assert.doesNotMatch(output, /libgcc_s/, output);
    assert.doesNotMatch(output, /not found/, output);
  });
});

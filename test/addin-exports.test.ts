/**
 * The built libraries' binary surface, for the self-contained build (it carries Node.js and a zstd
 * decoder) and the slim one alike: exactly the five Native API entry points are exported, and the
 * C++ runtime is linked in statically (1C servers often have an older libstdc++ than ours).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LIBRARY as SELF_CONTAINED, SLIM_LIBRARY } from './support/addin.js';
import { ROOT } from './support/processes.js';

/** "2.17" → [2, 17], compared part by part. */
function versionParts(version: string): number[] {
  return version.split('.').map(Number);
}
function newer(a: string, b: string): boolean {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
}

for (const [build, LIBRARY] of [['self-contained', SELF_CONTAINED], ['slim', SLIM_LIBRARY]] as const) {
  describe(`the built library (${build})`, () => {
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

    it('needs no glibc symbol version newer than the floor docs/native-library.md promises', () => {
      const doc = readFileSync(`${ROOT}docs/native-library.md`, 'utf8');
      const promises = [...doc.matchAll(/needs GLIBC_(\d+\.\d+) at most/g)].map((m) => m[1] as string);
      assert.ok(promises.length > 0, 'docs/native-library.md states the glibc floor');
      const floor = promises[0] as string;
      for (const p of promises) assert.equal(p, floor, 'the doc states one floor');
      const output = execFileSync('objdump', ['-T', LIBRARY], { encoding: 'utf8' });
      const needed = output.split('\n').flatMap((line) => {
        const m = /\(?GLIBC_(\d+(?:\.\d+)*)\)?\s+(\S+)$/.exec(line.trim());
        return m ? [{ version: m[1] as string, symbol: m[2] as string }] : [];
      });
      assert.ok(needed.length > 10, `objdump -T lists the glibc symbols the library imports:\n${output}`);
      const tooNew = needed.filter((n) => newer(n.version, floor)).map((n) => `${n.symbol}@GLIBC_${n.version}`);
      assert.deepEqual(tooNew, [], `symbols newer than GLIBC_${floor}`);
    });
  });
}

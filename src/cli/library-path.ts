import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: dist/src/cli/ is three levels below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { version: string };
  return pkg.version;
}

/** The native library built for this machine (Linux x86_64), versioned because 1C caches by file name. */
export function defaultLibraryPath(): string {
  return `${PACKAGE_ROOT}build/onec-websocket_Linux_x86_64_${packageVersion()}.so`;
}

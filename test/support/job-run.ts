/**
 * One run of a scheduled job, as in the document's section 6.3: a new 1C session attaches the
 * add-in, sets the server's Владелец to its infobase's connection string (as
 * examples/scheduled-job-server.bsl does), runs it on a fixed interface and port, answers what
 * arrived for a short while, and ends without Остановить(). Prints one JSON line: {answered, ids}.
 *
 *   node dist/test/support/job-run.js <port> <milliseconds> [<owner>]
 */
import { attachAddIn, out } from '../../src/host/index.js';
import { defaultLibraryPath } from '../../src/cli/library-path.js';

/** What СтрокаСоединенияИнформационнойБазы() returns in the job's infobase. */
export const JOB_OWNER = 'Srvr="1c-prod";Ref="Производство";';

export function jobRun(port: number, durationMs: number, owner = JOB_OWNER): { answered: number; ids: number[] } {
  const host = attachAddIn(defaultLibraryPath(), 'WebSocket');
  const Сервер = host.create('AddIn.WebSocket.Server');
  Сервер.set('Владелец', owner);
  Сервер.call('Запустить', '127.0.0.1', port);
  const ids = new Set<number>();
  let answered = 0;
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    const ИДКлиента = out(0);
    const Данные = out('');
    if (!Сервер.call('Принять', 50, ИДКлиента, Данные)) continue;
    ids.add(ИДКлиента.value as number);
    Сервер.call('Отправить', ИДКлиента.value as number, `ответ:${Данные.value as string}`);
    answered++;
  }
  Сервер.destroy(); // the session ends: no Остановить()
  host.close();
  host.assertClean();
  return { answered, ids: [...ids] };
}

if (process.argv[1]?.endsWith('job-run.js')) {
  const [port, duration, owner] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(jobRun(Number(port), Number(duration), owner))}\n`);
}

/**
 * `npm start`: the document's ВыполнитьПолноеТестированиеКомпоненты() (section 5), line by line,
 * through the 1C host emulator against the native library, printing what BSL's Сообщить would.
 * Step 1 runs against our own echo server (started as a separate process) instead of the retired
 * public echo service.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { attachAddIn, BslError, out, type AddInObject } from '../host/index.js';
import { defaultLibraryPath, PACKAGE_ROOT } from './library-path.js';

const Сообщить = (text: string): void => void process.stdout.write(`${text}\n`);

export async function runFullTest(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { library: { type: 'string' } } });
  const library = values.library ?? defaultLibraryPath();
  const echo = await startEcho();
  try {
    ВыполнитьПолноеТестированиеКомпоненты(library, echo.url);
    return 0;
  } catch (error) {
    Сообщить(`ОШИБКА: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    echo.stop();
  }
}

/** The procedure from the document, with its slips fixed (see docs/decisions.md). */
export function ВыполнитьПолноеТестированиеКомпоненты(ПутьКомпоненты: string, АдресСервера: string): void {
  // ШАГ1. ТЕСТ КЛИЕНТА ЧЕРЕЗ ВНЕШНИЙ СЕРВИС (наш эхо-сервер вместо echo.websocket.org)
  const Компонента = attachAddIn(ПутьКомпоненты, 'WebSocket');
  let Клиент: AddInObject | undefined = Компонента.create('AddIn.WebSocket.Client');
  const Подключить = (Объект: AddInObject, Адрес: string): void => {
    try {
      Объект.call('Подключиться', Адрес);
    } catch (Исключение) {
      const Описание = (Исключение as Error).message;
      const ТекстОшибки = Объект.call('ОписаниеОшибки') as string;
      throw new Error(`${Описание}: ${ТекстОшибки}`);
    }
  };
  Подключить(Клиент, АдресСервера);
  try {
    Клиент.call('Подключиться', АдресСервера);
    throw new Error('Повторное подключение не вызвало исключения');
  } catch (Исключение) {
    if (!(Исключение instanceof BslError)) throw Исключение;
    const ТекстОшибки = Клиент.call('ОписаниеОшибки') as string;
    if (!ТекстОшибки.includes('Подключение уже выполнено')) throw new Error(ТекстОшибки);
  }
  const ДанныеОтправки = 'ase1ЦУ';
  Клиент.call('Отправить', ДанныеОтправки);
  let Данные = out('');
  Клиент.call('Принять', 0, Данные);
  if (Данные.value !== ДанныеОтправки) throw new Error('Приняты не те данные которые отправлены');
  Данные = out('');
  const Принято = Клиент.call('Принять', 3000, Данные);
  if (Принято || Данные.value) throw new Error('Принято то что не должно приниматься');
  Клиент.call('Отключиться');
  Клиент.call('Отключиться');
  Клиент.destroy();
  Клиент = undefined;
  Сообщить('Тестирование Шаг 1. Успешно пройдено');

  // ШАГ 2. ТЕСТ СОБСТВЕННОГО СЕРВЕРА И СОБСТВЕННЫХ КЛИЕНТОВ
  const АдресПодключения = '127.0.0.1';
  const ПортПодключения = 9098;
  const Сервер = Компонента.create('AddIn.WebSocket.Server');
  try {
    Сервер.call('Запустить', АдресПодключения, ПортПодключения);
  } catch (Исключение) {
    throw new Error(`${(Исключение as Error).message}: ${Сервер.call('ОписаниеОшибки') as string}`);
  }
  const Клиент1 = Компонента.create('AddIn.WebSocket.Client');
  const Клиент2 = Компонента.create('AddIn.WebSocket.Client');
  const СтрокаПодключения = `ws://${АдресПодключения}:${ПортПодключения}`;
  try {
    Клиент1.call('Подключиться', `${СтрокаПодключения}/first`);
    Клиент2.call('Подключиться', `${СтрокаПодключения}/testadr`);
  } catch (Исключение) {
    Сервер.call('Остановить');
    const ТекстОшибки = `${Клиент1.call('ОписаниеОшибки') as string}${Клиент2.call('ОписаниеОшибки') as string}`;
    throw new Error(`${(Исключение as Error).message}: ${ТекстОшибки}`);
  }
  Сообщить(`Текущие соединения: ${Сервер.get('Соединения') as string}`);
  Клиент1.call('Отправить', 'ase1ЙЦУ');
  const ДанныеСервера = out('');
  const ИДКлиента = out(0);
  const ПринятоСервером = Сервер.call('Принять', 0, ИДКлиента, ДанныеСервера);
  if (!ПринятоСервером || ДанныеСервера.value !== 'ase1ЙЦУ' || ИДКлиента.value !== 1) {
    throw new Error(`Сервер принял не то: ${String(ИДКлиента.value)} ${String(ДанныеСервера.value)}`);
  }
  Сообщить(`Принят пакет данных от ${String(ИДКлиента.value)}: ${String(ДанныеСервера.value)}`);
  const Результат = Сервер.call('Отключить', ИДКлиента.value as number);
  if (Результат !== true) throw new Error('Отключить вернул Ложь для открытого соединения');
  Клиент1.destroy();
  Клиент2.destroy();
  // The document ends with `Сервер = Неопределено`. This server has no Владелец, so that alone would
  // stop it and free port 9098 (only a server with an owner is parked: docs/infobases.md); Остановить()
  // says so explicitly.
  Сервер.call('Остановить');
  Сервер.destroy();
  Сообщить('Тестирование Шаг 2. Успешно пройдено');
  Компонента.close();
  Компонента.assertClean();
}

async function startEcho(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [`${PACKAGE_ROOT}dist/src/cli/main.js`, 'echo', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /listening on (\S+)/.exec(line);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

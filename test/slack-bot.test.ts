/**
 * The Slack Socket Mode bot (examples/slack-socket-mode-bot.bsl, document section 6.1) through the
 * 1C host emulator and the real native library, against a local fake Slack in its own process
 * (test/support/fake-slack.ts): nothing here reaches the internet.
 *
 * `ЗапуститьБотаSlack` below is the BSL procedure line by line; BSL's HTTPСоединение is `httpSync`
 * (a child process), since the add-in calls block this event loop just as they block 1C's thread.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddInHost } from '../src/host/index.js';
import { out } from '../src/host/index.js';
import { attach, CLIENT_TYPE, isolateEngine, type EngineSandbox } from './support/addin.js';
import { CHANNEL, SCRIPT } from './support/fake-slack.js';
import { httpSync, type HttpSyncResponse } from './support/http-sync.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';
import { waitFor } from './support/wait.js';

const APP_TOKEN = 'xapp-1-A0APP00001-0000000000000-fake';
const BOT_TOKEN = 'xoxb-0000000000-0000000000000-fake';

type Json = Record<string, unknown>;
interface SlackEvent {
  ev: string;
  connection?: number;
  id?: string;
  text?: string;
  channel?: string;
  contentType?: string;
  code?: number;
  unacked?: string[];
  step?: { kind: string; text?: string };
}

describe('Slack Socket Mode bot (document 6.1) through the host emulator', () => {
  let sandbox: EngineSandbox;
  let slack: Peer;
  let host: AddInHost;
  const messages: string[] = []; // what Сообщить showed
  const events = (): SlackEvent[] => slack.lines.map((l) => JSON.parse(l) as SlackEvent);

  before(async () => {
    sandbox = isolateEngine();
    slack = await startPeer(process.execPath, [`${ROOT}dist/test/support/fake-slack.js`, APP_TOKEN, BOT_TOKEN], /"ev":"ready"/);
    host = attach();
  });

  after(async () => {
    host?.close();
    await slack?.stop();
    sandbox?.cleanup();
  });

  function ЗапуститьБотаSlack(ТокенПриложения: string, ТокенБота: string, АдресAPI: string, ПортAPI: number): void {
    const КлючевоеСлово = 'go away!';
    const ТаймаутОжидания = 10000;
    const deadline = Date.now() + 30_000; // not in the BSL: a test must not spin forever

    const Клиент = host.create(CLIENT_TYPE);

    let Работать = true;
    let ПодключенийПодряд = 0;

    while (Работать) {
      ПодключенийПодряд = ПодключенийПодряд + 1;
      if (ПодключенийПодряд > 5) throw new Error('Slack закрывает соединения одно за другим; бот остановлен');

      const АдресСокета = ОткрытьСоединениеSocketMode(ТокенПриложения, АдресAPI, ПортAPI);

      try {
        Клиент.call('Подключиться', АдресСокета);
      } catch (error) {
        throw new Error(`${(error as Error).message}: ${Клиент.call('ОписаниеОшибки') as string}`);
      }

      for (;;) {
        assert.ok(Date.now() < deadline, 'the bot loop ran for 30 s');
        const Данные = out('');
        if (!Клиент.call('Принять', ТаймаутОжидания, Данные)) {
          if (Клиент.get('Статус') === 1) continue;
          break;
        }

        const Конверт = JSON.parse(Данные.value as string) as Json;
        const Тип = Конверт.type;

        const ИДКонверта = Конверт.envelope_id;
        if (typeof ИДКонверта === 'string' && ИДКонверта !== '') {
          Клиент.call('Отправить', JSON.stringify({ envelope_id: ИДКонверта }));
        }

        if (Тип === 'hello') {
          messages.push('Бот подключился к Slack');
        } else if (Тип === 'disconnect') {
          if (Конверт.reason === 'link_disabled') {
            messages.push('Socket Mode выключен в настройках приложения Slack');
            Работать = false;
          }
          break;
        } else if (Тип === 'events_api') {
          ПодключенийПодряд = 0;
          const Событие = (Конверт.payload as Json).event as Json;

          if (Событие.type !== 'message' || Событие.bot_id !== undefined || Событие.subtype !== undefined) continue;

          const Текст = Событие.text as string;
          const Канал = Событие.channel as string;

          if (Текст.trim().toLocaleLowerCase('ru') === КлючевоеСлово.toLocaleLowerCase('ru')) {
            ОтправитьСообщениеВSlack(ТокенБота, Канал, 'ok. bye-bye )))', АдресAPI, ПортAPI);
            messages.push('Меня отключили');
            Работать = false;
            break;
          }

          messages.push(Текст);
          ОтправитьСообщениеВSlack(ТокенБота, Канал, `Получил: ${Текст}`, АдресAPI, ПортAPI);
        }
      }

      Клиент.call('Отключиться');
    }

    Клиент.destroy(); // Клиент = Неопределено
  }

  function ОткрытьСоединениеSocketMode(ТокенПриложения: string, АдресAPI: string, ПортAPI: number): string {
    const Ответ = httpSync({
      method: 'POST',
      url: `http://${АдресAPI}:${ПортAPI}/api/apps.connections.open`,
      headers: { Authorization: `Bearer ${ТокенПриложения}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const Результат = ОтветAPI(Ответ, 'apps.connections.open');
    return Результат.url as string;
  }

  function ОтправитьСообщениеВSlack(ТокенБота: string, Канал: string, Текст: string, АдресAPI: string, ПортAPI: number): void {
    const Ответ = httpSync({
      method: 'POST',
      url: `http://${АдресAPI}:${ПортAPI}/api/chat.postMessage`,
      headers: { Authorization: `Bearer ${ТокенБота}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: Канал, text: Текст }),
    });
    ОтветAPI(Ответ, 'chat.postMessage');
  }

  function ОтветAPI(Ответ: HttpSyncResponse, Метод: string): Json {
    if (Ответ.status !== 200) throw new Error(`Slack ${Метод}: HTTP ${Ответ.status}`);
    const Результат = JSON.parse(Ответ.body) as Json;
    if (Результат.ok !== true) throw new Error(`Slack ${Метод}: ${String(Результат.error)}`);
    return Результат;
  }

  it('acknowledges every envelope, answers people through chat.postMessage, reconnects on disconnect, leaves on the keyword', async () => {
    const { port } = new URL(JSON.parse(slack.lines[0] as string).url as string);
    ЗапуститьБотаSlack(APP_TOKEN, BOT_TOKEN, '127.0.0.1', Number(port));

    // the fake logs the bot's hang-up of the second connection once this event loop runs again
    await waitFor(() => events().filter((e) => e.ev === 'close').length === 2, 5000, 'both connections to close');
    const log = events();

    // two single-use socket addresses: one at the start, one after the disconnect envelope
    assert.equal(log.filter((e) => e.ev === 'connections.open').length, 2);
    assert.equal(log.filter((e) => e.ev === 'open').length, 2);

    // every envelope acknowledged, in order, on its own connection; nothing else sent on the socket
    const sent = log.filter((e) => e.ev === 'sent' && e.id !== undefined);
    const acked = log.filter((e) => e.ev === 'ack');
    const last = sent.at(-1) as SlackEvent;
    assert.equal(last.step?.text, 'ещё тут?', 'the fake sent one more message after the keyword');
    assert.deepEqual(
      acked.map((e) => [e.connection, e.id]),
      sent.slice(0, -1).map((e) => [e.connection, e.id]),
      'each envelope before the keyword is acknowledged once',
    );
    assert.deepEqual(log.filter((e) => ['bad-ack', 'missing-ack', 'refused', 'refused-socket'].includes(e.ev)), []);

    // replies to people (not to the bot's own message), then the farewell; each in the event's channel
    const posts = log.filter((e) => e.ev === 'post');
    assert.deepEqual(
      posts.map((e) => e.text),
      ['Получил: привет, 1С', 'Получил: как дела? 😀', 'Получил: после переподключения', 'ok. bye-bye )))'],
    );
    for (const p of posts) {
      assert.equal(p.channel, CHANNEL);
      assert.equal(p.contentType, 'application/json; charset=utf-8');
    }

    // connection 1 ended by the bot after the disconnect envelope; connection 2 after the keyword,
    // leaving only the message that came after it unacknowledged
    const closes = log.filter((e) => e.ev === 'close');
    assert.deepEqual(closes.map((e) => [e.connection, e.code]), [[1, 1000], [2, 1000]]);
    assert.deepEqual(closes[0]?.unacked, []);
    assert.deepEqual(closes[1]?.unacked, [last.id]);

    assert.deepEqual(messages, [
      'Бот подключился к Slack',
      'привет, 1С',
      'как дела? 😀',
      'Бот подключился к Slack',
      'после переподключения',
      'Меня отключили',
    ]);
    assert.equal(SCRIPT.length, 2);
    host.assertClean();
  });

  it('gets a refusal from the Web API when the tokens are swapped (so the checks above mean something)', () => {
    const { port } = new URL(JSON.parse(slack.lines[0] as string).url as string);
    assert.throws(() => ОткрытьСоединениеSocketMode(BOT_TOKEN, '127.0.0.1', Number(port)), /Slack apps\.connections\.open: not_allowed_token_type/);
    assert.throws(() => ОтправитьСообщениеВSlack(APP_TOKEN, CHANNEL, 'x', '127.0.0.1', Number(port)), /Slack chat\.postMessage: not_allowed_token_type/);
  });
});

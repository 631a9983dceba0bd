/**
 * The web page client (document section 6.2) in a real browser: examples/web-client/index.html,
 * served by a static server in its own process, opened in Debian's Chromium (playwright-core),
 * talks to a server the add-in runs through the 1C host emulator (examples/web-client/server.bsl,
 * mirrored line by line in `ОтвечатьВебСтранице`). Over ws, and over wss with a test certificate.
 *
 * Sequencing: add-in calls block this event loop, and playwright talks to the browser through it.
 * So each scenario starts the server, navigates until the page is committed (from then on the
 * browser loads the script, connects and sends on its own, talking only to the static server and
 * the engine — both other processes), then makes the blocking 1C calls, and only afterwards awaits
 * what the page shows.
 *
 * TLS trust: Chromium is started with --ignore-certificate-errors-spki-list=<base64 SHA-256 of the
 * server certificate's SubjectPublicKeyInfo>, which makes it accept exactly that key and no other
 * (the same hash `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst
 * -sha256 -binary | base64` prints). It needs no NSS database or certutil; playwright always passes
 * a fresh --user-data-dir, which Chromium requires for the flag to apply. A browser started without
 * it refuses the same server, which the last case shows.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { out, type AddInHost } from '../src/host/index.js';
import { attach, isolateEngine, SERVER_TYPE, type EngineSandbox } from './support/addin.js';
import { testCertificates } from './support/certs.js';
import { ROOT, startPeer, type Peer } from './support/processes.js';

const ARTIFACTS = `${ROOT}test-artifacts/`;
const CHROMIUM_ARGS = [
  '--no-sandbox', // tests run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
];

function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** base64(SHA-256(SubjectPublicKeyInfo DER)): what --ignore-certificate-errors-spki-list takes. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

interface Outcome {
  /** Принято, ИДКлиента, Данные, Сервер.Соединения at the time of the message */
  received: boolean;
  id: unknown;
  data: unknown;
  connections: unknown;
  /** Сервер.Соединения after the page was given time to leave */
  connectionsAfter: unknown;
  /** the page's #output paragraphs */
  shown: string[];
}

describe('web page client (document 6.2) in Chromium', () => {
  let sandbox: EngineSandbox;
  let statics: Peer;
  let pages: string;
  let host: AddInHost;
  let browser: Browser;
  let trusting: Browser;
  const certs = testCertificates();

  before(async () => {
    sandbox = isolateEngine();
    mkdirSync(ARTIFACTS, { recursive: true });
    statics = await startPeer(process.execPath, [`${ROOT}dist/test/support/static-server.js`, `${ROOT}examples/web-client`], /listening on (\S+)/);
    pages = statics.ready[1] as string;
    [browser, trusting] = await Promise.all([launch(), launch([`--ignore-certificate-errors-spki-list=${spkiHash(certs.certFile)}`])]);
    host = attach();
  });

  after(async () => {
    await Promise.all([browser?.close(), trusting?.close()]);
    host?.close();
    await statics?.stop();
    sandbox?.cleanup();
  });

  /**
   * examples/web-client/server.bsl, ОтвечатьВебСтранице, with the page opened between Запустить
   * and Принять (in 1C the user opens it). Port 0: the system picks a free port, Порт tells which.
   */
  async function ОтвечатьВебСтранице(page: Page, address: (port: number) => string, ФайлСертификата = '', ФайлКлюча = '', Таймаут = 10000): Promise<Outcome> {
    const Сервер = host.create(SERVER_TYPE);
    try {
      if (ФайлСертификата !== '') Сервер.call('Запустить', '127.0.0.1', 0, ФайлСертификата, ФайлКлюча);
      else Сервер.call('Запустить', '127.0.0.1', 0);
    } catch (error) {
      throw new Error(`${(error as Error).message}: ${Сервер.call('ОписаниеОшибки') as string}`);
    }

    await page.goto(`${pages}index.html?${address(Сервер.get('Порт') as number)}`, { waitUntil: 'commit' });
    // from here until the end of this function, the event loop is blocked by add-in calls

    const Данные = out('');
    const ИДКлиента = out(0);
    const outcome: Outcome = { received: false, id: undefined, data: undefined, connections: undefined, connectionsAfter: undefined, shown: [] };

    if (Сервер.call('Принять', Таймаут, ИДКлиента, Данные)) {
      outcome.received = true;
      outcome.id = ИДКлиента.value;
      outcome.data = Данные.value;
      outcome.connections = Сервер.get('Соединения');
      Сервер.call('Отправить', ИДКлиента.value as number, `1С получил: ${Данные.value as string}`);
    }

    for (let Шаг = 1; Шаг <= 50; Шаг++) {
      if (Сервер.get('Соединения') === '') break;
      Сервер.call('Принять', 100, out(0), out(''));
    }
    outcome.connectionsAfter = Сервер.get('Соединения');

    Сервер.call('Остановить');
    Сервер.destroy();

    // the event loop runs again: now wait for what the page shows
    await page.locator('#output p', { hasText: 'DISCONNECTED' }).waitFor({ timeout: 10_000 });
    outcome.shown = await page.locator('#output p').allInnerTexts();
    return outcome;
  }

  async function expectConversation(outcome: Outcome): Promise<void> {
    assert.equal(outcome.received, true, `the 1C side got nothing; the page showed: ${outcome.shown.join(' / ')}`);
    assert.equal(outcome.data, 'WebSocket rocks');
    assert.equal(outcome.id, 1, 'the page is the first connection of a new server');
    assert.match(String(outcome.connections), /^1: 127\.0\.0\.1:\d+$/);
    assert.equal(outcome.connectionsAfter, '', 'the page closed its connection after the answer');
    assert.deepEqual(outcome.shown, ['CONNECTED', 'SENT: WebSocket rocks', 'RESPONSE: 1С получил: WebSocket rocks', 'DISCONNECTED']);
  }

  it('ws: the page sends "WebSocket rocks", 1C receives it with the client id and answers, the page shows the answer and closes', async () => {
    const page = await browser.newPage();
    const outcome = await ОтвечатьВебСтранице(page, (port) => `port=${port}`);
    await page.screenshot({ path: `${ARTIFACTS}web-client-ws.png` });
    await page.close();
    await expectConversation(outcome);
    host.assertClean();
  });

  it('wss: the same with the add-in serving TLS (certificate + key files) to a browser told to trust that key', async () => {
    const page = await trusting.newPage();
    const outcome = await ОтвечатьВебСтранице(page, (port) => `url=wss://127.0.0.1:${port}`, certs.certFile, certs.keyFile);
    await page.screenshot({ path: `${ARTIFACTS}web-client-wss.png` });
    await page.close();
    await expectConversation(outcome);
    host.assertClean();
  });

  it('wss: a browser not told to trust the test certificate refuses the server (so the trust above is what made it work)', async () => {
    const page = await browser.newPage();
    const outcome = await ОтвечатьВебСтранице(page, (port) => `url=wss://127.0.0.1:${port}`, certs.certFile, certs.keyFile, 2000);
    await page.screenshot({ path: `${ARTIFACTS}web-client-wss-untrusted.png` });
    await page.close();
    assert.equal(outcome.received, false);
    assert.equal(outcome.connectionsAfter, '');
    assert.deepEqual(outcome.shown, ['ERROR: undefined', 'DISCONNECTED']);
    host.assertClean();
  });
});

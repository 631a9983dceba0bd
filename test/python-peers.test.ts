import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, Server } from '../src/index.js';
import { testCertificates } from './support/certs.js';
import { PYTHON, run, startPeer, type Peer } from './support/processes.js';

const peers = fileURLToPath(new URL('../../test/peers/', import.meta.url));
const TEXTS = ['ase1ЦУ', 'ase1ЙЦУ', 'emoji 😀 и 𝄞', 'x'.repeat(100_000)];

describe('our Client against python3-websockets servers', () => {
  const certs = testCertificates();
  let plain: Peer;
  let secure: Peer;
  let closing: Peer;
  before(async () => {
    plain = await startPeer(PYTHON, [`${peers}py_echo_server.py`], /READY (\d+)/);
    secure = await startPeer(PYTHON, [`${peers}py_echo_server.py`, '--cert', certs.certFile, '--key', certs.keyFile], /READY (\d+)/);
    closing = await startPeer(PYTHON, [`${peers}py_echo_server.py`, '--close-after', '2'], /READY (\d+)/);
  });
  after(async () => {
    await Promise.all([plain.stop(), secure.stop(), closing.stop()]);
  });

  for (const [name, scheme, options] of [
    ['ws://', 'ws', {}],
    ['wss:// with a test CA', 'wss', { tls: { ca: certs.caPem } }],
  ] as const) {
    it(`round trips over ${name}`, async () => {
      const peer = scheme === 'ws' ? plain : secure;
      const client = new Client(options);
      await client.connect(`${scheme}://127.0.0.1:${peer.ready[1]}/path?q=1`);
      assert.equal(client.status, 1);
      for (const text of TEXTS) client.send(text);
      for (const text of TEXTS) assert.deepEqual(await client.receive(5000), { received: true, value: text });
      client.send(Buffer.from([0, 1, 2, 255]));
      const binary = await client.receive(5000);
      assert.ok(binary.received && Buffer.isBuffer(binary.value));
      assert.deepEqual([...binary.value], [0, 1, 2, 255]);
      await client.disconnect();
      assert.equal(client.status, 0);
    });
  }

  it('ends the Receive loop when the python server closes cleanly, after delivering what it sent', async () => {
    const client = new Client();
    await client.connect(`ws://127.0.0.1:${closing.ready[1]}/`);
    client.send('a');
    client.send('b');
    const got: string[] = [];
    for (;;) {
      const taken = await client.receive(0);
      if (!taken.received) break;
      got.push(taken.value as string);
    }
    assert.deepEqual(got, ['a', 'b']);
    assert.equal(client.status, 0);
    assert.equal(client.closeInfo?.code, 1000);
  });
});

describe('python3-websockets clients against our Server', () => {
  const certs = testCertificates();

  for (const tls of [false, true]) {
    it(`serves a python client over ${tls ? 'wss' : 'ws'}`, async () => {
      const server = new Server();
      if (tls) await server.run('127.0.0.1', 0, certs.combinedEncryptedFile, certs.password);
      else await server.run('127.0.0.1', 0);
      const url = `${tls ? 'wss' : 'ws'}://127.0.0.1:${server.port}/py`;
      const finished = run(PYTHON, [`${peers}py_client.py`, url, ...TEXTS.slice(0, 3), '--ca', certs.caFile]);
      const answered: string[] = [];
      for (let i = 0; i < 3; i++) {
        const taken = await server.receive(10_000);
        assert.ok(taken.received, `message ${i} arrived`);
        assert.equal(taken.value.id, 1);
        answered.push(`echo:${taken.value.data as string}`);
        assert.equal(server.send(taken.value.id, `echo:${taken.value.data as string}`), true);
      }
      const result = await finished;
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.equal(lines[0], 'OPEN');
      assert.deepEqual(lines.slice(1, 4).map((l) => JSON.parse(l) as string), answered);
      assert.equal(lines[4], 'DONE');
      await server.stop();
    });
  }
});

/**
 * The document's full test (section 5), steps 1 and 2, through the TypeScript API. Step 1 runs
 * against our CLI echo server in place of the retired public echo service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Server } from '../src/index.js';
import { startCliEcho, type Peer } from './support/processes.js';

describe('document section 5 through the TypeScript API', () => {
  let echo: Peer & { url: string };
  before(async () => {
    echo = await startCliEcho();
  });
  after(async () => echo.stop());

  it('step 1: client against an echo service', async () => {
    const client = new Client();
    await client.connect(echo.url);
    await assert.rejects(client.connect(echo.url), /Подключение уже выполнено/);
    const sent = 'ase1ЦУ';
    client.send(sent);
    const first = await client.receive(0);
    assert.deepEqual(first, { received: true, value: sent });
    const second = await client.receive(3000);
    assert.deepEqual(second, { received: false });
    await client.disconnect();
    await client.disconnect();
  });

  it('step 2: own server on 127.0.0.1:9098 and two own clients', async () => {
    const server = new Server();
    await server.run('127.0.0.1', 9098);
    const client1 = new Client();
    const client2 = new Client();
    await client1.connect('ws://127.0.0.1:9098/first');
    await client2.connect('ws://127.0.0.1:9098/testadr');
    client1.send('ase1ЙЦУ');
    const taken = await server.receive(0);
    assert.ok(taken.received);
    assert.equal(taken.value.data, 'ase1ЙЦУ');
    assert.equal(taken.value.id, 1, 'client 1 connected first, so its id is 1');
    assert.equal(server.disconnect(taken.value.id), true);
    assert.deepEqual(await client1.receive(2000), { received: false }, 'client 1 sees the server hang up');
    assert.equal(client1.status, 0);
    assert.equal(client2.status, 1);
    await client2.disconnect();
    await server.stop();
  });
});

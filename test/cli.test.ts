/** The README's two-command quick start: an echo server and a client that talks to it. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { CLI, startCliEcho, startPeer } from './support/processes.js';

describe('CLI', () => {
  it('echo + connect: lines typed into the client come back', async () => {
    const echo = await startCliEcho();
    const client = spawn(process.execPath, [CLI, 'connect', `${echo.url}/cli`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    client.stdout.on('data', (c: Buffer) => (output += c.toString()));
    client.stdin.end('привет 😀\nвторое\n');
    const [code] = (await once(client, 'close')) as [number];
    await echo.stop();
    assert.equal(code, 0);
    assert.deepEqual(output.trim().split('\n'), [`connected to ${echo.url}/cli`, 'привет 😀', 'второе', 'disconnected (status 0)']);
  });

  it('serve prints what it receives with the connection id and sends "id text" lines', async () => {
    const server = await startPeer(process.execPath, [CLI, 'serve', '--port', '0'], /listening on (\S+)/);
    const client = await startPeer(process.execPath, [CLI, 'connect', server.ready[1] as string], /connected/);
    client.process.stdin?.write('от клиента\n');
    const deadline = Date.now() + 5000;
    while (!server.lines.includes('1: от клиента') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(server.lines.includes('1: от клиента'), server.lines.join('\n'));
    server.process.stdin?.write('1 от сервера\n');
    while (!client.lines.includes('от сервера') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(client.lines.includes('от сервера'), client.lines.join('\n'));
    await client.stop();
    await server.stop();
  });

  it('fails with a clear message and a non-zero code when the port is busy', async () => {
    const first = await startCliEcho();
    const port = new URL(first.url).port;
    const second = spawn(process.execPath, [CLI, 'echo', '--port', port], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    second.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(second, 'close')) as [number];
    await first.stop();
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`Порт ${port} на интерфейсе 127\\.0\\.0\\.1 уже занят`));
  });
});

/**
 * A synchronous HTTP request, for tests that mirror BSL's HTTPСоединение: the request runs in a
 * child Node process while this process waits, so it works between blocking add-in calls
 * and needs no curl on the machine. Plain http: only (the local fake services).
 */
import { spawnSync } from 'node:child_process';

export interface HttpSyncRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface HttpSyncResponse {
  /** HTTPОтвет.КодСостояния */
  status: number;
  /** HTTPОтвет.ПолучитьТелоКакСтроку() */
  body: string;
}

// node:http rather than fetch: it loads faster, and the child exits as soon as it has the answer
const CHILD = `
const request = JSON.parse(process.argv[1]);
const req = require('node:http').request(request.url, { method: request.method, headers: request.headers, timeout: request.timeoutMs }, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }), () => process.exit(0)));
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });
req.end(request.body);
`;

export function httpSync(request: HttpSyncRequest): HttpSyncResponse {
  const timeoutMs = request.timeoutMs ?? 10_000;
  const child = spawnSync(process.execPath, ['-e', CHILD, JSON.stringify({ ...request, timeoutMs })], {
    encoding: 'utf8',
    timeout: timeoutMs + 5000,
  });
  if (child.status !== 0) throw new Error(`HTTP ${request.method} ${request.url} failed: ${child.stderr || child.error?.message}`);
  return JSON.parse(child.stdout) as HttpSyncResponse;
}

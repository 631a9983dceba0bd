/**
 * Connects our engine's Client to a wss:// URL in a fresh process, so each run reads the system
 * store anew from its own environment (SSL_CERT_FILE …) and Node version (test/trust.test.ts).
 * Prints "OK", or "FAIL <error text>"; then "API yes|no": whether this Node has tls.getCACertificates.
 *
 *   node dist/test/support/trust-probe.js wss://127.0.0.1:PORT/ [caFile] [only]
 */
import * as tls from 'node:tls';
import { Client } from '../../src/index.js';

const [url, caFile, only] = process.argv.slice(2);
const client = new Client({ tls: { caFile: caFile || undefined, caFileOnly: only === 'only' } });
try {
  await client.connect(url as string);
  process.stdout.write('OK\n');
  await client.disconnect();
} catch (error) {
  process.stdout.write(`FAIL ${(error as Error).message}\n`);
}
process.stdout.write(`API ${'getCACertificates' in tls ? 'yes' : 'no'}\n`);

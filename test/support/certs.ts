import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** the test CA that signed the server certificate (trust this in clients) */
  caPem: string;
  caFile: string;
  /** server certificate for 127.0.0.1 / localhost */
  certFile: string;
  /** its key, unencrypted PKCS#8 */
  keyFile: string;
  /** its key, encrypted PKCS#8 with `password` */
  encryptedKeyFile: string;
  /** traditional «BEGIN RSA PRIVATE KEY» followed by the certificate, as the document describes */
  combinedFile: string;
  /** the same, the traditional key encrypted with `password` */
  combinedEncryptedFile: string;
  /** a key that belongs to no certificate here */
  otherKeyFile: string;
  /** a client certificate (CN=onec-client) signed by the test CA, and its key, for mutual TLS */
  clientCertFile: string;
  clientKeyFile: string;
  password: string;
}

let cached: TestCertificates | undefined;

/** A CA and a server certificate made at test time with Debian's openssl, cached per process. */
export function testCertificates(): TestCertificates {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'onec-ws-certs-'));
  const at = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const password = 'пароль-1234';
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=onec-websocket test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('ext.cnf'));
  openssl('pkey', '-in', at('server.key'), '-aes256', '-passout', `pass:${password}`, '-out', at('server.enc.key'));
  openssl('rsa', '-in', at('server.key'), '-traditional', '-out', at('server.rsa.key'));
  openssl('rsa', '-in', at('server.key'), '-traditional', '-aes256', '-passout', `pass:${password}`, '-out', at('server.rsa.enc.key'));
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('other.key'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('client.key'), '-out', at('client.csr'), '-subj', '/CN=onec-client');
  writeFileSync(at('client-ext.cnf'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', at('client.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('client.pem'), '-days', '2', '-extfile', at('client-ext.cnf'));
  const certPem = readFileSync(at('server.pem'), 'utf8');
  writeFileSync(at('combined.pem'), readFileSync(at('server.rsa.key'), 'utf8') + certPem);
  writeFileSync(at('combined.enc.pem'), readFileSync(at('server.rsa.enc.key'), 'utf8') + certPem);
  cached = {
    dir,
    caPem: readFileSync(at('ca.pem'), 'utf8'),
    caFile: at('ca.pem'),
    certFile: at('server.pem'),
    keyFile: at('server.key'),
    encryptedKeyFile: at('server.enc.key'),
    combinedFile: at('combined.pem'),
    combinedEncryptedFile: at('combined.enc.pem'),
    otherKeyFile: at('other.key'),
    clientCertFile: at('client.pem'),
    clientKeyFile: at('client.key'),
    password,
  };
  return cached;
}

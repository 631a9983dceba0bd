import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { EngineError } from './errors.js';

export interface TlsCredentials {
  cert: string;
  key: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * Loads a TLS server identity from the forms the document shows:
 *  - Run(iface, port, pem)                   one file with the key and the certificate
 *  - Run(iface, port, pem, password)         the same, its key encrypted
 *  - Run(iface, port, cert, key)             two files (the 4th argument names an existing file)
 *  - Run(iface, port, cert, key, password)   two files, the key encrypted (the document's example)
 */
export function loadTlsCredentials(certPath: string, keyOrPassword = '', password = ''): TlsCredentials {
  const keyIsFile = password !== '' || (keyOrPassword !== '' && isFile(keyOrPassword));
  const files = keyIsFile ? [certPath, keyOrPassword] : [certPath];
  const passphrase = keyIsFile ? password : keyOrPassword;
  const blocks = files.flatMap((file) => [...readPem(file).matchAll(PEM_BLOCK)]);
  const shownFiles = files.map((f) => `«${f}»`).join(', ');
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE' || b[1] === 'TRUSTED CERTIFICATE').map((b) => b[0]);
  const keyBlock = blocks.find((b) => (b[1] ?? '').endsWith('PRIVATE KEY'))?.[0];
  if (certs.length === 0) throw new EngineError('certNoCertificate', [shownFiles]);
  if (!keyBlock) throw new EngineError('certNoKey', [shownFiles]);
  const key = decryptKey(keyBlock, passphrase);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0] as string);
  } catch (error) {
    throw new EngineError('certInvalid', [(error as Error).message]);
  }
  if (!leaf.checkPrivateKey(key)) throw new EngineError('certKeyMismatch');
  return { cert: certs.join('\n'), key: key.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new EngineError('certNotFound', [path]);
    throw new EngineError('certUnreadable', [path, code ?? (error as Error).message]);
  }
}

function decryptKey(pem: string, passphrase: string): KeyObject {
  const encrypted = pem.includes('ENCRYPTED PRIVATE KEY') || pem.includes('Proc-Type: 4,ENCRYPTED');
  if (encrypted && passphrase === '') throw new EngineError('certBadPassword');
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: passphrase === '' ? undefined : passphrase });
  } catch (error) {
    const { code = '', message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_MISSING_PASSPHRASE' || /bad decrypt|passphrase|password|mac verify|interrupted or cancelled/i.test(message)) {
      throw new EngineError('certBadPassword');
    }
    throw new EngineError('certInvalid', [message]);
  }
}

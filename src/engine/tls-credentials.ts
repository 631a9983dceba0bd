import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
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

/** A PEM file's text, with «not found» / «unreadable» errors a 1C programmer can act on. */
export function readPemFile(path: string): string {
  return readPem(path);
}

function readPem(path: string): string {
  return readCredentialFile(path).toString('latin1');
}

/** Certificates, keys and CA bundles are small; anything bigger is not one of them. */
export const MAX_CREDENTIAL_FILE = 4 * 1024 * 1024;

/**
 * Reads a certificate, key or CA file without ever blocking the engine: it must be a regular file of
 * at most MAX_CREDENTIAL_FILE bytes. The engine serves every add-in object of the OS user on one
 * event loop, so a FIFO (open and read would wait forever) or a device such as /dev/zero (read
 * would never end) given as a path must fail at once instead of hanging them all. The file is
 * opened non-blocking and checked through the same descriptor it is read from.
 */
export function readCredentialFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new EngineError('certNotFound', [path]);
    throw new EngineError('certUnreadable', [path, code ?? (error as Error).message]);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new EngineError('certUnreadable', [path, 'EISDIR']);
    if (!info.isFile()) throw new EngineError('certUnreadable', [path, { ru: 'это не обычный файл', en: 'not a regular file' }]);
    if (info.size > MAX_CREDENTIAL_FILE) {
      throw new EngineError('certUnreadable', [path, { ru: `файл больше ${MAX_CREDENTIAL_FILE} байт`, en: `larger than ${MAX_CREDENTIAL_FILE} bytes` }]);
    }
    const buffer = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new EngineError('certUnreadable', [path, code ?? (error as Error).message]);
  } finally {
    closeSync(fd);
  }
}

function decryptKey(pem: string, passphrase: string): KeyObject {
  const encrypted = pem.includes('ENCRYPTED PRIVATE KEY') || pem.includes('Proc-Type: 4,ENCRYPTED');
  if (encrypted && passphrase === '') throw new EngineError('certBadPassword');
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: passphrase === '' ? undefined : passphrase });
  } catch (error) {
    const { code = '', message } = error as NodeJS.ErrnoException;
    // A wrong password does not always say so: a legacy «Proc-Type: 4,ENCRYPTED» key has no MAC, and
    // about one wrong password in 256 decrypts to bytes with valid padding, which OpenSSL then reports
    // as a DER decoding failure. For an encrypted key, any failure to open it is the password's.
    if (encrypted || code === 'ERR_MISSING_PASSPHRASE' || /bad decrypt|passphrase|password|mac verify|interrupted or cancelled/i.test(message)) {
      throw new EngineError('certBadPassword');
    }
    throw new EngineError('certInvalid', [message]);
  }
}

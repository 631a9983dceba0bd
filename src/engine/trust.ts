import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { readCredentialFile } from './tls-credentials.js';

/**
 * Which certificate authorities a client trusts (docs/features.md "Trust"): Node's bundled Mozilla
 * roots, the operating system's store, and the program's own CAs — or, when asked, the program's
 * own CAs only. Node's `ca` option replaces its roots, so the full list is built here.
 */

/** `tls.getCACertificates` (Node 22.15+ / 23.10+), absent from the Node 18 type definitions. */
type GetCaCertificates = (type: 'default' | 'system' | 'bundled' | 'extra') => string[];
const getCaCertificates = (tls as unknown as { getCACertificates?: GetCaCertificates }).getCACertificates;

/**
 * The Linux (and other Unix) bundles tried in order when neither Node nor SSL_CERT_FILE names one:
 * Debian/Ubuntu/Astra, RHEL/Fedora/RED OS/ALT, SUSE, the OpenSSL default Node's newer versions read.
 */
const UNIX_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM file; none if it is missing or unreadable (never blocks: readCredentialFile). */
function pemCertificates(path: string): string[] {
  try {
    return readCredentialFile(path).toString('latin1').match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}

/** Every certificate in the regular files of `dir` (OpenSSL's hashed-links directory layout). */
function directoryCertificates(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    try {
      return statSync(path).isFile() ? pemCertificates(path) : [];
    } catch {
      return [];
    }
  });
}

/**
 * What an older Node (no `tls.getCACertificates`) can read of the system store itself: on Unix the
 * bundle OpenSSL would use — SSL_CERT_FILE, else the first distribution bundle that exists — plus
 * the files of SSL_CERT_DIR when set. On Windows nothing: its store needs Node 22.15+.
 */
function readUnixStore(env: NodeJS.ProcessEnv): string[] {
  if (process.platform === 'win32') return [];
  const file = env.SSL_CERT_FILE || UNIX_BUNDLES.find((path) => pemCertificates(path).length > 0);
  const fromFile = file ? pemCertificates(file) : [];
  return env.SSL_CERT_DIR ? [...fromFile, ...directoryCertificates(env.SSL_CERT_DIR)] : fromFile;
}

let systemCache: { key: string; certificates: readonly string[] } | undefined;

/**
 * The operating system's trusted CAs: Node's own reading of the store where it has one (Windows
 * certificate stores, macOS keychains, OpenSSL's file and directory on Linux), else readUnixStore.
 * Read once per engine (and again if SSL_CERT_FILE / SSL_CERT_DIR change): a CA an admin installs
 * is seen by the next engine, which starts within a minute of the last object going away.
 */
export function systemCertificates(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const key = `${env.SSL_CERT_FILE ?? ''}\0${env.SSL_CERT_DIR ?? ''}`;
  if (systemCache?.key === key) return systemCache.certificates;
  let certificates: string[];
  try {
    certificates = getCaCertificates ? getCaCertificates('system') : readUnixStore(env);
  } catch {
    certificates = readUnixStore(env);
  }
  systemCache = { key, certificates };
  return certificates;
}

/**
 * Node's default roots: the bundled Mozilla store and NODE_EXTRA_CA_CERTS (which an explicit `ca`
 * list would otherwise drop; older Node does not report it, so it is read here).
 */
function defaultCertificates(): readonly string[] {
  if (getCaCertificates) return getCaCertificates('default');
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  return extra ? [...tls.rootCertificates, ...pemCertificates(extra)] : tls.rootCertificates;
}

export interface TrustChoice {
  /** the program's own CAs (PEM texts, each may hold several certificates) */
  own: readonly string[];
  /** trust only `own`: neither Node's roots nor the system store */
  ownOnly?: boolean;
  /** include the operating system's store (default true) */
  system?: boolean;
}

/** The `ca` list for a TLS client: the roots, the system store and the program's own CAs, without duplicates. */
export function trustedCertificates(choice: TrustChoice): string[] {
  const own = choice.own.flatMap((pem) => pem.match(PEM_CERTIFICATE) ?? [pem]);
  if (choice.ownOnly) return own;
  const all = [...defaultCertificates(), ...(choice.system === false ? [] : systemCertificates()), ...own];
  return [...new Set(all.map((pem) => pem.trim()))];
}

/** A client certificate and its (decrypted) key, as loadTlsCredentials gives them. */
export interface ClientIdentity {
  cert: string;
  key: string;
}

const CONTEXTS_KEPT = 8;
const contexts = new Map<string, tls.SecureContext>();

/**
 * The TLS context for a verifying client: OpenSSL parses a few hundred roots into it (about 0.2 s),
 * so it is made once per distinct trust choice and client identity and reused by later connects
 * (the last CONTEXTS_KEPT of them are kept).
 */
export function trustedContext(choice: TrustChoice, identity: ClientIdentity | undefined): tls.SecureContext {
  const hash = createHash('sha256');
  const env = process.env;
  const parts = [choice.ownOnly ? 'only' : 'all', choice.system === false ? 'no-system' : 'system', env.SSL_CERT_FILE ?? '', env.SSL_CERT_DIR ?? ''];
  for (const part of [...parts, ...choice.own, identity?.cert ?? '', identity?.key ?? '']) hash.update(part).update('\0');
  const key = hash.digest('hex');
  let context = contexts.get(key);
  if (context) return context;
  context = tls.createSecureContext({ ca: trustedCertificates(choice), cert: identity?.cert, key: identity?.key });
  if (contexts.size >= CONTEXTS_KEPT) contexts.delete(contexts.keys().next().value as string);
  contexts.set(key, context);
  return context;
}

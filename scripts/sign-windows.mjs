// Signs the Windows DLLs with an Authenticode signature (Debian's osslsigncode), verifies each
// signature, and — when it signed build/ itself — repacks the add-in ZIP with the signed DLLs.
// Not part of `npm run build`: a build has no certificate. docs/signing.md explains the set-up.
//
//   node scripts/sign-windows.mjs [file.dll ...]        (default: build/*.dll, then the ZIP)
//
// The certificate comes from the environment (never from the command line, which other users of
// the machine can read):
//   ONEC_WEBSOCKET_SIGN_PKCS12      a .pfx / .p12 with the code-signing certificate, its chain and key
//   ONEC_WEBSOCKET_SIGN_CERT        or: the certificate chain (PEM or DER/SPC) …
//   ONEC_WEBSOCKET_SIGN_KEY         … and its private key
//   ONEC_WEBSOCKET_SIGN_PASS_FILE   a file holding the key's or the .pfx's password (optional)
//   ONEC_WEBSOCKET_SIGN_TIMESTAMP   an RFC 3161 timestamp server URL (optional; keeps the signature
//                                   valid after the certificate expires)
//   ONEC_WEBSOCKET_SIGN_CAFILE      the CA bundle to verify against (default: the system bundle)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const explicit = process.argv.slice(2);
const files = explicit.length > 0 ? explicit : readdirSync('build').filter((f) => f.endsWith('.dll')).map((f) => join('build', f));

function fail(message) {
  console.error(`sign-windows: ${message}`);
  process.exit(1);
}

let identity;
if (env.ONEC_WEBSOCKET_SIGN_PKCS12) identity = ['-pkcs12', env.ONEC_WEBSOCKET_SIGN_PKCS12];
else if (env.ONEC_WEBSOCKET_SIGN_CERT && env.ONEC_WEBSOCKET_SIGN_KEY) identity = ['-certs', env.ONEC_WEBSOCKET_SIGN_CERT, '-key', env.ONEC_WEBSOCKET_SIGN_KEY];
else fail('no certificate: set ONEC_WEBSOCKET_SIGN_PKCS12, or ONEC_WEBSOCKET_SIGN_CERT and ONEC_WEBSOCKET_SIGN_KEY (docs/signing.md)');
if (files.length === 0) fail('no DLL to sign: run npm run build first');
for (const file of files) if (!existsSync(file)) fail(`${file} does not exist`);

const options = [
  ...identity,
  ...(env.ONEC_WEBSOCKET_SIGN_PASS_FILE ? ['-readpass', env.ONEC_WEBSOCKET_SIGN_PASS_FILE] : []),
  '-h', 'sha256',
  '-n', 'onec-websocket',
  ...(env.ONEC_WEBSOCKET_SIGN_TIMESTAMP ? ['-ts', env.ONEC_WEBSOCKET_SIGN_TIMESTAMP] : []),
];
const verifyOptions = env.ONEC_WEBSOCKET_SIGN_CAFILE ? ['-CAfile', env.ONEC_WEBSOCKET_SIGN_CAFILE] : [];

for (const file of files) {
  const signed = `${file}.signed`;
  rmSync(signed, { force: true });
  try {
    execFileSync('osslsigncode', ['sign', ...options, '-in', file, '-out', signed], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('osslsigncode', ['verify', ...verifyOptions, '-in', signed], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    rmSync(signed, { force: true });
    fail(`${file}: ${error.code === 'ENOENT' ? 'osslsigncode is not installed (apt-get install osslsigncode)' : 'signing or verification failed'}`);
  }
  renameSync(signed, file);
  console.log(`signed and verified: ${file}`);
}
if (explicit.length === 0) execFileSync(process.execPath, ['scripts/make-zip.mjs'], { stdio: 'inherit' });

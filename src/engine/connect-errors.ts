import { EngineError } from './errors.js';

const TLS_CODES = /^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH|EPROTO)/;

/** Turns a socket-level failure while connecting into words a 1C programmer can act on. */
export function connectError(shownUrl: string, host: string, error: Error): EngineError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNREFUSED') return new EngineError('connectRefused', [shownUrl]);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    return new EngineError('dnsFailed', [host, code]);
  }
  if (TLS_CODES.test(code) || /certificate|TLS|SSL/i.test(error.message)) {
    return new EngineError('tlsFailed', [shownUrl, code ? `${code}: ${error.message}` : error.message]);
  }
  return new EngineError('connectFailed', [shownUrl, code ? `${code}: ${error.message}` : error.message]);
}

import { EngineError } from './errors.js';

/** The URL as it may be shown to people: a password in it is replaced by asterisks. */
export function displayUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}

/** Checks a server address the way a 1C programmer wrote it and explains what is wrong. */
export function parseServerUrl(text: string): URL {
  const trimmed = text.trim();
  const shown = displayUrl(trimmed);
  const fail = (reason: EngineError): never => {
    throw new EngineError('invalidUrl', [shown, reason]);
  };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  if (scheme && !/^wss?$/i.test(scheme)) fail(new EngineError('urlBadScheme', [scheme]));
  const port = /^[a-z]+:\/\/(?:[^/@]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)/i.exec(trimmed)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    fail(new EngineError('urlBadPort'));
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return fail(new EngineError('urlNotParsable'));
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    fail(new EngineError('urlBadScheme', [url.protocol.replace(/:$/, '')]));
  }
  if (!url.hostname) fail(new EngineError('urlNoHost'));
  if (url.hash) fail(new EngineError('urlHasFragment'));
  return url;
}

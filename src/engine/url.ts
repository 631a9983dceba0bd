import { EngineError } from './errors.js';

/**
 * The URL as it may be shown to people (errors, the Сервер property): a password in it is replaced
 * by asterisks. The split follows the WHATWG URL parser for special schemes (ws, wss, http, https),
 * which is what connects: tabs and newlines are dropped, any run of `/` or `\` may follow the
 * scheme, the authority ends at the first `/ \ ? #`, and the user info is everything before the
 * authority's *last* `@` (so `ws://user:p@ss@host/` hides all of `p@ss`). A text that does not parse
 * as a URL is masked more eagerly — from the first `:` after the user name to the last `@` before
 * `?`/`#` — because there a password with an unescaped `/` would otherwise show in the error.
 */
export function displayUrl(text: string): string {
  const cleaned = text.replace(/[\t\n\r]/g, '');
  const parts = /^([a-z][a-z0-9+.-]*:[/\\]*)([^/\\?#]*)([\s\S]*)$/i.exec(cleaned);
  if (parts && parsable(cleaned)) {
    const [, head = '', authority = '', rest = ''] = parts;
    const at = authority.lastIndexOf('@');
    const colon = authority.indexOf(':');
    if (at < 0 || colon < 0 || colon > at) return cleaned;
    return `${head}${authority.slice(0, colon)}:***${authority.slice(at)}${rest}`;
  }
  return cleaned.replace(/^([a-z][a-z0-9+.-]*:[/\\]*[^:@/\\?#]*:)[^?#]*@/i, '$1***@');
}

function parsable(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
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

import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { EngineError } from './errors.js';
import { displayUrl } from './url.js';

/**
 * The agent that tunnels a connection through an HTTP proxy (CONNECT), or undefined for a direct
 * connection. `proxy` is a proxy URL, or "env" to follow HTTP_PROXY / HTTPS_PROXY / NO_PROXY.
 */
export function proxyAgent(proxy: string, target: URL): Agent | undefined {
  const chosen = proxy.trim().toLowerCase() === 'env' ? getProxyForUrl(target.href.replace(/^ws/, 'http')) : proxy.trim();
  if (!chosen) return undefined;
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(chosen);
  } catch {
    throw new EngineError('invalidProxy', [displayUrl(chosen)]);
  }
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') throw new EngineError('invalidProxy', [displayUrl(chosen)]);
  return new HttpsProxyAgent(proxyUrl);
}

import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { EngineError } from './errors.js';
import { displayUrl } from './url.js';

/** SOCKS schemes: `socks5h`/`socks4a` let the proxy resolve the server's name, the others resolve it here. */
const SOCKS = new Set(['socks:', 'socks5:', 'socks5h:', 'socks4:', 'socks4a:']);

/**
 * The agent that tunnels a connection through a proxy, or undefined for a direct connection.
 * `proxy` is an HTTP(S) proxy URL (CONNECT), a SOCKS URL (`socks5://user:password@host:1080`), or
 * "env" to follow HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY. Windows' own proxy settings are
 * not read ("system" says so: docs/features.md "Proxies").
 */
export function proxyAgent(proxy: string, target: URL): Agent | undefined {
  const wanted = proxy.trim();
  if (wanted.toLowerCase() === 'system') throw new EngineError('systemProxyUnsupported');
  const chosen = wanted.toLowerCase() === 'env' ? getProxyForUrl(target.href.replace(/^ws/, 'http')) : wanted;
  if (!chosen) return undefined;
  let proxyUrl: URL;
  try {
    proxyUrl = new URL(chosen);
  } catch {
    throw new EngineError('invalidProxy', [displayUrl(chosen)]);
  }
  if (SOCKS.has(proxyUrl.protocol)) return new SocksProxyAgent(proxyUrl);
  if (proxyUrl.protocol !== 'http:' && proxyUrl.protocol !== 'https:') throw new EngineError('invalidProxy', [displayUrl(chosen)]);
  return new HttpsProxyAgent(proxyUrl);
}

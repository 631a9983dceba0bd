import { isIP } from 'node:net';
import { EngineError } from './errors.js';

/**
 * The interface to listen on, as a 1C programmer may write it: an IP address, `[::1]`, `localhost`,
 * or the document's own «0.0.0.0.» with its trailing dot.
 */
export function parseInterface(text: string): string {
  let host = text.trim();
  if (/^\[.*\]$/.test(host)) host = host.slice(1, -1);
  if (/^\d+\.\d+\.\d+\.\d+\.$/.test(host)) host = host.slice(0, -1);
  if (host.toLowerCase() === 'localhost') host = '127.0.0.1';
  if (isIP(host) === 0) throw new EngineError('badInterface', [text]);
  return host;
}

/** A listening port: a whole number 0–65535 (0 lets the system choose; see the Port property). */
export function parsePort(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new EngineError('portOutOfRange', [value]);
  return value;
}

/** `ip:port`, with IPv6 in brackets and IPv4-mapped IPv6 shown as plain IPv4. */
export function formatAddress(address: string | undefined, port: number | undefined): string {
  const ip = (address ?? '?').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return isIP(ip) === 6 ? `[${ip}]:${port ?? 0}` : `${ip}:${port ?? 0}`;
}

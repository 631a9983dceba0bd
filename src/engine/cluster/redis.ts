import { Redis } from 'ioredis';
import { EngineError } from '../errors.js';

/**
 * Connections to the cluster's Redis. ioredis (docs/cluster.md "Why ioredis") reconnects by itself;
 * with the offline queue off a command made while Redis is away fails at once instead of waiting,
 * so no call hangs: it gets the clusterUnavailable error and the caller decides what still works
 * locally.
 */
export interface RedisLink {
  readonly url: string;
  /** commands, heartbeats, XADD, XACK */
  readonly commands: Redis;
  /** blocking XREADGROUP (a blocked connection cannot serve anything else) */
  readonly reader: Redis;
  /** SUBSCRIBE (a subscribed connection cannot serve anything else) */
  readonly subscriber: Redis;
  close(): void;
}

/** How long a connection attempt may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 3000;
/**
 * How long a command may wait for its answer: a Redis that is stopped or cut off by the network
 * (no refusal, just silence) fails a call after this long instead of holding it for ever. Longer
 * than the stream read's own block time (src/engine/cluster/inbound.ts).
 */
const COMMAND_TIMEOUT_MS = 3000;

/** "redis://user:secret@host:6379/0" → "redis://user:***@host:6379/0": what errors and the property show. */
export function maskUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError('clusterBadUrl', [maskUrl(url)]);
  }
  if (!/^rediss?:$/.test(parsed.protocol) || parsed.hostname === '') throw new EngineError('clusterBadUrl', [maskUrl(url)]);
}

/** The last connection error of each connection: a refused connect says more than "Connection is closed." */
const lastErrors = new WeakMap<Redis, Error>();

function open(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // reconnect for ever, at most every 2 s: the cluster recovers by itself when Redis is back
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
  });
  // reported per command; unhandled, the 'error' event would crash the engine
  redis.on('error', (error: Error) => lastErrors.set(redis, error));
  return redis;
}

/** Connects the three connections; fails with clusterUnavailable (and leaves nothing open) if Redis does not answer. */
export async function connectRedis(url: string): Promise<RedisLink> {
  checkRedisUrl(url);
  const commands = open(url);
  const reader = open(url);
  const subscriber = open(url);
  const all = [commands, reader, subscriber];
  const close = (): void => all.forEach((r) => r.disconnect(false));
  try {
    await Promise.all(all.map((r) => r.connect()));
  } catch (error) {
    close();
    throw unavailable(url, all.map((r) => lastErrors.get(r)).find((e) => e !== undefined) ?? error);
  }
  return { url, commands, reader, subscriber, close };
}

/** The error a cluster operation reports when Redis cannot be reached. */
export function unavailable(url: string, error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new EngineError('clusterUnavailable', [maskUrl(url), reason], { cause: error });
}

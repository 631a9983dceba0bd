/** Limits shared by clients and servers. Every one is deliberate; docs/limits.md explains them. */
export interface Limits {
  /** largest message accepted from a peer, in bytes (bigger ones close the connection with 1009) */
  maxMessageSize: number;
  /** bytes queued for the program before the socket is paused (TCP backpressure) */
  incomingHighWater: number;
  /** bytes queued below which a paused socket is resumed */
  incomingLowWater: number;
  /** unsent bytes per connection above which Send fails instead of buffering more */
  maxOutgoingBuffer: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxMessageSize: 64 * 1024 * 1024,
  incomingHighWater: 16 * 1024 * 1024,
  incomingLowWater: 4 * 1024 * 1024,
  maxOutgoingBuffer: 64 * 1024 * 1024,
};

/** Connect gives up after this long (DNS, TCP, TLS and the HTTP upgrade together). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Keep-alive, on unless a setting turns it off (0): a quiet peer is pinged every 30 s, and one that
 * answers nothing within the timeout (the interval unless set) is dropped. 30 s stays under the
 * 60 s idle cut of the commonest intermediaries (nginx's proxy_read_timeout, cloud load
 * balancers), so the pings also keep such paths open; a dead peer is noticed within 60 s.
 * docs/limits.md has the reasoning.
 */
export const DEFAULT_PING_INTERVAL_MS = 30_000;

/** One limit as `withLimits` gives it, without building the whole set (read at every send). */
export function limitOf(overrides: Partial<Limits> | undefined, key: keyof Limits): number {
  return overrides?.[key] ?? DEFAULT_LIMITS[key];
}

export function withLimits(overrides: Partial<Limits> | undefined): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides ?? {}) as Array<[keyof Limits, number | undefined]>) {
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

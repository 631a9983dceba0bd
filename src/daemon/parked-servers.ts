import { EngineError } from '../engine/errors.js';
import type { Server } from '../engine/server.js';
import { parseInterface } from '../engine/listen-address.js';

/** How long a server outlives the object that ran it, unless ONEC_WEBSOCKET_SERVER_GRACE_MS says otherwise. */
export const DEFAULT_SERVER_GRACE_MS = 60_000;

interface Parked {
  server: Server;
  certificate: string;
  /** the Владелец it was run under: only a Run with exactly this value gets it back */
  owner: string;
  /** when the grace period ends (ms since 1970) */
  until: number;
  timer: NodeJS.Timeout;
}

/**
 * Servers whose add-in object went away without Остановить(). A scheduled job that runs every
 * second is a new 1C session each time, and its objects die with it: the server keeps its port,
 * connections, ids and queued messages for a grace period, and a Запустить on the same interface
 * and port with the same owner re-attaches to it instead of failing on a busy port.
 *
 * One engine serves every infobase of the OS user, so the owner (the Владелец property, e.g. the
 * infobase's connection string) decides who may take a server back: a server without an owner is
 * never parked, and a Run by anyone else fails without disturbing it (docs/infobases.md).
 */
export class ParkedServers {
  private readonly parked = new Map<string, Parked>();

  constructor(
    private readonly graceMs: number,
    private readonly onChange: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.parked.size;
  }

  /** Keeps a running server with an owner alive for the grace period; stops any other right away. */
  park(server: Server, certificate: string, owner: string): Promise<void> {
    server.releaseReceivers();
    if (owner === '' || this.graceMs <= 0 || !server.isRunning) return server.stop();
    const key = keyOf(server.server, server.port);
    const timer = setTimeout(() => {
      if (this.parked.get(key)?.server !== server) return;
      this.parked.delete(key);
      void server.stop().finally(this.onChange);
    }, this.graceMs);
    timer.unref();
    this.parked.set(key, { server, certificate, owner, until: Date.now() + this.graceMs, timer });
    this.onChange();
    return Promise.resolve();
  }

  /**
   * The parked server listening on that interface and port, handed over to a Run of the same
   * owner. A server parked with another certificate is stopped instead, so the new Run gets what it
   * asked for. A server of another owner (or any, for a Run without one) is left as it is, and the
   * Run fails: its connections and messages belong to someone else.
   */
  async claim(iface: string, port: number, certificate: string, owner: string): Promise<Server | undefined> {
    let host: string;
    try {
      host = parseInterface(iface);
    } catch {
      return undefined; // Run itself reports the bad interface
    }
    const key = keyOf(host, port);
    const entry = this.parked.get(key);
    if (!entry) return undefined;
    if (owner === '' || entry.owner !== owner) throw refusal(entry, port);
    this.parked.delete(key);
    clearTimeout(entry.timer);
    this.onChange();
    if (entry.certificate !== certificate) {
      await entry.server.stop();
      return undefined;
    }
    return entry.server;
  }

  /**
   * Why a Run found the port busy, when a parked server holds it on another interface (0.0.0.0 and
   * 127.0.0.1 overlap): the clear refusal for another owner, a hint for the same owner.
   */
  busyBecause(iface: string, port: number, owner: string): EngineError | undefined {
    const host = parseInterface(iface); // Run got as far as a busy port: the interface is valid
    for (const entry of this.parked.values()) {
      if (entry.server.port !== port || !overlap(entry.server.server, host)) continue;
      if (owner !== '' && entry.owner === owner) return new EngineError('portParkedOnOtherInterface', [entry.server.server, port]);
      return refusal(entry, port);
    }
    return undefined;
  }

  async stopAll(): Promise<void> {
    const entries = [...this.parked.values()];
    this.parked.clear();
    for (const e of entries) clearTimeout(e.timer);
    await Promise.all(entries.map((e) => e.server.stop()));
  }
}

/** A Run of another owner: the parked server is not touched, and the error says until when at most. */
function refusal(entry: Parked, port: number): EngineError {
  const seconds = Math.max(1, Math.ceil((entry.until - Date.now()) / 1000));
  return new EngineError('portParkedByOtherOwner', [entry.server.server, port, seconds]);
}

/** Whether listening on both interfaces at once collides (one of them listens on all). */
function overlap(a: string, b: string): boolean {
  const any = (host: string): boolean => host === '0.0.0.0' || host === '::';
  return a === b || any(a) || any(b);
}

function keyOf(host: string, port: number): string {
  return `${host}|${port}`;
}

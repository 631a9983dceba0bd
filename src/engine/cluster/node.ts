import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Body, Incoming } from '../message.js';
import type { ConnectionInfo, Server, ServerCluster, ServerIncoming } from '../server.js';
import { CommandChannels } from './commands.js';
import { InboundStream } from './inbound.js';
import { ServiceKeys } from './keys.js';
import { connectRedis, unavailable, type RedisLink } from './redis.js';
import { ConnectionRegistry, type RegisteredConnection } from './registry.js';

/** How long a dead node's connections stay registered and its unfinished messages wait, unless ONEC_WEBSOCKET_CLUSTER_TTL_MS says otherwise. */
export const DEFAULT_CLUSTER_TTL_MS = 10_000;

export interface ClusterSettings {
  /** redis://[user:password@]host:port[/db] or rediss://… */
  url: string;
  /** the service's name: the servers with the same Redis and name are one service */
  service: string;
  /** the registry's TTL: a heartbeat every third of it */
  ttlMs: number;
}

/** After a failed fetch (Redis away) a node looks again this much later; its local messages flow meanwhile. */
const RETRY_MS = 500;
/**
 * Client messages on their way to Redis: beyond the first number the node stops reading from its
 * clients (TCP pushes back on them, as with a full queue) until fewer than the second are left.
 */
const APPENDS_HIGH = 1000;
const APPENDS_LOW = 250;

/**
 * One engine's server as a node of a cluster service (docs/cluster.md): its connections get
 * cluster-wide ids and are registered in Redis, its clients' messages go to the service's inbound
 * stream for whichever node receives, and sends, disconnects and broadcasts for connections of other
 * nodes go to them over pub/sub. Joined at Run, left at Stop; it lives with the server, so a parked
 * server stays a node.
 */
export class ClusterNode implements ServerCluster {
  readonly node = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly keys: ServiceKeys;
  private readonly registry: ConnectionRegistry;
  private readonly inboundStream: InboundStream;
  private readonly channels: CommandChannels;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private left = false;
  private wake: (() => void) | undefined;
  /** the other nodes' connections as of the last heartbeat (Соединения reads it without waiting) */
  private remote: RegisteredConnection[] = [];
  /** XADDs sent and not answered yet */
  private appending = 0;

  private constructor(
    private readonly link: RedisLink,
    private readonly server: Server,
    readonly settings: ClusterSettings,
  ) {
    this.keys = new ServiceKeys(settings.service);
    this.registry = new ConnectionRegistry(link, this.keys, this.node, settings.ttlMs);
    this.inboundStream = new InboundStream(link, this.keys, this.node, settings.ttlMs);
    this.channels = new CommandChannels(link, this.keys, this.node);
  }

  /** Connects to Redis (failing with a clear error if it does not answer) before the server takes its port. */
  static async connect(server: Server, settings: ClusterSettings): Promise<ClusterNode> {
    const link = await connectRedis(settings.url);
    const node = new ClusterNode(link, server, settings);
    try {
      await node.inboundStream.ensureGroup();
      await node.channels.listen(node.target());
    } catch (error) {
      link.close();
      throw unavailable(settings.url, error);
    }
    return node;
  }

  /** The server runs: heartbeats start, and receivers on this node take from the service's stream. */
  start(): void {
    this.server.cluster = this;
    this.link.commands.on('ready', () => void this.beat()); // back after Redis went away or restarted
    this.heartbeatTimer = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.settings.ttlMs / 3)));
    this.heartbeatTimer.unref();
    void this.beat();
    this.server.messageQueue.onWait = () => this.wake?.();
    void this.fetchLoop();
  }

  // --- what the server asks (ServerCluster) ---

  nextId(): Promise<number> {
    return this.registry.nextId();
  }

  opened(info: ConnectionInfo): void {
    this.registry.add(info).catch(ignore); // the next heartbeat writes it again
  }

  closed(id: number): void {
    this.registry.remove(id).catch(ignore);
  }

  inbound(message: ServerIncoming): void {
    if (++this.appending === APPENDS_HIGH) this.server.pauseReading('cluster', true);
    this.inboundStream
      .append(message)
      // Redis away: the message stays on this node, for its own receivers (nothing is dropped)
      .catch(() => this.server.messageQueue.push(message))
      .finally(() => {
        if (--this.appending === APPENDS_LOW) this.server.pauseReading('cluster', false);
      });
  }

  acknowledge(messages: readonly ServerIncoming[]): void {
    const entries = messages.flatMap((m) => (m.entry ? [m.entry] : []));
    this.inboundStream.acknowledge(entries).catch(ignore); // not acknowledged: redelivered once idle (at least once)
  }

  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    clearInterval(this.heartbeatTimer);
    this.server.pauseReading('cluster', false); // a later run of the same server starts unpaused
    if (this.server.cluster === this) this.server.cluster = undefined;
    this.server.messageQueue.onWait = undefined;
    this.wake?.();
    this.inboundStream.forget();
    await this.registry.leave().catch(ignore);
    this.link.close();
  }

  // --- what the program asks for connections of other nodes ---

  async send(id: number, data: Body): Promise<boolean> {
    const found = await this.ask(() => this.registry.find(id));
    return found ? this.ask(() => this.channels.send(found.node, [id], data)) : false;
  }

  async disconnect(id: number): Promise<boolean> {
    const found = await this.ask(() => this.registry.find(id));
    return found ? this.ask(() => this.channels.disconnect(found.node, id)) : false;
  }

  /** Every connection of the service, or those listed; how many it went to (sent here or handed to their node). */
  async broadcast(data: Body, ids?: readonly number[]): Promise<number> {
    const others = await this.ask(() => this.registry.others());
    this.remote = others;
    if (!ids) {
      const here = this.server.broadcast(data);
      if (others.length > 0) await this.ask(() => this.channels.broadcast(data));
      return here + others.length;
    }
    const local = new Set(this.server.connectionIds);
    let count = this.server.broadcast(data, ids.filter((id) => local.has(id)));
    const byNode = new Map<string, number[]>();
    for (const c of others) if (ids.includes(c.info.id)) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c.info.id]);
    for (const [node, list] of byNode) if (await this.ask(() => this.channels.send(node, list, data))) count += list.length;
    return count;
  }

  async connectionInfo(id: number): Promise<ConnectionInfo | undefined> {
    const found = await this.ask(() => this.registry.find(id));
    if (!found) return undefined;
    return { ...found.info, connectedSeconds: Math.floor((Date.now() - Date.parse(found.info.connectedAt)) / 1000) };
  }

  /** `ID: address | …` of the whole service, in id order (other nodes as of the last heartbeat). */
  get connections(): string {
    const local = this.server.connectionIds.map((id) => ({ id, address: this.server.connectionInfo(id)?.address ?? '' }));
    const all = [...local, ...this.remote.map((c) => ({ id: c.info.id, address: c.info.address }))];
    return all
      .sort((a, b) => a.id - b.id)
      .map((c) => `${c.id}: ${c.address}`)
      .join(' | ');
  }

  private async ask<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw unavailable(this.settings.url, error);
    }
  }

  private target(): { send(ids: readonly number[], data: Incoming): void; disconnect(id: number): void; broadcast(data: Incoming): void } {
    return {
      send: (ids, data) => ids.forEach((id) => swallow(() => this.server.send(id, data))),
      disconnect: (id) => this.server.disconnect(id),
      broadcast: (data) => swallow(() => this.server.broadcast(data)),
    };
  }

  private async beat(): Promise<void> {
    if (this.left) return;
    const infos = this.server.connectionIds.flatMap((id) => this.server.connectionInfo(id) ?? []);
    try {
      await this.inboundStream.ensureGroup(); // cheap, and right again after a Redis restart
      await this.registry.heartbeat(infos, Math.max(0, ...infos.map((c) => c.id)));
      await this.inboundStream.touchHeld();
      this.remote = await this.registry.others();
    } catch {
      // Redis away: retried at the next heartbeat; local connections keep working, and Соединения
      // lists only them (the other nodes' may have changed meanwhile)
      this.remote = [];
    }
  }

  /** Reads the service's stream only while a Принять waits here with nothing queued: messages go to whoever asks. */
  private async fetchLoop(): Promise<void> {
    const queue = this.server.messageQueue;
    while (!this.left) {
      if (queue.waiting === 0 || queue.length > 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        const messages = await this.inboundStream.fetch();
        if (this.left) return; // not acknowledged: other nodes claim them once idle
        for (const m of messages) queue.push(m);
      } catch {
        await new Promise((r) => setTimeout(r, RETRY_MS).unref());
      }
    }
  }
}

function ignore(): void {}

/** A send that fails for one connection (its buffer is full) must not stop the others. */
function swallow(action: () => unknown): void {
  try {
    action();
  } catch {
    // the connection's own limit: like a broadcast, it skips that one
  }
}

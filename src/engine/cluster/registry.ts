import type { ConnectionInfo } from '../server.js';
import type { ServiceKeys } from './keys.js';
import type { RedisLink } from './redis.js';

/** A connection as the registry describes it: where it lives and what ConnectionInfo tells. */
export interface RegisteredConnection {
  node: string;
  info: ConnectionInfo;
}

/**
 * The cluster-wide registry of connections: each node keeps a hash of its own connections and an
 * alive key, both with a TTL it refreshes every heartbeat. A node that dies stops refreshing, and
 * Redis itself drops its connections within the TTL — no other node has to notice or agree.
 */
export class ConnectionRegistry {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ServiceKeys,
    private readonly node: string,
    private readonly ttlMs: number,
  ) {}

  /** One heartbeat: this node is alive, with exactly these connections (rewritten whole: Redis may have restarted). */
  async heartbeat(local: readonly ConnectionInfo[], highestId: number): Promise<void> {
    const r = this.link.commands;
    const hash = this.keys.connections(this.node);
    const tx = r.multi();
    tx.set(this.keys.alive(this.node), String(Date.now()), 'PX', this.ttlMs);
    tx.sadd(this.keys.nodes, this.node);
    tx.del(hash);
    if (local.length > 0) tx.hset(hash, ...local.flatMap((c) => [String(c.id), JSON.stringify(c)]));
    tx.pexpire(hash, this.ttlMs);
    // after a Redis restart without persistence the counter starts again: never below an id in use
    tx.eval(RAISE_COUNTER, 1, this.keys.ids, String(highestId));
    await tx.exec();
  }

  async add(info: ConnectionInfo): Promise<void> {
    const hash = this.keys.connections(this.node);
    await this.link.commands.multi().hset(hash, String(info.id), JSON.stringify(info)).pexpire(hash, this.ttlMs).exec();
  }

  async remove(id: number): Promise<void> {
    await this.link.commands.hdel(this.keys.connections(this.node), String(id));
  }

  /** This node leaves: its connections and heartbeat go at once (a stop, not a death). */
  async leave(): Promise<void> {
    await this.link.commands.multi().del(this.keys.connections(this.node), this.keys.alive(this.node)).srem(this.keys.nodes, this.node).exec();
  }

  async nextId(): Promise<number> {
    return this.link.commands.incr(this.keys.ids);
  }

  /** Nodes whose heartbeat has not expired; the expired ones are dropped from the set on the way. */
  async liveNodes(): Promise<string[]> {
    const r = this.link.commands;
    const nodes = await r.smembers(this.keys.nodes);
    if (nodes.length === 0) return [];
    const alive = await r.mget(...nodes.map((n) => this.keys.alive(n)));
    const dead = nodes.filter((_, i) => alive[i] === null);
    if (dead.length > 0) await r.srem(this.keys.nodes, ...dead);
    return nodes.filter((_, i) => alive[i] !== null);
  }

  /** Every connection of the other live nodes. */
  async others(): Promise<RegisteredConnection[]> {
    const nodes = (await this.liveNodes()).filter((n) => n !== this.node);
    const pipeline = this.link.commands.pipeline();
    for (const n of nodes) pipeline.hgetall(this.keys.connections(n));
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, hash], i) =>
      error ? [] : Object.values(hash as Record<string, string>).map((json) => ({ node: nodes[i] as string, info: JSON.parse(json) as ConnectionInfo })),
    );
  }

  /** Where connection `id` lives among the other live nodes, if anywhere. */
  async find(id: number): Promise<RegisteredConnection | undefined> {
    const nodes = (await this.liveNodes()).filter((n) => n !== this.node);
    if (nodes.length === 0) return undefined;
    const pipeline = this.link.commands.pipeline();
    for (const n of nodes) pipeline.hget(this.keys.connections(n), String(id));
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, [error, json]] of replies.entries()) {
      if (!error && typeof json === 'string') return { node: nodes[i] as string, info: JSON.parse(json) as ConnectionInfo };
    }
    return undefined;
  }
}

const RAISE_COUNTER = `local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;

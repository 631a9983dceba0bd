import type { ServerIncoming } from '../server.js';
import { loadBody, storeBody } from './bodies.js';
import type { ServiceKeys } from './keys.js';
import type { RedisLink } from './redis.js';

/**
 * One message per fetch, for the Принять waiting right now: a node never holds messages another
 * node's receiver could take meanwhile, so receivers get each connection's messages in order
 * (docs/cluster.md "Order and exactly once"). The price is a Redis round trip per message.
 */
const FETCH_COUNT = 1;
/** A fetch blocks in Redis at most this long, then looks again whether anyone still waits. */
const FETCH_BLOCK_MS = 1000;

/**
 * The service's inbound stream: every node appends its clients' messages (XADD), and every node
 * with a Принять waiting reads the next ones through one consumer group (XREADGROUP), so each
 * message is handed to exactly one node, in the order it reached Redis. What a node read stays
 * pending in the group until BSL took it (XACK, then XDEL: the stream holds only what is not done).
 * A node that dies leaves its pending entries idle; any other node's next fetch claims those idle
 * longer than the claim time (XAUTOCLAIM) and hands them out again. A live node keeps its own
 * pending entries from looking idle by touching them every heartbeat (XCLAIM … JUSTID).
 */
export class InboundStream {
  /** entry ids this node read and BSL has not taken yet */
  private readonly held = new Set<string>();
  /** when this node last looked for dead nodes' entries (ms since 1970) */
  private claimedAt = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: ServiceKeys,
    private readonly node: string,
    private readonly claimIdleMs: number,
  ) {}

  /** Creates the consumer group (and the stream) unless it exists: at join and after a Redis restart. */
  async ensureGroup(): Promise<void> {
    try {
      await this.link.commands.call('XGROUP', 'CREATE', this.keys.inbound, this.keys.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Appends a client's message; rejects when Redis does not take it. */
  async append(message: ServerIncoming): Promise<void> {
    const [kind, value] = storeBody(message.data);
    await this.link.commands.call('XADD', this.keys.inbound, '*', 'c', String(message.id), kind, value);
  }

  /** The next messages for a waiting receiver: entries of dead nodes first, then new ones. */
  async fetch(): Promise<ServerIncoming[]> {
    try {
      return await this.fetchOnce();
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOGROUP')) throw error;
      await this.ensureGroup(); // Redis restarted without its data
      return [];
    }
  }

  private async fetchOnce(): Promise<ServerIncoming[]> {
    const r = this.link.reader;
    // dead nodes' entries: looked for at most every third of the claim time (a round trip saved per message)
    if (Date.now() - this.claimedAt >= this.claimIdleMs / 3) {
      const claimed = (await r.call('XAUTOCLAIM', this.keys.inbound, this.keys.group, this.node, this.claimIdleMs, '0-0', 'COUNT', FETCH_COUNT)) as [
        string,
        Entry[],
        ...unknown[],
      ];
      const reclaimed = this.messages(claimed[1]);
      if (reclaimed.length > 0) return reclaimed; // more may wait: look again next time
      this.claimedAt = Date.now();
    }
    const reply = (await r.call('XREADGROUP', 'GROUP', this.keys.group, this.node, 'COUNT', FETCH_COUNT, 'BLOCK', FETCH_BLOCK_MS, 'STREAMS', this.keys.inbound, '>')) as
      | Array<[string, Entry[]]>
      | null;
    return reply ? this.messages(reply[0]?.[1] ?? []) : [];
  }

  private messages(entries: Entry[]): ServerIncoming[] {
    const out: ServerIncoming[] = [];
    for (const entry of entries) {
      if (!entry || !entry[1]) continue; // deleted meanwhile (XAUTOCLAIM reports it as nil)
      const [id, fields] = entry;
      const field = (name: string): string | undefined => {
        const at = fields.indexOf(name);
        return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
      };
      const kind = field('t') !== undefined ? 't' : 'b';
      this.held.add(id);
      out.push({ id: Number(field('c')), data: loadBody(kind, field(kind) ?? ''), entry: id });
    }
    return out;
  }

  /** BSL took these messages: done for the whole cluster. */
  async acknowledge(entries: readonly string[]): Promise<void> {
    if (entries.length === 0) return;
    for (const e of entries) this.held.delete(e);
    await this.link.commands
      .multi()
      .call('XACK', this.keys.inbound, this.keys.group, ...entries)
      .call('XDEL', this.keys.inbound, ...entries)
      .exec();
  }

  /** Keeps what this node holds from being claimed by others while it is alive (part of the heartbeat). */
  async touchHeld(): Promise<void> {
    if (this.held.size === 0) return;
    await this.link.commands.call('XCLAIM', this.keys.inbound, this.keys.group, this.node, 0, ...this.held, 'JUSTID');
  }

  /** This node stops holding anything: what it read and BSL did not take goes to others once idle. */
  forget(): void {
    this.held.clear();
  }
}

/** A stream entry as Redis returns it: id and a flat field list (nil once deleted). */
type Entry = [string, string[]];

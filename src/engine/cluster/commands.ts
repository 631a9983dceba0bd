import type { Body, Incoming } from '../message.js';
import { loadBody, storeBody, type StoredBody } from './bodies.js';
import type { ServiceKeys } from './keys.js';
import type { RedisLink } from './redis.js';

/** What one node asks another to do with connections that live there. */
export type Command =
  | { op: 'send'; ids: number[]; body: StoredBody }
  | { op: 'disconnect'; id: number }
  | { op: 'broadcast'; from: string; body: StoredBody };

/** What a node does on a command (the server's own send/disconnect/broadcast). */
export interface CommandTarget {
  send(ids: readonly number[], data: Incoming): void;
  disconnect(id: number): void;
  broadcast(data: Incoming): void;
}

/**
 * Commands between nodes over pub/sub, as Socket.IO's Redis adapter routes its broadcasts: a
 * channel per node for sends and disconnects aimed at its connections, one channel every node
 * listens on for broadcasts. Pub/sub delivers at most once: a command published while its node is
 * dying is lost with the node's connections, which is what a send to a dying connection does anyway.
 */
export class CommandChannels {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: ServiceKeys,
    private readonly node: string,
  ) {}

  async listen(target: CommandTarget): Promise<void> {
    const s = this.link.subscriber;
    s.on('message', (_channel: string, text: string) => {
      let command: Command;
      try {
        command = JSON.parse(text) as Command;
      } catch {
        return; // not ours
      }
      if (command.op === 'send') target.send(command.ids, loadBody(...command.body));
      else if (command.op === 'disconnect') target.disconnect(command.id);
      else if (command.op === 'broadcast' && command.from !== this.node) target.broadcast(loadBody(...command.body));
    });
    await s.subscribe(this.keys.commands(this.node), this.keys.everyone);
  }

  /** Sends to connections of `node`; false when that node no longer listens. */
  async send(node: string, ids: number[], data: Body): Promise<boolean> {
    return (await this.publish(this.keys.commands(node), { op: 'send', ids, body: storeBody(data) })) > 0;
  }

  async disconnect(node: string, id: number): Promise<boolean> {
    return (await this.publish(this.keys.commands(node), { op: 'disconnect', id })) > 0;
  }

  async broadcast(data: Body): Promise<void> {
    await this.publish(this.keys.everyone, { op: 'broadcast', from: this.node, body: storeBody(data) });
  }

  private publish(channel: string, command: Command): Promise<number> {
    return this.link.commands.publish(channel, JSON.stringify(command));
  }
}

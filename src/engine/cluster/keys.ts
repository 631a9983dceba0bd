/**
 * The Redis keys of one service (docs/cluster.md "What is kept in Redis"). The prefix keeps several
 * services (infobases, test runs) on one Redis apart; the {braces} keep one service's keys in one
 * Redis Cluster hash slot, so multi-key commands stay valid there too.
 */
export class ServiceKeys {
  private readonly prefix: string;

  constructor(readonly service: string) {
    this.prefix = `onec-ws:{${service}}`;
  }

  /** INCR: the last connection id handed out */
  get ids(): string {
    return `${this.prefix}:ids`;
  }

  /** SET of node ids that ever joined (pruned of nodes whose alive key expired) */
  get nodes(): string {
    return `${this.prefix}:nodes`;
  }

  /** a node's heartbeat key (expires when the node stops refreshing it) */
  alive(node: string): string {
    return `${this.prefix}:alive:${node}`;
  }

  /** HASH connection id → ConnectionInfo JSON of one node's connections (expires with the node) */
  connections(node: string): string {
    return `${this.prefix}:conns:${node}`;
  }

  /** STREAM of every client message of the service, read by a consumer group */
  get inbound(): string {
    return `${this.prefix}:in`;
  }

  get group(): string {
    return 'receivers';
  }

  /** pub/sub channel of commands for one node (send, disconnect) */
  commands(node: string): string {
    return `${this.prefix}:cmd:${node}`;
  }

  /** pub/sub channel every node listens on (broadcast) */
  get everyone(): string {
    return `${this.prefix}:all`;
  }
}

import { SERVER, type PropSpec } from '../api/table.js';
import { EngineError } from '../engine/errors.js';
import { TextBytes, type Body } from '../engine/message.js';
import { DEFAULT_PING_INTERVAL_MS } from '../engine/options.js';
import { ClusterNode, DEFAULT_CLUSTER_TTL_MS } from '../engine/cluster/node.js';
import { checkRedisUrl, maskUrl } from '../engine/cluster/redis.js';
import { Server, type ServerIncoming } from '../engine/server.js';
import { timeoutMs, type Arguments } from './arguments.js';
import { body, GRANT_SHARE, num, str, type Binding, type CallResult, type Grant, type OutValue, type ResultForm } from './binding.js';
import { EventFeed, isEventProp } from './event-feed.js';
import type { ParkedServers } from './parked-servers.js';
import { ReceiveBatches } from './receive-batches.js';
import { checkSetting, parseIdList, settingCount, settingMs, splitList } from './settings.js';
import type { WireValue } from './wire.js';

/** A server's message as an external event: JSON with the connection id. */
function serverEvent(message: ServerIncoming): { name: string; data: string } {
  const text = message.data instanceof TextBytes;
  const data = message.data instanceof TextBytes ? message.data.toString() : message.data.toString('base64');
  return { name: text ? 'message' : 'binary', data: JSON.stringify({ id: message.id, data }) };
}

const SEND = SERVER.methods.findIndex((m) => m.en === 'Send');
const RECEIVE = SERVER.methods.findIndex((m) => m.en === 'Receive');
const RECEIVE_MESSAGE = SERVER.methods.findIndex((m) => m.en === 'ReceiveMessage');
/** Принять: True, the connection id in out-parameter 1, the message in 2 */
const receiveResult: ResultForm<ServerIncoming> = (m, to) => to.result(true, 2).out(1, m.id).out(2, m.data);
/** ПринятьСообщение: the message is the result, its connection id is ИДОтправителя (docs/other-hosts.md) */
const messageResult: ResultForm<ServerIncoming> = (m, to) => to.result(m.data, 0);
const SENT: CallResult = Object.freeze({ value: true });
const NOT_SENT: CallResult = Object.freeze({ value: false });
/** Connection ids a server grant names at most. */
const GRANT_KEYS = 256;

export class ServerBinding implements Binding {
  readonly spec = SERVER;
  readonly events = new EventFeed<ServerIncoming>(serverEvent);
  private certificate = '';
  /** Владелец: who may re-attach to this server once the object is gone ("" nobody: it stops) */
  private owner = '';
  /** КластерRedis and ИмяСервиса: "" runs a server of its own (docs/cluster.md) */
  private clusterUrl = '';
  private service = '';
  private readonly batches = new ReceiveBatches<ServerIncoming>(
    () => this.server,
    (m) => m.data,
    receiveResult,
  );
  /** connection ids the library last heard of (a send grant names those still open) */
  private recent: number[] = [];

  constructor(
    private readonly parked: ParkedServers,
    public server = new Server(),
  ) {
    this.watch(server);
  }

  /** Raises the server's connection openings and closings as external events. */
  private watch(server: Server): void {
    this.events.attach(server.messageQueue);
    server.observer = {
      opened: (id, address) => this.events.notice('open', JSON.stringify({ id, address })),
      closed: (id, code, reason) => this.events.notice('close', JSON.stringify({ id, code, reason })),
    };
  }

  /** The cluster node this server is, in cluster mode. */
  private get node(): ClusterNode | undefined {
    const cluster = this.server.cluster;
    return cluster instanceof ClusterNode ? cluster : undefined;
  }

  /** A connection id that may live on another node (only Redis knows: the call waits for it). */
  private elsewhere(id: number): boolean {
    return this.node !== undefined && !this.server.connectionIds.includes(id);
  }

  callNow(methodId: number, args: Arguments): CallResult | undefined {
    if (methodId === SEND) return this.elsewhere(num(args[0])) ? undefined : this.send(num(args[0]), body(args[1]));
    if ((methodId === RECEIVE || methodId === RECEIVE_MESSAGE) && this.server.isRunning) {
      timeoutMs(num(args[0]));
      this.batches.giveBack(); // a reader that ignores batches asks again: they come first
      const ready = this.server.receiveReady(1, Infinity);
      if (ready.length === 0) return undefined;
      return this.received(ready[0] as ServerIncoming, methodId === RECEIVE_MESSAGE ? messageResult : undefined);
    }
    return undefined;
  }

  async call(methodId: number, args: Arguments): Promise<CallResult> {
    switch (SERVER.methods[methodId]?.en) {
      case 'Run': {
        const [iface, port, certificate] = [str(args[0]), num(args[1]), str(args[2])];
        const adopted = this.server.isRunning ? undefined : await this.parked.claim(iface, port, certificate, this.owner);
        if (adopted) {
          this.server.observer = undefined;
          this.server = adopted;
          this.watch(adopted);
        } else {
          const node = await this.joinCluster();
          await this.server.run(iface, port, certificate, str(args[3]), str(args[4])).catch(async (error: unknown) => {
            await node?.leave();
            const parked = error instanceof EngineError && error.key === 'portBusy' ? this.parked.busyBecause(iface, port, this.owner) : undefined;
            throw parked ?? error;
          });
          node?.start();
        }
        this.certificate = certificate;
        return { value: true };
      }
      case 'Stop':
        await this.server.stop();
        return { value: true };
      case 'Send': {
        const id = num(args[0]);
        if (this.elsewhere(id)) return { value: await (this.node as ClusterNode).send(id, body(args[1])) };
        return this.send(id, body(args[1]));
      }
      case 'Receive':
      case 'ReceiveMessage': {
        const asResult = methodId === RECEIVE_MESSAGE;
        this.batches.giveBack(); // a reader that ignores batches asks again: they come first
        const taken = await this.server.receiveIncoming(timeoutMs(num(args[0])));
        if (!taken.received) {
          this.batches.nothing();
          return asResult ? { value: undefined } : { value: false, outs: [[1, 0], [2, '']] };
        }
        return this.received(taken.value, asResult ? messageResult : undefined);
      }
      case 'Disconnect': {
        const id = num(args[0]);
        if (this.elsewhere(id)) return { value: await (this.node as ClusterNode).disconnect(id) };
        return { value: this.server.disconnect(id) };
      }
      case 'Broadcast': {
        const list = str(args[1]);
        const ids = list.trim() === '' ? undefined : parseIdList(list);
        const node = this.node;
        return { value: node ? await node.broadcast(body(args[0]), ids) : this.server.broadcast(body(args[0]), ids) };
      }
      case 'ConnectionInfo': {
        const id = num(args[0]);
        const info = this.elsewhere(id) ? await (this.node as ClusterNode).connectionInfo(id) : this.server.connectionInfo(id);
        return { value: info ? JSON.stringify(info) : '' };
      }
      case 'ReceiveEvent': {
        const taken = await this.server.receiveEvent(timeoutMs(num(args[0])));
        return taken.received
          ? { value: true, outs: [[1, taken.value.id], [2, taken.value.event]] }
          : { value: false, outs: [[1, 0], [2, '']] };
      }
      default:
        throw new Error(`Server method ${methodId} is not bound`);
    }
  }

  get(propId: number): OutValue {
    const o = this.server.options;
    if (isEventProp(SERVER.props[propId])) return this.events.get(SERVER.props[propId] as PropSpec);
    switch (SERVER.props[propId]?.en) {
      case 'Server':
        return this.server.server;
      case 'Port':
        return this.server.port;
      case 'Connections':
        return this.node?.connections ?? this.server.connections;
      case 'Compression':
        return o.compression ?? false;
      case 'MaxMessageSize':
        return o.limits?.maxMessageSize ?? 0;
      case 'MaxConnections':
        return o.maxConnections ?? 0;
      case 'AllowedOrigins':
        return (o.allowedOrigins ?? []).join(', ');
      case 'Health':
        return JSON.stringify(this.server.health);
      case 'IsBinary':
        return this.batches.binary;
      case 'ConnectionEvents':
        return o.connectionEvents ?? false;
      case 'PingInterval':
        return o.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
      case 'ClientCAFile':
        return o.clientCaFile ?? '';
      case 'Owner':
        return this.owner;
      case 'SenderID':
        return this.batches.last?.id ?? 0;
      case 'ClusterRedis':
        return maskUrl(this.clusterUrl);
      case 'ServiceName':
        return this.service;
      default:
        throw new Error(`Server property ${propId} is not readable`);
    }
  }

  set(propId: number, value: WireValue): OutValue | void {
    const prop = SERVER.props[propId] as PropSpec;
    if (isEventProp(prop)) return this.events.set(prop, value);
    const v = checkSetting(prop, value);
    const o = this.server.options;
    switch (prop.en) {
      case 'Compression':
      case 'MaxMessageSize':
      case 'PingInterval':
      case 'ClientCAFile':
      case 'Owner': // a running server keeps the owner it was run (or re-attached) under
      case 'ClusterRedis':
      case 'ServiceName':
        if (this.server.isRunning) throw new EngineError('settingWhileConnected', [prop]);
    }
    switch (prop.en) {
      case 'Compression':
        o.compression = v as boolean;
        return;
      case 'MaxMessageSize':
        o.limits = { ...o.limits, maxMessageSize: settingCount(prop, v as number) || undefined };
        return;
      case 'MaxConnections':
        o.maxConnections = settingCount(prop, v as number);
        return;
      case 'AllowedOrigins':
        o.allowedOrigins = splitList(v as string);
        return;
      case 'ConnectionEvents':
        o.connectionEvents = v as boolean;
        return;
      case 'PingInterval':
        o.pingIntervalMs = settingMs(prop, v as number);
        return;
      case 'ClientCAFile':
        o.clientCaFile = (v as string) || undefined;
        return;
      case 'Owner':
        this.owner = v as string;
        return;
      case 'ClusterRedis':
        if (v !== '') checkRedisUrl(v as string);
        this.clusterUrl = v as string;
        return;
      case 'ServiceName':
        this.service = (v as string).trim();
        return;
      default:
        throw new Error(`Server property ${propId} is not writable`);
    }
  }

  /** Cluster mode: connected to Redis before the port is taken, so an unreachable Redis fails Run cleanly. */
  private async joinCluster(): Promise<ClusterNode | undefined> {
    if (this.clusterUrl === '') return undefined;
    if (this.service === '') throw new EngineError('clusterNeedsService');
    const ttlMs = Number(process.env.ONEC_WEBSOCKET_CLUSTER_TTL_MS ?? DEFAULT_CLUSTER_TTL_MS);
    return ClusterNode.connect(this.server, { url: this.clusterUrl, service: this.service, ttlMs });
  }

  private send(id: number, data: Body): CallResult {
    this.server.holdWrites(id);
    const sent = this.server.send(id, data);
    if (sent && !this.recent.includes(id)) this.remember([id]);
    return sent ? SENT : NOT_SENT;
  }

  /** A received message, with the ones queued behind it as a batch (`resultOf`: see ReceiveBatches.answer). */
  private received(message: ServerIncoming, resultOf?: ResultForm<ServerIncoming>): CallResult {
    const result = this.batches.answer(message, this.events.enabled, resultOf);
    this.node?.acknowledge([message]); // handed to BSL: done for the whole service
    this.remember([message.id, ...this.batches.lentItems.map((m) => m.id)]);
    return result;
  }

  taken(count: number, giveUpRest: boolean): void {
    this.node?.acknowledge(this.batches.lentItems.slice(0, count));
    this.batches.taken(count, giveUpRest);
  }

  /** Send to the connections the library last heard of, with the least room any of them has. */
  grant(): Grant | undefined {
    let credit = Infinity;
    const keys: number[] = [];
    for (const id of this.recent) {
      const room = this.server.sendCredit(id, GRANT_SHARE);
      if (room <= 0) continue;
      keys.push(id);
      credit = Math.min(credit, room);
    }
    return keys.length > 0 ? { methodId: SEND, credit, keys } : undefined;
  }

  private remember(ids: number[]): void {
    const known = new Set(ids);
    for (const id of this.recent) {
      if (known.size >= GRANT_KEYS) break;
      known.add(id);
    }
    this.recent = [...known].slice(0, GRANT_KEYS);
  }

  /** Without Остановить() a server with an owner outlives its object for a grace period (ParkedServers). */
  dispose(): Promise<void> {
    this.batches.giveBack(); // what the library did not report taken stays queued (a parked server keeps it)
    this.events.dispose();
    this.server.observer = undefined;
    return this.parked.park(this.server, this.certificate, this.owner);
  }
}

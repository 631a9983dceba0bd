import { CLIENT, SERVER, type ClassSpec, type PropSpec } from '../api/table.js';
import { Client, type CloseInfo } from '../engine/client.js';
import { EngineError } from '../engine/errors.js';
import type { Message } from '../engine/message.js';
import { displayUrl } from '../engine/url.js';
import { Server, type ServerMessage } from '../engine/server.js';
import type { Lang } from '../i18n/messages.js';
import type { Arguments } from './arguments.js';
import { timeoutMs } from './arguments.js';
import { EventFeed, isEventProp } from './event-feed.js';
import type { ParkedServers } from './parked-servers.js';
import { checkHeader, checkSetting, parseIdList, settingCount, settingMs, splitList } from './settings.js';
import type { WireValue } from './wire.js';

export type OutValue = WireValue | Buffer;

export interface CallResult {
  value: OutValue;
  /** out-parameters to write back: [argument index, new value] */
  outs?: Array<[number, OutValue]>;
}

/** What one add-in object is in the engine: the table entry and the engine object behind it. */
export interface Binding {
  readonly spec: ClassSpec;
  call(methodId: number, args: Arguments): Promise<CallResult> | CallResult;
  get(propId: number): OutValue;
  /** sets a property; what it answers goes back in the SET response (the events token) */
  set(propId: number, value: WireValue): OutValue | void;
  /** the object's external events (src/daemon/event-feed.ts) */
  readonly events: { lang: () => Lang };
  /** the object is gone (Done, DestroyObject, or the 1C process died) */
  dispose(): Promise<void>;
}

const str = (v: unknown): string => v as string;
const num = (v: unknown): number => v as number;
const body = (v: unknown): string | Buffer => v as string | Buffer;

/** A client's message as an external event: text as it is, binary frames as Base64. */
function clientEvent(message: Message): { name: string; data: string } {
  return typeof message === 'string' ? { name: 'message', data: message } : { name: 'binary', data: message.toString('base64') };
}

/** A server's message as an external event: JSON with the connection id. */
function serverEvent(message: ServerMessage): { name: string; data: string } {
  const binary = typeof message.data !== 'string';
  const data = typeof message.data === 'string' ? message.data : message.data.toString('base64');
  return { name: binary ? 'binary' : 'message', data: JSON.stringify({ id: message.id, data }) };
}

export class ClientBinding implements Binding {
  readonly spec = CLIENT;
  readonly events = new EventFeed<Message>(clientEvent);
  private lastBinary = false;

  constructor(readonly client = new Client()) {
    this.events.attach(client.messageQueue);
    client.observer = {
      opened: () => this.events.notice('open', client.server),
      closed: (info: CloseInfo, clean: boolean, reconnecting: boolean) => {
        const text = info.reason ? `${info.code} ${info.reason}` : String(info.code);
        if (!clean) this.events.notice('error', (lang) => new EngineError('connectionClosed', [client.server, text]).text(lang));
        this.events.notice('close', JSON.stringify({ code: info.code, reason: info.reason, clean, reconnecting }));
      },
    };
  }

  async call(methodId: number, args: Arguments): Promise<CallResult> {
    switch (CLIENT.methods[methodId]?.en) {
      case 'Connect':
        await this.client.connect(str(args[0]));
        return { value: true };
      case 'Disconnect':
        await this.client.disconnect();
        return { value: true };
      case 'Send':
        this.client.send(body(args[0]));
        return { value: true };
      case 'Receive': {
        const taken = await this.client.receive(timeoutMs(num(args[0])));
        this.lastBinary = taken.received && Buffer.isBuffer(taken.value);
        return { value: taken.received, outs: [[1, taken.received ? taken.value : '']] };
      }
      case 'SetHeader': {
        checkHeader(str(args[0]), str(args[1]));
        this.client.options.headers = { ...this.client.options.headers, [str(args[0])]: str(args[1]) };
        return { value: true };
      }
      case 'ClearHeaders':
        this.client.options.headers = {};
        return { value: true };
      default:
        throw new Error(`Client method ${methodId} is not bound`);
    }
  }

  get(propId: number): OutValue {
    const o = this.client.options;
    if (isEventProp(CLIENT.props[propId])) return this.events.get(CLIENT.props[propId] as PropSpec);
    switch (CLIENT.props[propId]?.en) {
      case 'Status':
        return this.client.status;
      case 'Server':
        return this.client.server;
      case 'Subprotocols':
        return (o.protocols ?? []).join(', ');
      case 'Protocol':
        return this.client.protocol;
      case 'ConnectTimeout':
        return o.connectTimeoutMs ?? 0;
      case 'PingInterval':
        return o.pingIntervalMs ?? 0;
      case 'PingTimeout':
        return o.pingTimeoutMs ?? 0;
      case 'CAFile':
        return o.tls?.caFile ?? '';
      case 'ClientCertificate':
        return o.tls?.certFile ?? '';
      case 'ClientKey':
        return o.tls?.keyFile ?? '';
      case 'InsecureSkipVerify_DANGER':
        return o.tls?.rejectUnauthorized === false;
      case 'Proxy':
        // read back like Сервер: a password in the proxy URL is never shown
        return displayUrl(o.proxy ?? '');
      case 'Compression':
        return o.compression ?? false;
      case 'MaxMessageSize':
        return o.limits?.maxMessageSize ?? 0;
      case 'CloseCode':
        return this.client.closeInfo?.code ?? 0;
      case 'CloseReason':
        return this.client.closeInfo?.reason ?? '';
      case 'IsBinary':
        return this.lastBinary;
      case 'AutoReconnect':
        return o.autoReconnect ?? false;
      case 'Reconnecting':
        return this.client.reconnecting;
      default:
        throw new Error(`Client property ${propId} is not readable`);
    }
  }

  set(propId: number, value: WireValue): OutValue | void {
    const prop = CLIENT.props[propId] as PropSpec;
    if (isEventProp(prop)) return this.events.set(prop, value);
    const v = checkSetting(prop, value);
    if (this.client.busy && prop.en !== 'AutoReconnect') throw new EngineError('settingWhileConnected', [prop]);
    const o = this.client.options;
    const tls = (o.tls ??= {});
    switch (prop.en) {
      case 'Subprotocols':
        o.protocols = splitList(v as string);
        return;
      case 'ConnectTimeout':
        o.connectTimeoutMs = settingMs(prop, v as number);
        return;
      case 'PingInterval':
        o.pingIntervalMs = settingMs(prop, v as number);
        return;
      case 'PingTimeout':
        o.pingTimeoutMs = settingMs(prop, v as number);
        return;
      case 'CAFile':
        tls.caFile = (v as string) || undefined;
        return;
      case 'ClientCertificate':
        tls.certFile = (v as string) || undefined;
        return;
      case 'ClientKey':
        tls.keyFile = (v as string) || undefined;
        return;
      case 'ClientKeyPassword':
        tls.passphrase = v as string;
        return;
      case 'InsecureSkipVerify_DANGER':
        tls.rejectUnauthorized = !(v as boolean);
        return;
      case 'Proxy':
        o.proxy = v as string;
        return;
      case 'Compression':
        o.compression = v as boolean;
        return;
      case 'MaxMessageSize':
        o.limits = { ...o.limits, maxMessageSize: settingCount(prop, v as number) || undefined };
        return;
      case 'AutoReconnect':
        o.autoReconnect = v as boolean;
        return;
      default:
        throw new Error(`Client property ${propId} is not writable`);
    }
  }

  dispose(): Promise<void> {
    this.events.dispose();
    this.client.observer = undefined;
    return this.client.disconnect();
  }
}

export class ServerBinding implements Binding {
  readonly spec = SERVER;
  readonly events = new EventFeed<ServerMessage>(serverEvent);
  private certificate = '';
  private lastBinary = false;

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

  async call(methodId: number, args: Arguments): Promise<CallResult> {
    switch (SERVER.methods[methodId]?.en) {
      case 'Run': {
        const [iface, port, certificate] = [str(args[0]), num(args[1]), str(args[2])];
        const adopted = this.server.isRunning ? undefined : await this.parked.claim(iface, port, certificate);
        if (adopted) {
          this.server.observer = undefined;
          this.server = adopted;
          this.watch(adopted);
        } else {
          await this.server.run(iface, port, certificate, str(args[3]), str(args[4]));
        }
        this.certificate = certificate;
        return { value: true };
      }
      case 'Stop':
        await this.server.stop();
        return { value: true };
      case 'Send':
        return { value: this.server.send(num(args[0]), body(args[1])) };
      case 'Receive': {
        const taken = await this.server.receive(timeoutMs(num(args[0])));
        this.lastBinary = taken.received && Buffer.isBuffer(taken.value.data);
        return taken.received
          ? { value: true, outs: [[1, taken.value.id], [2, taken.value.data as Message]] }
          : { value: false, outs: [[1, 0], [2, '']] };
      }
      case 'Disconnect':
        return { value: this.server.disconnect(num(args[0])) };
      case 'Broadcast': {
        const list = str(args[1]);
        return { value: this.server.broadcast(body(args[0]), list.trim() === '' ? undefined : parseIdList(list)) };
      }
      case 'ConnectionInfo': {
        const info = this.server.connectionInfo(num(args[0]));
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
        return this.server.connections;
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
        return this.lastBinary;
      case 'ConnectionEvents':
        return o.connectionEvents ?? false;
      case 'PingInterval':
        return o.pingIntervalMs ?? 0;
      case 'ClientCAFile':
        return o.clientCaFile ?? '';
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
      default:
        throw new Error(`Server property ${propId} is not writable`);
    }
  }

  /** Without Остановить() the server outlives its object for a grace period (ParkedServers). */
  dispose(): Promise<void> {
    this.events.dispose();
    this.server.observer = undefined;
    return this.parked.park(this.server, this.certificate);
  }
}

export function createBinding(classId: number, parked: ParkedServers): Binding | undefined {
  if (classId === 0) return new ClientBinding();
  if (classId === 1) return new ServerBinding(parked);
  return undefined;
}

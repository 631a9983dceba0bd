import { CLIENT, type PropSpec } from '../api/table.js';
import { Client, type CloseInfo } from '../engine/client.js';
import { EngineError } from '../engine/errors.js';
import { TextBytes, type Incoming } from '../engine/message.js';
import { DEFAULT_PING_INTERVAL_MS } from '../engine/options.js';
import { displayUrl } from '../engine/url.js';
import { timeoutMs, type Arguments } from './arguments.js';
import { body, GRANT_SHARE, num, str, type Binding, type CallResult, type Grant, type OutValue, type ResultForm } from './binding.js';
import { EventFeed, isEventProp } from './event-feed.js';
import { ReceiveBatches } from './receive-batches.js';
import { checkHeader, checkSetting, settingCount, settingMs, splitList } from './settings.js';
import type { WireValue } from './wire.js';

/** A client's message as an external event: text as it is, binary frames as Base64. */
function clientEvent(message: Incoming): { name: string; data: string } {
  return message instanceof TextBytes ? { name: 'message', data: message.toString() } : { name: 'binary', data: message.toString('base64') };
}

const SEND = CLIENT.methods.findIndex((m) => m.en === 'Send');
const RECEIVE = CLIENT.methods.findIndex((m) => m.en === 'Receive');
const RECEIVE_MESSAGE = CLIENT.methods.findIndex((m) => m.en === 'ReceiveMessage');
/** Принять: True, the message in out-parameter 1 */
const receiveResult: ResultForm<Incoming> = (m, to) => to.result(true, 1).out(1, m);
/** ПринятьСообщение: the message is the result (docs/other-hosts.md) */
const messageResult: ResultForm<Incoming> = (m, to) => to.result(m, 0);
const SENT: CallResult = Object.freeze({ value: true });

export class ClientBinding implements Binding {
  readonly spec = CLIENT;
  readonly events = new EventFeed<Incoming>(clientEvent);
  private readonly batches: ReceiveBatches<Incoming>;

  constructor(readonly client = new Client()) {
    this.batches = new ReceiveBatches<Incoming>(
      () => client,
      (m) => m,
      receiveResult,
    );
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

  callNow(methodId: number, args: Arguments): CallResult | undefined {
    if (methodId === SEND) {
      this.client.holdWrites();
      this.client.send(body(args[0]));
      return SENT;
    }
    if (methodId === RECEIVE || methodId === RECEIVE_MESSAGE) {
      timeoutMs(num(args[0]));
      this.batches.giveBack(); // a reader that ignores batches asks again: they come first
      const ready = this.client.receiveReady(1, Infinity);
      if (ready.length === 0) return undefined;
      return this.batches.answer(ready[0] as Incoming, this.events.enabled, methodId === RECEIVE_MESSAGE ? messageResult : undefined);
    }
    return undefined;
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
        this.client.holdWrites();
        this.client.send(body(args[0]));
        return { value: true };
      case 'Receive':
      case 'ReceiveMessage': {
        const asResult = methodId === RECEIVE_MESSAGE;
        this.batches.giveBack(); // a reader that ignores batches asks again: they come first
        const taken = await this.client.receiveIncoming(timeoutMs(num(args[0])));
        if (!taken.received) {
          this.batches.nothing();
          return asResult ? { value: undefined } : { value: false, outs: [[1, '']] };
        }
        return this.batches.answer(taken.value, this.events.enabled, asResult ? messageResult : undefined);
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
        return o.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
      case 'PingTimeout':
        // the timeout in effect: unset or 0 means the interval
        return o.pingTimeoutMs || (o.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS);
      case 'CAFile':
        return o.tls?.caFile ?? '';
      case 'CAFileOnly':
        return o.tls?.caFileOnly ?? false;
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
        return this.batches.binary;
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
      case 'CAFileOnly':
        tls.caFileOnly = v as boolean;
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

  taken(count: number, giveUpRest: boolean): void {
    this.batches.taken(count, giveUpRest);
  }

  grant(): Grant | undefined {
    const credit = this.client.sendCredit(GRANT_SHARE);
    return credit > 0 ? { methodId: SEND, credit } : undefined;
  }

  dispose(): Promise<void> {
    this.events.dispose();
    this.client.observer = undefined;
    return this.client.disconnect();
  }
}

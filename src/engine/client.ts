import WebSocket from 'ws';
import type { ClientRequestArgs, IncomingMessage } from 'node:http';
import { proxyAgent } from './client-agent.js';
import { connectError } from './connect-errors.js';
import { EngineError } from './errors.js';
import { startHeartbeat } from './heartbeat.js';
import { frameOf, incomingSize, TextBytes, toIncoming, toMessage, type Body, type Incoming, type Message } from './message.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PING_INTERVAL_MS, limitOf, withLimits, type Limits } from './options.js';
import { MessageQueue, type Taken } from './queue.js';
import { loadTlsCredentials, readCredentialFile } from './tls-credentials.js';
import { trustedContext, type TrustChoice } from './trust.js';
import { displayUrl, parseServerUrl } from './url.js';
import { holdWrites } from './write-batch.js';

/** −1: the connection failed or broke, 0: not connected, 1: connected (the document's Статус). */
export type ClientStatus = -1 | 0 | 1;

export interface ClientTls {
  /** extra trusted certificate authorities (PEM text), added to the default and system roots */
  ca?: string | Buffer | Array<string | Buffer>;
  /** a PEM file of extra trusted certificate authorities, added like `ca` */
  caFile?: string;
  /** trust only `ca` and `caFile`: neither Node's bundled roots nor the system store */
  caFileOnly?: boolean;
  /** trust the operating system's store too (default true; see src/engine/trust.ts) */
  systemCa?: boolean;
  /** client certificate for mutual TLS: a PEM file (may also hold the key) */
  certFile?: string;
  /** the client key file, when not in certFile */
  keyFile?: string;
  /** password of an encrypted client key */
  passphrase?: string;
  /** false skips certificate verification: for test stands only */
  rejectUnauthorized?: boolean;
}

/** Settings read at every connect; change them between connections. */
export interface ClientOptions {
  limits?: Partial<Limits>;
  connectTimeoutMs?: number;
  headers?: Record<string, string>;
  protocols?: string[];
  tls?: ClientTls;
  /** ping the server this often (0 = never; default DEFAULT_PING_INTERVAL_MS, 30 s) */
  pingIntervalMs?: number;
  /** a ping unanswered this long means the server is gone (0 or unset: the ping interval) */
  pingTimeoutMs?: number;
  /** an HTTP proxy URL for CONNECT tunnelling, or "env" for HTTP_PROXY / HTTPS_PROXY / NO_PROXY */
  proxy?: string;
  /** negotiate permessage-deflate */
  compression?: boolean;
  /** after a broken connection, reconnect with backoff; Send keeps queueing meanwhile */
  autoReconnect?: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Told when the connection opens and ends (the add-in's external events, src/daemon/event-feed.ts). */
export interface ClientObserver {
  opened(): void;
  /** `clean`: Статус stays 0 (1000/1001/1005, no failure); `reconnecting`: autoReconnect takes over */
  closed(info: CloseInfo, clean: boolean, reconnecting: boolean): void;
}

const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 30_000;

/**
 * A WebSocket client with the semantics of the original 1C add-in: a blocking connect, sending in
 * the background, and an ordered queue of received messages read with a timeout.
 */
export class Client {
  private socket: WebSocket | undefined;
  private state: ClientStatus = 0;
  private url = '';
  private target: URL | undefined;
  private lastClose: CloseInfo | undefined;
  /** the open connection hit an error (it will close with −1 whatever code it reports) */
  private failed = false;
  private abortConnect: ((error: EngineError) => void) | undefined;
  private stopHeartbeat: () => void = () => undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_FIRST_MS;
  private isReconnecting = false;
  /** messages accepted by send() while reconnecting, sent once the connection is back */
  private outbox: Body[] = [];
  private outboxBytes = 0;
  private readonly queue: MessageQueue<Incoming>;
  observer: ClientObserver | undefined;

  constructor(readonly options: ClientOptions = {}) {
    const limits = withLimits(options.limits);
    this.queue = new MessageQueue<Incoming>(
      incomingSize,
      { pause: () => this.socket?.pause(), resume: () => this.socket?.resume() },
      limits.incomingHighWater,
      limits.incomingLowWater,
    );
    // No connection yet: nothing can arrive, so receive(0) answers "nothing" at once instead of
    // waiting forever. connect() opens the queue.
    this.queue.close();
  }

  get status(): ClientStatus {
    return this.state;
  }

  /** The address of the current (or last) connection, with any password hidden. */
  get server(): string {
    return this.url;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.lastClose;
  }

  /** The subprotocol the server chose ("" if none). */
  get protocol(): string {
    return this.socket?.protocol ?? '';
  }

  /** A broken connection is being re-established (autoReconnect). */
  get reconnecting(): boolean {
    return this.isReconnecting;
  }

  /** Connected, connecting or reconnecting: settings that shape the connection cannot change now. */
  get busy(): boolean {
    return this.target !== undefined;
  }

  /** Messages received and not yet taken by `receive`. */
  get queued(): { messages: number; bytes: number } {
    return { messages: this.queue.length, bytes: this.queue.bytes };
  }

  /** The queue `receive` reads (the external-event feed borrows from it). */
  get messageQueue(): MessageQueue<Incoming> {
    return this.queue;
  }

  async connect(address: string): Promise<void> {
    if (this.target) throw new EngineError('alreadyConnected', [this.url]);
    const url = parseServerUrl(address);
    this.url = displayUrl(address.trim());
    this.lastClose = undefined;
    this.queue.reopen();
    this.target = url;
    try {
      await this.open(url);
    } catch (error) {
      this.target = undefined;
      this.state = -1;
      // the connection never came: receive(0) must not wait for it (queued messages stay)
      this.queue.close();
      throw error;
    }
  }

  /** Closes the connection cleanly. Calling it when not connected does nothing. */
  async disconnect(): Promise<void> {
    const socket = this.socket;
    const wasActive = this.target !== undefined;
    const wasOpen = this.state === 1;
    this.target = undefined;
    this.cancelReconnect();
    this.dropOutbox();
    this.abortConnect?.(new EngineError('connectAborted', [this.url]));
    this.socket = undefined;
    if (wasActive) this.state = 0;
    this.queue.close();
    if (wasOpen) this.observer?.closed({ code: 1000, reason: '' }, true, false);
    this.stopHeartbeat();
    if (socket) await closeGracefully(socket);
  }

  /** Queues a message for sending; fails if not connected or if the peer does not keep up. */
  send(data: Body): void {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data instanceof TextBytes ? data.bytes.length : data.byteLength;
    const limit = limitOf(this.options.limits, 'maxOutgoingBuffer');
    const socket = this.socket;
    if (this.target && this.options.autoReconnect && this.state !== 1) {
      if (this.outboxBytes + size > limit) throw new EngineError('outgoingBufferFull', [this.outboxBytes, limit]);
      this.outbox.push(data);
      this.outboxBytes += size;
      return;
    }
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      if (this.lastClose) throw new EngineError('connectionClosed', [this.url, describeClose(this.lastClose)]);
      throw new EngineError('notConnected');
    }
    if (socket.bufferedAmount + size > limit) {
      throw new EngineError('outgoingBufferFull', [socket.bufferedAmount, limit]);
    }
    socket.send(data instanceof TextBytes ? data.bytes : data, frameOf(data));
  }

  /**
   * The next message, waiting up to `timeoutMs` (0 = until a message arrives or the connection
   * ends). Messages that arrived before the connection ended are delivered first.
   */
  async receive(timeoutMs: number): Promise<Taken<Message>> {
    const taken = await this.queue.take(timeoutMs);
    return taken.received ? { received: true, value: toMessage(taken.value) } : taken;
  }

  /** `receive`, with text still as the UTF-8 bytes that came (the add-in passes them on as they are). */
  receiveIncoming(timeoutMs: number): Promise<Taken<Incoming>> {
    return this.queue.take(timeoutMs);
  }

  /** The writes of sends in this event-loop turn leave together at its end (see holdWrites). */
  holdWrites(): void {
    if (this.socket) holdWrites(this.socket);
  }

  /** Messages already received, without waiting: a batch for a reader that asked for one. */
  receiveReady(maxCount: number, maxBytes: number): Incoming[] {
    return this.queue.takeReady(maxCount, maxBytes);
  }

  /** Messages taken earlier and not used go back ahead of the rest, in their order. */
  giveBack(messages: readonly Incoming[]): void {
    this.queue.putBack(messages);
  }

  /**
   * Bytes `send` accepts right now while keeping what waits to be sent at or below `fraction` of
   * the limit; 0 when it would fail whatever the size.
   */
  sendCredit(fraction = 1): number {
    const limit = limitOf(this.options.limits, 'maxOutgoingBuffer') * fraction;
    if (this.target && this.options.autoReconnect && this.state !== 1) return Math.max(0, limit - this.outboxBytes);
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return 0;
    return Math.max(0, limit - socket.bufferedAmount);
  }

  private async open(url: URL): Promise<void> {
    const socket = new WebSocket(url, this.options.protocols ?? [], this.socketOptions(url));
    this.socket = socket;
    this.failed = false;
    // Listen from the first moment: messages can arrive in the same packet as the handshake answer.
    socket.on('message', (data: Buffer, isBinary: boolean) => this.queue.push(toIncoming(data, isBinary)));
    socket.on('error', () => {
      // A protocol error (oversized or malformed frame, invalid UTF-8) is always followed by 'close'.
      if (this.state === 1) this.failed = true;
    });
    socket.on('close', (code: number, reason: Buffer) => this.onClose(socket, code, reason));
    try {
      await this.opened(socket);
    } catch (error) {
      if (this.socket === socket) this.socket = undefined;
      socket.terminate();
      throw error;
    }
    if (this.queue.isPaused) socket.pause();
    this.stopHeartbeat = startHeartbeat(socket, this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, this.options.pingTimeoutMs ?? 0, () => {
      this.failed = true;
      socket.terminate();
    });
    this.flushOutbox(socket);
  }

  private socketOptions(url: URL): WebSocket.ClientOptions & ClientRequestArgs {
    const limits = withLimits(this.options.limits);
    const tls = this.options.tls ?? {};
    const identity = tls.certFile ? loadTlsCredentials(tls.certFile, tls.keyFile ?? '', tls.passphrase ?? '') : undefined;
    const verifying = url.protocol === 'wss:' && tls.rejectUnauthorized !== false;
    return {
      maxPayload: limits.maxMessageSize,
      // ws caps a message at 16384 fragments by default; the size limit is the one we mean.
      maxFragments: 0,
      perMessageDeflate: this.options.compression ?? false,
      followRedirects: false,
      headers: this.options.headers,
      agent: proxyAgent(this.options.proxy ?? '', url),
      ...(verifying ? { secureContext: trustedContext(this.trustChoice(tls), identity) } : { cert: identity?.cert, key: identity?.key }),
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    };
  }

  /** Node's roots, the system store and the program's CAs — or only the program's (caFileOnly). */
  private trustChoice(tls: ClientTls): TrustChoice {
    const own = toArray(tls.ca).map((pem) => pem.toString());
    if (tls.caFile) own.push(readCaFile(tls.caFile));
    if (tls.caFileOnly && own.length === 0) throw new EngineError('caFileOnlyWithoutFile');
    return { own, ownOnly: tls.caFileOnly, system: tls.systemCa };
  }

  private opened(socket: WebSocket): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs || DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new EngineError('connectTimeout', [this.url, timeoutMs])), timeoutMs);
      const finish = (error?: EngineError): void => {
        clearTimeout(timer);
        this.abortConnect = undefined;
        socket.off('open', onOpen);
        socket.off('error', onError);
        socket.off('unexpected-response', onResponse);
        socket.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onOpen = (): void => {
        this.state = 1;
        this.observer?.opened();
        finish();
      };
      const onClose = (): void => finish(new EngineError('connectFailed', [this.url, 'closed during the handshake']));
      const onError = (error: Error): void => finish(connectError(this.url, url.hostname, error));
      const onResponse = (_request: unknown, response: IncomingMessage): void => {
        response.resume();
        finish(new EngineError('handshakeStatus', [this.url, `${response.statusCode} ${response.statusMessage ?? ''}`.trim()]));
      };
      const url = new URL(socket.url);
      this.abortConnect = finish;
      socket.once('open', onOpen);
      socket.on('error', onError);
      socket.once('unexpected-response', onResponse);
      socket.once('close', onClose);
    });
  }

  private onClose(socket: WebSocket, code: number, reason: Buffer): void {
    // While connecting, connect() itself reports the failure.
    if (this.socket !== socket || this.state !== 1) return;
    this.stopHeartbeat();
    this.lastClose = { code, reason: reason.toString('utf8') };
    this.socket = undefined;
    const clean = !this.failed && (code === 1000 || code === 1001 || code === 1005);
    if (!clean && this.options.autoReconnect && this.target) {
      this.state = 0;
      this.isReconnecting = true;
      this.scheduleReconnect();
      this.observer?.closed(this.lastClose, false, true);
      return;
    }
    this.target = undefined;
    this.state = clean ? 0 : -1;
    this.queue.close();
    this.observer?.closed(this.lastClose, clean, false);
  }

  private scheduleReconnect(): void {
    const target = this.target;
    if (!target) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open(target).then(
        () => {
          this.reconnectDelay = RECONNECT_FIRST_MS;
          this.isReconnecting = false;
        },
        () => {
          if (this.target !== target) return;
          this.state = 0;
          this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
          this.scheduleReconnect();
        },
      );
    }, this.reconnectDelay);
  }

  private cancelReconnect(): void {
    this.isReconnecting = false;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.reconnectDelay = RECONNECT_FIRST_MS;
  }

  private flushOutbox(socket: WebSocket): void {
    for (const data of this.outbox) socket.send(data instanceof TextBytes ? data.bytes : data, frameOf(data));
    this.dropOutbox();
  }

  private dropOutbox(): void {
    this.outbox = [];
    this.outboxBytes = 0;
  }
}


function toArray(ca: ClientTls['ca']): Array<string | Buffer> {
  if (ca === undefined) return [];
  return Array.isArray(ca) ? ca : [ca];
}

function readCaFile(path: string): string {
  return readCredentialFile(path).toString('utf8');
}

function describeClose(info: CloseInfo): string {
  return info.reason ? `${info.code} ${info.reason}` : String(info.code);
}

/** Sends a close frame and waits briefly for the peer's answer before dropping the socket. */
export function closeGracefully(socket: WebSocket, code = 1000, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => socket.terminate(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => undefined);
    try {
      socket.close(code);
    } catch {
      socket.terminate();
    }
  });
}

import WebSocket from 'ws';
import type { ClientRequestArgs, IncomingMessage } from 'node:http';
import { EngineError } from './errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, withLimits, type Limits } from './options.js';
import { MessageQueue, type Taken } from './queue.js';
import { displayUrl, parseServerUrl } from './url.js';
import { connectError } from './connect-errors.js';
import { messageSize, toMessage, type Message } from './message.js';

/** −1: the connection failed or broke, 0: not connected, 1: connected (the document's Статус). */
export type ClientStatus = -1 | 0 | 1;

export interface ClientTls {
  /** extra trusted certificate authorities (PEM) */
  ca?: string | Buffer | Array<string | Buffer>;
  /** false skips certificate verification: for test stands only */
  rejectUnauthorized?: boolean;
}

export interface ClientOptions {
  limits?: Partial<Limits>;
  connectTimeoutMs?: number;
  headers?: Record<string, string>;
  protocols?: string[];
  tls?: ClientTls;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A WebSocket client with the semantics of the original 1C add-in: a blocking connect, sending in
 * the background, and an ordered queue of received messages read with a timeout.
 */
export class Client {
  private socket: WebSocket | undefined;
  private state: ClientStatus = 0;
  private url = '';
  private lastClose: CloseInfo | undefined;
  /** the open connection hit an error (it will close with −1 whatever code it reports) */
  private failed = false;
  private abortConnect: ((error: EngineError) => void) | undefined;
  private readonly limits: Limits;
  private readonly queue: MessageQueue<Message>;

  constructor(private readonly options: ClientOptions = {}) {
    this.limits = withLimits(options.limits);
    this.queue = new MessageQueue<Message>(
      messageSize,
      { pause: () => this.socket?.pause(), resume: () => this.socket?.resume() },
      this.limits.incomingHighWater,
      this.limits.incomingLowWater,
    );
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

  /** Messages received and not yet taken by `receive`. */
  get queued(): { messages: number; bytes: number } {
    return { messages: this.queue.length, bytes: this.queue.bytes };
  }

  async connect(address: string): Promise<void> {
    if (this.socket) throw new EngineError('alreadyConnected', [this.url]);
    const url = parseServerUrl(address);
    this.url = displayUrl(address.trim());
    this.lastClose = undefined;
    this.failed = false;
    const socket = new WebSocket(url, this.options.protocols ?? [], this.socketOptions());
    this.socket = socket;
    this.queue.reopen();
    // Listen from the first moment: messages can arrive in the same packet as the handshake answer.
    socket.on('message', (data: Buffer, isBinary: boolean) => this.queue.push(toMessage(data, isBinary)));
    socket.on('error', () => {
      // A protocol error (oversized or malformed frame, invalid UTF-8) is always followed by 'close'.
      if (this.state === 1) this.failed = true;
    });
    socket.on('close', (code: number, reason: Buffer) => this.onClose(socket, code, reason));
    try {
      await this.opened(socket);
    } catch (error) {
      this.socket = undefined;
      this.state = -1;
      socket.terminate();
      throw error;
    }
    if (this.queue.isPaused) socket.pause();
  }

  /** Closes the connection cleanly. Calling it when not connected does nothing. */
  async disconnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    if (this.abortConnect) {
      this.abortConnect(new EngineError('connectAborted', [this.url]));
      return;
    }
    this.socket = undefined;
    this.state = 0;
    this.queue.close();
    await closeGracefully(socket);
  }

  /** Queues a message for sending; fails if not connected or if the peer does not keep up. */
  send(data: string | Uint8Array): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      if (this.lastClose) throw new EngineError('connectionClosed', [this.url, describeClose(this.lastClose)]);
      throw new EngineError('notConnected');
    }
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (socket.bufferedAmount + size > this.limits.maxOutgoingBuffer) {
      throw new EngineError('outgoingBufferFull', [socket.bufferedAmount, this.limits.maxOutgoingBuffer]);
    }
    socket.send(data, { binary: typeof data !== 'string' });
  }

  /**
   * The next message, waiting up to `timeoutMs` (0 = until a message arrives or the connection
   * ends). Messages that arrived before the connection ended are delivered first.
   */
  receive(timeoutMs: number): Promise<Taken<Message>> {
    return this.queue.take(timeoutMs);
  }

  private socketOptions(): WebSocket.ClientOptions & ClientRequestArgs {
    return {
      maxPayload: this.limits.maxMessageSize,
      // ws caps a message at 16384 fragments by default; the size limit is the one we mean.
      maxFragments: 0,
      perMessageDeflate: false,
      followRedirects: false,
      headers: this.options.headers,
      ca: this.options.tls?.ca,
      rejectUnauthorized: this.options.tls?.rejectUnauthorized ?? true,
    };
  }

  private opened(socket: WebSocket): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
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
    this.lastClose = { code, reason: reason.toString('utf8') };
    this.socket = undefined;
    const clean = !this.failed && (code === 1000 || code === 1001 || code === 1005);
    this.state = clean ? 0 : -1;
    this.queue.close();
  }
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

import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { closeGracefully } from './client.js';
import { EngineError } from './errors.js';
import { formatAddress, parseInterface, parsePort } from './listen-address.js';
import { bodyBytes, frameOf, incomingSize, toIncoming, toMessage, type Body, type Incoming, type Message } from './message.js';
import { DEFAULT_PING_INTERVAL_MS, withLimits, type Limits } from './options.js';
import { HeartbeatGroup } from './heartbeat.js';
import { MessageQueue, type Taken } from './queue.js';
import { loadTlsCredentials, readPemFile } from './tls-credentials.js';
import { holdWrites } from './write-batch.js';

/** Settings read at every run; change them between runs. */
export interface ServerOptions {
  limits?: Partial<Limits>;
  /** an upgrade request must arrive complete within this time (slow clients are dropped) */
  handshakeTimeoutMs?: number;
  /** negotiate permessage-deflate with clients that offer it */
  compression?: boolean;
  /** refuse connections beyond this many (0 = no limit) with HTTP 503 */
  maxConnections?: number;
  /** accept only these Origin header values (empty = any origin) */
  allowedOrigins?: string[];
  /** record connection opened/closed events for receiveEvent */
  connectionEvents?: boolean;
  /** ping every client this often and drop those that stay silent for as long (0 = never; default DEFAULT_PING_INTERVAL_MS, 30 s) */
  pingIntervalMs?: number;
  /** TLS only: require a client certificate signed by a CA in this PEM file (mutual TLS) */
  clientCaFile?: string;
}

export interface ConnectionEvent {
  id: number;
  event: 'open' | 'close';
}

/** What the program may learn about one connection (ConnectionInfo). */
export interface ConnectionInfo {
  id: number;
  address: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  protocol: string;
  tlsClientSubject: string | null;
  connectedAt: string;
  connectedSeconds: number;
}

export interface ServerMessage {
  id: number;
  data: Message;
}

/** A received message as it waits in the queue: text still as the UTF-8 bytes that came. */
export interface ServerIncoming {
  id: number;
  data: Incoming;
  /** cluster mode: the message's entry in the service's inbound stream (acknowledged once BSL took it) */
  entry?: string;
}

/**
 * Cluster mode (src/engine/cluster/node.ts): what the server asks of the node it belongs to. Without
 * one, ids are local and messages go straight to the local queue.
 */
export interface ServerCluster {
  /** the next connection id, unique across the service (rejects when the cluster is unavailable) */
  nextId(): Promise<number>;
  opened(info: ConnectionInfo): void;
  closed(id: number): void;
  /** a client's message: into the service's stream (or, failing that, the local queue) */
  inbound(message: ServerIncoming): void;
  /** Stop: the node leaves the service */
  leave(): Promise<void>;
}

/** Told when connections open and close (the add-in's external events). */
export interface ServerObserver {
  opened(id: number, address: string): void;
  closed(id: number, code: number, reason: string): void;
}

interface Connection {
  id: number;
  socket: WebSocket;
  address: string;
  /** what ConnectionInfo tells of the upgrade request (the request object itself is not kept) */
  url: string;
  /** the request headers as JSON: one string per connection instead of an object and its strings */
  headers: string;
  /** the TCP or TLS socket (ws holds it anyway), for the client certificate */
  transport: Socket;
  /** when it was accepted (ms since 1970) */
  since: number;
  /** the heartbeat it joined (the ping interval set when it was accepted) */
  heartbeat: HeartbeatGroup;
}

const LISTEN_ERRORS: Record<string, 'portBusy' | 'addressNotAvailable' | 'listenDenied'> = {
  EADDRINUSE: 'portBusy',
  EADDRNOTAVAIL: 'addressNotAvailable',
  EACCES: 'listenDenied',
};

/**
 * A WebSocket server with the semantics of the original 1C add-in: it listens in the background,
 * numbers connections from 1 in accept order, and queues every client's messages in arrival order
 * for `receive`.
 */
export class Server {
  private http: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private host = '';
  private boundPort = 0;
  private lastId = 0;
  private readonly clients = new Map<number, Connection>();
  /** one heartbeat per ping interval in use: each pings its connections on one timer */
  private readonly heartbeats = new Map<number, HeartbeatGroup>();
  private readonly limits: Limits;
  private readonly queue: MessageQueue<ServerIncoming>;
  private everRun = false;
  private accepted = 0;
  private readonly events: MessageQueue<ConnectionEvent>;
  /** the add-in's external events (src/daemon/event-feed.ts) */
  observer: ServerObserver | undefined;
  /** cluster mode: the node this server is (set by ClusterNode.start) */
  cluster: ServerCluster | undefined;
  /** cluster ids allocated while a connection's upgrade was being admitted */
  private readonly clusterIds = new WeakMap<IncomingMessage, number>();
  /** why reading from clients is paused: the queue is full, or (cluster mode) Redis lags behind */
  private readonly pausedBy = new Set<'queue' | 'cluster'>();

  constructor(readonly options: ServerOptions = {}) {
    this.limits = withLimits(options.limits);
    this.events = new MessageQueue<ConnectionEvent>(() => 16, { pause: () => undefined, resume: () => undefined }, Infinity, Infinity);
    this.queue = new MessageQueue<ServerIncoming>(
      (m) => incomingSize(m.data),
      { pause: () => this.pauseReading('queue', true), resume: () => this.pauseReading('queue', false) },
      this.limits.incomingHighWater,
      this.limits.incomingLowWater,
    );
  }

  /** The interface being listened on ("" when stopped). */
  get server(): string {
    return this.http ? this.host : '';
  }

  get port(): number {
    return this.http ? this.boundPort : 0;
  }

  get isRunning(): boolean {
    return this.http !== undefined;
  }

  /** `ID: address | ID: address` of the open connections, in id order. */
  get connections(): string {
    return [...this.clients.values()].map((c) => `${c.id}: ${c.address}`).join(' | ');
  }

  get connectionIds(): number[] {
    return [...this.clients.keys()];
  }

  get queued(): { messages: number; bytes: number } {
    return { messages: this.queue.length, bytes: this.queue.bytes };
  }

  /** The queue `receive` reads (the external-event feed borrows from it). */
  get messageQueue(): MessageQueue<ServerIncoming> {
    return this.queue;
  }

  async run(iface: string, port: number, certificate = '', keyOrPassword = '', password = ''): Promise<void> {
    if (this.http) throw new EngineError('serverAlreadyRunning', [this.host, this.boundPort]);
    const host = parseInterface(iface);
    const wantedPort = parsePort(port);
    const handshakeTimeout = this.options.handshakeTimeoutMs ?? 10_000;
    const serverOptions = {
      headersTimeout: handshakeTimeout,
      requestTimeout: handshakeTimeout,
      connectionsCheckingInterval: Math.min(1000, handshakeTimeout),
    };
    const http = certificate
      ? createHttpsServer({
          ...serverOptions,
          ...loadTlsCredentials(certificate, keyOrPassword, password),
          ...this.clientVerification(),
          handshakeTimeout,
        })
      : createHttpServer(serverOptions);
    http.on('request', (_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
      response.end('This is a WebSocket server.\n');
    });
    http.on('clientError', (_error, socket: Socket) => socket.destroy());
    await listen(http, host, wantedPort);
    const wss = new WebSocketServer({
      server: http,
      maxPayload: withLimits(this.options.limits).maxMessageSize,
      maxFragments: 0,
      perMessageDeflate: this.options.compression ?? false,
      clientTracking: false,
      verifyClient: (info, answer) => this.admit(info.origin, info.req, answer),
    });
    wss.on('connection', (socket, request) => this.accept(socket, request));
    wss.on('error', () => undefined);
    this.http = http;
    this.wss = wss;
    this.host = host;
    this.boundPort = (http.address() as AddressInfo).port;
    this.everRun = true;
    this.queue.reopen();
    this.events.reopen();
  }

  /** Messages to many clients at once: all open connections, or those listed. Returns how many were sent. */
  broadcast(data: Body, ids?: readonly number[]): number {
    const targets = ids ?? [...this.clients.keys()];
    let sent = 0;
    for (const id of targets) if (this.send(id, data)) sent++;
    return sent;
  }

  /** Details of one open connection, or undefined for an unknown id. */
  connectionInfo(id: number): ConnectionInfo | undefined {
    const c = this.clients.get(id);
    if (!c) return undefined;
    const url = new URL(c.url, 'ws://host');
    const peer = (c.transport as { getPeerCertificate?: () => { subject?: Record<string, string> } }).getPeerCertificate?.();
    const subject = peer?.subject ? Object.entries(peer.subject).map(([k, v]) => `${k}=${v}`).join(', ') : '';
    return {
      id,
      address: c.address,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: JSON.parse(c.headers) as IncomingHttpHeaders,
      protocol: c.socket.protocol,
      tlsClientSubject: subject || null,
      connectedAt: new Date(c.since).toISOString(),
      connectedSeconds: Math.floor((Date.now() - c.since) / 1000),
    };
  }

  /** A health view: what the server holds right now. */
  get health(): { running: boolean; interface: string; port: number; connections: number; accepted: number; queuedMessages: number; queuedBytes: number } {
    return {
      running: this.isRunning,
      interface: this.server,
      port: this.port,
      connections: this.clients.size,
      accepted: this.accepted,
      queuedMessages: this.queue.length,
      queuedBytes: this.queue.bytes,
    };
  }

  /** The next connection opened/closed event (when connectionEvents is on), same timeout rules as receive. */
  receiveEvent(timeoutMs: number): Promise<Taken<ConnectionEvent>> {
    if (!this.everRun) return Promise.reject(new EngineError('serverNotRunning'));
    return this.events.take(timeoutMs);
  }

  /** Queues a message for one client: false if there is no open connection with that id. */
  send(id: number, data: Body): boolean {
    const connection = this.clients.get(id);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN) return false;
    // Text goes out as UTF-8 bytes: ws writes an unmasked (server) string as it is, and the socket
    // then counts it in UTF-16 units, so bufferedAmount would under-count Cyrillic twice and CJK
    // three times and the limit below would let that much more pile up for a peer that never reads.
    const payload = bodyBytes(data);
    const buffered = connection.socket.bufferedAmount;
    if (buffered + payload.byteLength > this.limits.maxOutgoingBuffer) {
      throw new EngineError('outgoingBufferFull', [buffered, this.limits.maxOutgoingBuffer]);
    }
    connection.socket.send(payload, frameOf(data));
    return true;
  }

  /** Closes one client's connection: false if there is no connection with that id. */
  disconnect(id: number): boolean {
    const connection = this.clients.get(id);
    if (!connection) return false;
    this.clients.delete(id);
    this.cluster?.closed(id);
    void closeGracefully(connection.socket);
    return true;
  }

  /**
   * The next message from any client with its connection id, waiting up to `timeoutMs`
   * (0 = until one arrives or the server stops).
   */
  async receive(timeoutMs: number): Promise<Taken<ServerMessage>> {
    const taken = await this.receiveIncoming(timeoutMs);
    return taken.received ? { received: true, value: { id: taken.value.id, data: toMessage(taken.value.data) } } : taken;
  }

  /** `receive`, with text still as the UTF-8 bytes that came (the add-in passes them on as they are). */
  receiveIncoming(timeoutMs: number): Promise<Taken<ServerIncoming>> {
    if (!this.everRun) return Promise.reject(new EngineError('serverNotRunning'));
    return this.queue.take(timeoutMs);
  }

  /** The writes of sends to `id` in this event-loop turn leave together at its end (see holdWrites). */
  holdWrites(id: number): void {
    const connection = this.clients.get(id);
    if (connection) holdWrites(connection.socket);
  }

  /** Messages already queued, without waiting: a batch for a reader that asked for one. */
  receiveReady(maxCount: number, maxBytes: number): ServerIncoming[] {
    return this.queue.takeReady(maxCount, maxBytes);
  }

  /** Messages taken earlier and not used go back ahead of the rest, in their order. */
  giveBack(messages: readonly ServerIncoming[]): void {
    this.queue.putBack(messages);
  }

  /**
   * Bytes `send(id, …)` accepts right now while keeping what waits to be sent to `id` at or below
   * `fraction` of the limit; 0 when there is no open connection `id`.
   */
  sendCredit(id: number, fraction = 1): number {
    const connection = this.clients.get(id);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN) return 0;
    return Math.max(0, this.limits.maxOutgoingBuffer * fraction - connection.socket.bufferedAmount);
  }

  /**
   * Wakes a Receive that is waiting with "nothing", without stopping: its caller went away, and the
   * next message must stay queued for whoever reads next (see ServerRegistry).
   */
  releaseReceivers(): void {
    this.queue.releaseWaiters();
    this.events.releaseWaiters();
  }

  /** Stops (or resumes) reading from every client for `reason`; reading goes on once no reason is left. */
  pauseReading(reason: 'queue' | 'cluster', paused: boolean): void {
    const before = this.pausedBy.size > 0;
    if (paused) this.pausedBy.add(reason);
    else this.pausedBy.delete(reason);
    const after = this.pausedBy.size > 0;
    if (before !== after) this.eachSocket((s) => (after ? s.pause() : s.resume()));
  }

  /** Stops listening, closes every connection and frees the port. Never fails; safe to repeat. */
  async stop(): Promise<void> {
    const http = this.http;
    if (!http) return;
    this.http = undefined;
    const wss = this.wss;
    this.wss = undefined;
    const connections = [...this.clients.values()];
    const sockets = connections.map((c) => c.socket);
    for (const group of this.heartbeats.values()) group.stop();
    this.heartbeats.clear();
    this.clients.clear();
    this.queue.close();
    this.events.close();
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections?.();
    await Promise.all(sockets.map((s) => closeGracefully(s, 1001, 1000)));
    wss?.close();
    await closed;
    await this.cluster?.leave();
  }

  private clientVerification(): { ca?: string; requestCert?: boolean; rejectUnauthorized?: boolean } {
    const file = this.options.clientCaFile;
    if (!file) return {};
    return { ca: readPemFile(file), requestCert: true, rejectUnauthorized: true };
  }

  private admit(origin: string | undefined, request: IncomingMessage, answer: (ok: boolean, code?: number, message?: string) => void): void {
    const max = this.options.maxConnections ?? 0;
    if (max > 0 && this.clients.size >= max) return answer(false, 503, 'Too many connections');
    const allowed = this.options.allowedOrigins ?? [];
    if (allowed.length > 0 && !allowed.includes(origin ?? '')) return answer(false, 403, 'Origin not allowed');
    if (!this.cluster) return answer(true);
    // a cluster id comes from Redis: without it the connection is refused (ids must stay unique)
    this.cluster.nextId().then(
      (id) => {
        this.clusterIds.set(request, id);
        answer(true);
      },
      () => answer(false, 503, 'Cluster unavailable'),
    );
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const id = this.clusterIds.get(request) ?? ++this.lastId;
    this.accepted++;
    const connection: Connection = {
      id,
      socket,
      address: formatAddress(request.socket.remoteAddress, request.socket.remotePort),
      url: request.url ?? '/',
      headers: JSON.stringify(request.headers),
      transport: request.socket,
      since: Date.now(),
      heartbeat: this.heartbeatFor(this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS),
    };
    connection.heartbeat.add(socket);
    this.clients.set(id, connection);
    if (this.options.connectionEvents) this.events.push({ id, event: 'open' });
    this.observer?.opened(id, connection.address);
    const info = this.cluster && this.connectionInfo(id);
    if (info) this.cluster?.opened(info);
    if (this.pausedBy.size > 0) socket.pause();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      connection.heartbeat.heard(socket);
      const message = { id, data: toIncoming(data, isBinary) };
      if (this.cluster) this.cluster.inbound(message);
      else this.queue.push(message);
    });
    socket.on('error', ignore);
    socket.on('close', (code: number, reason: Buffer) => {
      connection.heartbeat.remove(socket);
      if (this.options.connectionEvents && this.isRunning) this.events.push({ id, event: 'close' });
      if (this.isRunning) this.observer?.closed(id, code, reason.toString('utf8'));
      if (this.clients.get(id) === connection) this.clients.delete(id);
      this.cluster?.closed(id);
    });
  }

  private heartbeatFor(intervalMs: number): HeartbeatGroup {
    let group = this.heartbeats.get(intervalMs);
    if (!group) {
      group = new HeartbeatGroup(intervalMs, (socket) => socket.terminate());
      this.heartbeats.set(intervalMs, group);
    }
    return group;
  }

  private eachSocket(action: (socket: WebSocket) => void): void {
    for (const connection of this.clients.values()) action(connection.socket);
  }
}

/** An 'error' listener that only keeps an error from being thrown (one for every connection). */
function ignore(): void {}

function listen(http: HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      http.off('listening', onListening);
      const key = LISTEN_ERRORS[error.code ?? ''];
      reject(key ? new EngineError(key, [host, port]) : new EngineError('listenFailed', [host, port, error.message]));
    };
    const onListening = (): void => {
      http.off('error', onError);
      resolve();
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen({ host, port, exclusive: true });
  });
}

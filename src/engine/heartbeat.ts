import type WebSocket from 'ws';

/** What "stop" is without a heartbeat: one function for all, not a closure per connection. */
const noHeartbeat = (): void => undefined;

/**
 * Pings the peer every `intervalMs`; if neither a pong nor any other frame arrives within
 * `timeoutMs` of a ping (0: the interval), the peer is taken for dead and `onDead` is called (the
 * caller drops the socket). A peer that vanished without a close frame is noticed this way.
 * While we ourselves stopped reading the socket (backpressure: the program is behind), its answer
 * may be waiting unread, so silence then proves nothing: the next tick asks again.
 */
export function startHeartbeat(socket: WebSocket, intervalMs: number, timeoutMs: number, onDead: () => void): () => void {
  if (!(intervalMs > 0)) return noHeartbeat;
  let deadline: NodeJS.Timeout | undefined;
  const alive = (): void => {
    clearTimeout(deadline);
    deadline = undefined;
  };
  socket.on('pong', alive);
  socket.on('message', alive);
  const ticker = setInterval(() => {
    if (deadline) return;
    deadline = setTimeout(() => {
      deadline = undefined;
      if (!socket.isPaused) onDead();
    }, timeoutMs > 0 ? timeoutMs : intervalMs);
    try {
      socket.ping();
    } catch {
      // the close that follows stops the heartbeat
    }
  }, intervalMs);
  return () => {
    clearInterval(ticker);
    clearTimeout(deadline);
    socket.off('pong', alive);
    socket.off('message', alive);
  };
}

/**
 * The same heartbeat for all the connections of a server, with one timer whatever their number:
 * per connection it keeps a place in two sets instead of a timer and closures of its own (idle
 * scale, docs/performance.md). Every `intervalMs` each connection is pinged; one that has sent
 * neither a pong nor a message since the ping before is taken for dead (`onDead`) — unless we
 * ourselves stopped reading it, which proves nothing: it is asked again.
 */
export class HeartbeatGroup {
  private readonly members = new Set<WebSocket>();
  /** pinged at the last tick and silent since */
  private readonly silent = new Set<WebSocket>();
  private ticker: NodeJS.Timeout | undefined;
  /** one 'pong' listener for every member: ws calls it with the socket as `this` */
  private readonly onPong: (this: WebSocket) => void;

  constructor(
    private readonly intervalMs: number,
    private readonly onDead: (socket: WebSocket) => void,
  ) {
    const silent = this.silent;
    this.onPong = function (this: WebSocket) {
      silent.delete(this);
    };
  }

  add(socket: WebSocket): void {
    if (!(this.intervalMs > 0)) return;
    this.members.add(socket);
    socket.on('pong', this.onPong);
    this.ticker ??= setInterval(() => this.tick(), this.intervalMs);
  }

  /** Any frame from the peer shows it is alive (the server calls this for each message). */
  heard(socket: WebSocket): void {
    if (this.silent.size > 0) this.silent.delete(socket);
  }

  remove(socket: WebSocket): void {
    if (!this.members.delete(socket)) return;
    this.silent.delete(socket);
    socket.off('pong', this.onPong);
    if (this.members.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private tick(): void {
    for (const socket of this.members) {
      if (this.silent.has(socket) && !socket.isPaused) {
        this.remove(socket);
        this.onDead(socket);
        continue;
      }
      this.silent.add(socket);
      try {
        socket.ping();
      } catch {
        // the close that follows removes it
      }
    }
  }
}

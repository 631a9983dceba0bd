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

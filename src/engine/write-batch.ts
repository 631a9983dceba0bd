import type { Socket } from 'node:net';
import type WebSocket from 'ws';

let held: Socket[] | undefined;

function release(): void {
  const sockets = held ?? [];
  held = undefined;
  for (const socket of sockets) socket.uncork();
}

/**
 * Holds what is written to this WebSocket's connection until the end of the current event-loop
 * turn, so the messages sent in one turn (a burst of Отправить from one read of the library's
 * socket) leave in one system call instead of one each. The delay is no longer than the turn.
 */
export function holdWrites(socket: WebSocket): void {
  // ws keeps its TCP/TLS socket here; corking it is what ws itself does around each frame
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || raw.writableCorked > 0) return;
  if (!held) {
    held = [];
    setImmediate(release);
  }
  raw.cork();
  held.push(raw);
}

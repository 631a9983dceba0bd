/** A received message: text frames become strings, binary frames stay bytes. */
export type Message = string | Buffer;

export function toMessage(data: Buffer, isBinary: boolean): Message {
  return isBinary ? data : data.toString('utf8');
}

/** Approximate memory a queued message holds, for flow control. */
export function messageSize(message: Message): number {
  return typeof message === 'string' ? message.length * 2 : message.byteLength;
}

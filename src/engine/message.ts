/** A received message: text frames become strings, binary frames stay bytes. */
export type Message = string | Buffer;

export function toMessage(data: Buffer, isBinary: boolean): Message {
  return isBinary ? data : data.toString('utf8');
}

/** Approximate memory a queued message holds, for flow control. */
export function messageSize(message: Message): number {
  return typeof message === 'string' ? message.length * 2 : message.byteLength;
}

/**
 * Text already encoded as UTF-8 (the add-in library sends message bodies so): sent as a text frame
 * as it is, without decoding it into a string and encoding it again.
 */
export class TextBytes {
  constructor(readonly bytes: Buffer) {}

  toString(): string {
    return this.bytes.toString('utf8');
  }
}

/** What can be sent: text (a string or UTF-8 bytes) or binary data. */
export type Body = string | Uint8Array | TextBytes;

/** The bytes a body puts on the wire (text as UTF-8), and whether it is a binary frame. */
export function bodyPayload(data: Body): { payload: Uint8Array; binary: boolean } {
  if (typeof data === 'string') return { payload: Buffer.from(data, 'utf8'), binary: false };
  if (data instanceof TextBytes) return { payload: data.bytes, binary: false };
  return { payload: data, binary: true };
}

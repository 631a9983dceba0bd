/** A received message as a program gets it: text frames as strings, binary frames as bytes. */
export type Message = string | Buffer;

/**
 * Text already encoded as UTF-8: how the add-in library sends message bodies, and how received text
 * waits in the engine's queues. Sent as a text frame as it is, and handed to the library as it is,
 * without decoding it into a string and encoding it again.
 */
export class TextBytes {
  constructor(readonly bytes: Buffer) {}

  toString(): string {
    return this.bytes.toString('utf8');
  }
}

/** A received message as it came off the wire (text stays UTF-8 until someone needs a string). */
export type Incoming = TextBytes | Buffer;

export function toIncoming(data: Buffer, isBinary: boolean): Incoming {
  return isBinary ? data : new TextBytes(data);
}

export function toMessage(incoming: Incoming): Message {
  return incoming instanceof TextBytes ? incoming.toString() : incoming;
}

/** Memory a queued message holds, for flow control. */
export function incomingSize(incoming: Incoming): number {
  return incoming instanceof TextBytes ? incoming.bytes.length : incoming.byteLength;
}

/** `ws` send options, one object each instead of one per message (`ws` copies them). */
const TEXT_FRAME: FrameOptions = Object.freeze({ binary: false });
const BINARY_FRAME: FrameOptions = Object.freeze({ binary: true });

type FrameOptions = Readonly<{ binary: boolean }>;

/** What can be sent: text (a string or UTF-8 bytes) or binary data. */
export type Body = string | Uint8Array | TextBytes;

/** Whether a body goes out as a binary frame (text is a string or UTF-8 bytes). */
export function isBinaryBody(data: Body): boolean {
  return typeof data !== 'string' && !(data instanceof TextBytes);
}

/** The `ws` send options of a body's frame. */
export function frameOf(data: Body): FrameOptions {
  return isBinaryBody(data) ? BINARY_FRAME : TEXT_FRAME;
}

/** The bytes a body puts on the wire (text as UTF-8). */
export function bodyBytes(data: Body): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return data instanceof TextBytes ? data.bytes : data;
}

import { connect, type Socket } from 'node:net';
import { TextBytes } from '../../src/engine/message.js';
import { FrameSplitter, Op, PROTOCOL_VERSION, Reader, Writer, type SharedReader, type WireValue } from '../../src/daemon/wire.js';

export interface WireResult {
  value: WireValue;
  outs: Map<number, WireValue>;
}

/** The send grant of a response (docs/protocol.md, "Batches and send grants"). */
export interface WireGrant {
  methodId: number;
  credit: number;
  /** the connection ids it names (a server's), or undefined: any */
  keys: number[] | undefined;
}

export interface WireResponse extends WireResult {
  ok: boolean;
  error: WireValue;
  /** further results of the same call, ready in the engine (a batch) */
  more: WireResult[];
  grant: WireGrant | undefined;
}

/** Received text crosses as UTF-8 (tag 9); this asserts so and gives it as a string to compare. */
export function receivedText(value: WireValue | undefined): string {
  if (!(value instanceof TextBytes)) throw new Error(`received text should cross as UTF-8, got ${String(value)}`);
  return value.toString();
}

/** A received message's data: text (UTF-8 on the wire) as a string, anything else as it is. */
export function receivedData(value: WireValue | undefined): unknown {
  return value instanceof TextBytes ? value.toString() : value;
}

function readResult(reader: Reader): WireResult {
  const value = reader.value();
  const outs = new Map<number, WireValue>();
  const count = reader.u8();
  for (let i = 0; i < count; i++) {
    const index = reader.u8();
    outs.set(index, reader.value());
  }
  return { value, outs };
}

/** Speaks docs/protocol.md the way the native library does, for testing the engine process alone. */
export class WireClient {
  private readonly splitter = new FrameSplitter();
  private waiting: Array<(frame: Buffer) => void> = [];
  private ended = false;
  /** where Shared values in responses are read from (a test that shared areas with SHARE sets it) */
  sharedIn: SharedReader | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.waiting.shift()?.(frame);
    });
    socket.on('close', () => {
      this.ended = true;
      for (const w of this.waiting.splice(0)) w(Buffer.alloc(0));
    });
    socket.on('error', () => undefined);
  }

  static open(path: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new WireClient(socket)));
      socket.once('error', reject);
    });
  }

  request(writer: Writer): Promise<WireResponse> {
    if (this.ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push((frame) => {
        if (frame.length === 0) return reject(new Error('connection closed'));
        const reader = new Reader(frame, this.sharedIn);
        reader.u8();
        const ok = reader.u8() === 0;
        const { value, outs } = readResult(reader);
        const error = reader.value();
        const more: WireResult[] = [];
        for (let k = reader.u16(); k > 0; k--) more.push(readResult(reader));
        let grant: WireGrant | undefined;
        if (reader.u8() === 1) {
          const methodId = reader.u16();
          const credit = reader.u32();
          let keys: number[] | undefined;
          if (reader.u8() === 1) {
            keys = [];
            for (let g = reader.u16(); g > 0; g--) keys.push(reader.u32() | 0);
          }
          grant = { methodId, credit, keys };
        }
        resolve({ ok, value, outs, error, more, grant });
      });
      this.socket.write(writer.finish());
    });
  }

  openObject(classId: number, lang: string | undefined = 'ru'): Promise<WireResponse> {
    return this.request(new Writer().u8(Op.Open).u16(PROTOCOL_VERSION).u8(classId).value(lang));
  }

  call(methodId: number, ...args: WireValue[]): Promise<WireResponse> {
    const writer = new Writer().u8(Op.Call).u16(methodId).u8(args.length);
    for (const a of args) writer.value(a);
    return this.request(writer);
  }

  /** A CALL under a send grant: no response comes. */
  post(methodId: number, ...args: WireValue[]): void {
    const writer = new Writer().u8(Op.Post).u16(methodId).u8(args.length);
    for (const a of args) writer.value(a);
    this.socket.write(writer.finish());
  }

  /** TAKEN: `count` batched results were handed out; `dropRest`: the others are given up. No response. */
  taken(count: number, dropRest: boolean): void {
    this.socket.write(new Writer().u8(Op.Taken).u32(count).u8(dropRest ? 1 : 0).finish());
  }

  /** SHARE (Linux form): the areas are fds of process `pid`, each with the inode it should have. */
  share(pid: number, out: { fd: number; ino: bigint }, into: { fd: number; ino: bigint }): Promise<WireResponse> {
    const writer = new Writer().u8(Op.Share).u8(1).u32(pid);
    for (const area of [out, into]) writer.i32(area.fd).u64(area.ino);
    return this.request(writer);
  }

  get(propId: number): Promise<WireResponse> {
    return this.request(new Writer().u8(Op.Get).u16(propId));
  }

  set(propId: number, value: WireValue): Promise<WireResponse> {
    return this.request(new Writer().u8(Op.Set).u16(propId).value(value));
  }

  locale(locale: string): Promise<WireResponse> {
    return this.request(new Writer().u8(Op.Locale).value(locale));
  }

  close(): void {
    this.socket.destroy();
  }
}

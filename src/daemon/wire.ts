/**
 * Values and frames of the library ↔ engine protocol (docs/protocol.md). Strings stay UTF-16LE on
 * the wire so the native library never transcodes them — except message bodies, both ways, which
 * cross as UTF-8 (TextBytes) because that is what goes on the WebSocket.
 */
import { TextBytes } from '../engine/message.js';

export const PROTOCOL_VERSION = 4;

export const enum Op {
  Open = 0x01,
  Call = 0x02,
  Get = 0x03,
  Set = 0x04,
  Locale = 0x05,
  // the events connection of an add-in object (docs/protocol.md "External events")
  Subscribe = 0x06,
  Next = 0x07,
  Ack = 0x08,
  /** a CALL the library does not wait for (it holds a send grant); never answered */
  Post = 0x09,
  /** how many batched results the library handed out since its last request; never answered */
  Taken = 0x0a,
  /** names the connection's shared-memory areas (src/daemon/shared.ts) */
  Share = 0x0b,
}

export const RESPONSE_FLAG = 0x80;
export const MAX_FRAME = 1 << 30;

/** BinaryData from 1C. */
export class Blob1C {
  constructor(readonly bytes: Buffer) {}
}

/** A 1C Date, as milliseconds since 1970 of its wall-clock time. */
export class Date1C {
  constructor(readonly ms: number) {}
}

/** A value of a type the protocol carries only to name it in a «<bad cast>» message. */
export class Unsupported {
  constructor(readonly vt: number) {}
}

export type WireValue = undefined | null | boolean | number | string | TextBytes | Blob1C | Date1C | Unsupported;

const enum Tag {
  Empty = 0,
  Bool = 1,
  Int = 2,
  Double = 3,
  String = 4,
  Blob = 5,
  Date = 6,
  Null = 7,
  Unsupported = 8,
  /** text as UTF-8 bytes: how the library sends message bodies */
  Utf8 = 9,
  /** a message body in shared memory: u8 kind (Utf8 or Blob), u32 offset, u32 length */
  Shared = 10,
}

/** Reads a body of `length` bytes at `offset` of the connection's shared out area. */
export type SharedReader = (offset: number, length: number) => Buffer;

/**
 * Reads one frame. `reset` points a reader at the next frame, so a session reads every request with
 * one reader and a frame need not be its own Buffer.
 */
export class Reader {
  private offset = 0;
  private end: number;
  constructor(
    private buffer: Buffer,
    /** where Shared values are read from; without it they are a protocol error */
    public shared?: SharedReader,
  ) {
    this.end = buffer.length;
  }

  /** Reads `buffer` from `start` up to `end` next. */
  reset(buffer: Buffer, start: number, end: number): this {
    this.buffer = buffer;
    this.offset = start;
    this.end = end;
    return this;
  }

  u8(): number {
    this.need(1);
    return this.buffer.readUInt8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const v = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.buffer.readInt32LE(this.offset);
    this.offset += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buffer.readBigUInt64LE(this.offset);
    this.offset += 8;
    return v;
  }

  private bytes(count: number): Buffer {
    this.need(count);
    const slice = this.buffer.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  /**
   * A payload: a large one is most of its frame, so it stays a slice of it; a small one is copied
   * out (one Buffer, no slice first), so a message kept for a while does not keep the whole chunk
   * it came in alive.
   */
  private payload(): Buffer {
    const count = this.u32();
    if (count >= 16 * 1024) return this.bytes(count);
    this.need(count);
    const copy = Buffer.allocUnsafe(count);
    this.buffer.copy(copy, 0, this.offset, this.offset + count);
    this.offset += count;
    return copy;
  }

  value(): WireValue {
    const tag = this.u8();
    switch (tag) {
      case Tag.Empty:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.Bool:
        return this.u8() !== 0;
      case Tag.Int: {
        this.need(4);
        const v = this.buffer.readInt32LE(this.offset);
        this.offset += 4;
        return v;
      }
      case Tag.Double:
        return this.f64();
      case Tag.String: {
        const count = this.u32() * 2;
        this.need(count);
        const text = this.buffer.toString('utf16le', this.offset, this.offset + count);
        this.offset += count;
        return text;
      }
      case Tag.Blob:
        return new Blob1C(this.payload());
      case Tag.Date:
        return new Date1C(this.f64());
      case Tag.Unsupported:
        return new Unsupported(this.u16());
      case Tag.Utf8:
        return new TextBytes(this.payload());
      case Tag.Shared: {
        const kind = this.u8();
        const offset = this.u32();
        const length = this.u32();
        if (!this.shared) throw new Error('shared body without shared memory');
        if (kind === Tag.Utf8) return new TextBytes(this.shared(offset, length));
        if (kind === Tag.Blob) return new Blob1C(this.shared(offset, length));
        throw new Error(`bad shared body kind ${kind}`);
      }
      default:
        throw new Error(`unknown value tag ${tag}`);
    }
  }

  private f64(): number {
    this.need(8);
    const v = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return v;
  }

  private need(count: number): void {
    if (this.offset + count > this.end) throw new Error('truncated frame');
  }
}

/** Bytes at and above which a Buffer value is passed along as its own chunk instead of copied. */
const SEPARATE_CHUNK = 64 * 1024;

/** A reused Writer keeps a buffer up to this size between frames; a larger one is dropped. */
const KEEP_SCRATCH = 64 * 1024;

/**
 * Builds one frame; the length prefix is filled in by `finish`. Small values go into one growing
 * buffer; large binary values stay separate chunks, so a frame is never copied as a whole.
 *
 * A `reusable` writer builds frame after frame (`reset`) in the same buffer, and `chunksOf` hands
 * out copies of exactly the bytes written (what goes to a socket must not change under it): one
 * allocation per frame instead of a buffer that grows and the slices that cut it.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private at = 4;
  private size = 0;

  constructor(
    capacity = 256,
    private readonly reusable = false,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Starts the next frame (a reusable writer). */
  reset(): this {
    if (this.buf.length > KEEP_SCRATCH) this.buf = Buffer.allocUnsafe(256);
    this.chunks = [];
    this.at = 4;
    this.size = 0;
    return this;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.at++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.at = this.buf.writeUInt16LE(v, this.at);
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.at = this.buf.writeUInt32LE(v, this.at);
    return this;
  }

  i32(v: number): this {
    this.room(4);
    this.at = this.buf.writeInt32LE(v, this.at);
    return this;
  }

  u64(v: bigint): this {
    this.room(8);
    this.at = this.buf.writeBigUInt64LE(v, this.at);
    return this;
  }

  value(v: WireValue | Buffer): this {
    if (v === undefined) return this.u8(Tag.Empty);
    if (v === null) return this.u8(Tag.Null);
    if (typeof v === 'boolean') return this.u8(Tag.Bool).u8(v ? 1 : 0);
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return this.u8(Tag.Int).i32(v);
      this.u8(Tag.Double).room(8);
      this.at = this.buf.writeDoubleLE(v, this.at);
      return this;
    }
    if (typeof v === 'string') {
      this.u8(Tag.String).u32(v.length).room(2 * v.length);
      this.at += this.buf.write(v, this.at, 'utf16le');
      return this;
    }
    if (v instanceof TextBytes) return this.u8(Tag.Utf8).payload(v.bytes);
    if (Buffer.isBuffer(v) || v instanceof Blob1C) return this.u8(Tag.Blob).payload(Buffer.isBuffer(v) ? v : v.bytes);
    if (v instanceof Date1C) {
      this.u8(Tag.Date).room(8);
      this.at = this.buf.writeDoubleLE(v.ms, this.at);
      return this;
    }
    return this.u8(Tag.Unsupported).u16(v.vt);
  }

  /** A message body of `length` bytes at `offset` of the shared in area (Tag.Shared). */
  shared(binary: boolean, offset: number, length: number): this {
    return this.u8(Tag.Shared).u8(binary ? Tag.Blob : Tag.Utf8).u32(offset).u32(length);
  }

  /** A call result's value and how many out-parameters follow (docs/protocol.md, responses). */
  result(value: WireValue | Buffer, outCount: number): this {
    return this.value(value).u8(outCount);
  }

  /** One out-parameter of a result: its argument index and new value. */
  out(index: number, value: WireValue | Buffer): this {
    return this.u8(index).value(value);
  }

  /** A byte count and the bytes; large ones are not copied but written as their own chunk. */
  private payload(bytes: Buffer): this {
    this.u32(bytes.length);
    if (bytes.length >= SEPARATE_CHUNK) {
      this.cut();
      this.chunks.push(bytes);
      this.size += bytes.length;
      return this;
    }
    this.room(bytes.length);
    this.at += bytes.copy(this.buf, this.at);
    return this;
  }

  /** The frame as chunks to write in order (one, unless large binary values were added). */
  chunksOf(): Buffer[] {
    this.cut();
    const first = this.chunks[0] as Buffer;
    first.writeUInt32LE(this.size - 4, 0);
    return this.chunks;
  }

  /** The frame as one buffer. */
  finish(): Buffer {
    const chunks = this.chunksOf();
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.size);
  }

  /** Ends the current buffer (keeping what was written) so a separate chunk can follow. */
  private cut(): void {
    if (this.at > 0) {
      if (this.reusable) {
        const part = Buffer.allocUnsafe(this.at);
        this.buf.copy(part, 0, 0, this.at);
        this.chunks.push(part);
      } else {
        this.chunks.push(this.buf.subarray(0, this.at));
        this.buf = this.buf.subarray(this.at);
      }
      this.size += this.at;
    }
    this.at = 0;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + n, 256));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

/** Frames at least this large are collected into their own buffer as their bytes arrive. */
const LARGE_FRAME = 64 * 1024;

/** Where FrameSplitter hands each frame: `buffer` from `start` to `end`, valid during the call. */
export interface FrameSink {
  frame(buffer: Buffer, start: number, end: number): void;
}

/**
 * Splits a byte stream into frames (without their length prefix). A large frame gets one buffer of
 * its size as soon as its length is known and each chunk is copied in and dropped, so it is copied
 * once and never held twice; small frames are handed on as positions in the chunk they came in.
 */
export class FrameSplitter {
  private rest: Buffer | undefined;
  private large: Buffer | undefined;
  private filled = 0;

  /** The frames completed by `chunk`, each its own slice. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    this.feed(chunk, { frame: (buffer, start, end) => frames.push(buffer.subarray(start, end)) });
    return frames;
  }

  /**
   * Hands the frames completed by `chunk` to `sink`, in order, as they are found; throws on a
   * frame longer than MAX_FRAME (the frames before it have been handed on).
   */
  feed(chunk: Buffer, sink: FrameSink): void {
    let data = chunk;
    if (this.large) {
      const n = Math.min(data.length, this.large.length - this.filled);
      data.copy(this.large, this.filled, 0, n);
      this.filled += n;
      if (this.filled < this.large.length) return;
      const large = this.large;
      this.large = undefined;
      sink.frame(large, 0, large.length);
      if (n === data.length) return;
      data = data.subarray(n);
    }
    if (this.rest) {
      data = Buffer.concat([this.rest, data]);
      this.rest = undefined;
    }
    let at = 0;
    while (data.length - at >= 4) {
      const length = data.readUInt32LE(at);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes is too large`);
      const have = data.length - at - 4;
      if (have >= length) {
        at += 4 + length;
        sink.frame(data, at - length, at);
      } else if (length >= LARGE_FRAME) {
        this.large = Buffer.allocUnsafe(length);
        this.filled = data.copy(this.large, 0, at + 4);
        return;
      } else {
        break;
      }
    }
    if (at < data.length) this.rest = data.subarray(at);
  }
}

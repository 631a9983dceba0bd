/**
 * Values and frames of the library ↔ engine protocol (docs/protocol.md). Strings stay UTF-16LE on
 * the wire so the native library never transcodes.
 */
export const PROTOCOL_VERSION = 1;

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

export type WireValue = undefined | null | boolean | number | string | Blob1C | Date1C | Unsupported;

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
}

export class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

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

  private bytes(count: number): Buffer {
    this.need(count);
    const slice = this.buffer.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
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
      case Tag.String:
        return this.bytes(this.u32() * 2).toString('utf16le');
      case Tag.Blob:
        return new Blob1C(Buffer.from(this.bytes(this.u32())));
      case Tag.Date:
        return new Date1C(this.f64());
      case Tag.Unsupported:
        return new Unsupported(this.u16());
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
    if (this.offset + count > this.buffer.length) throw new Error('truncated frame');
  }
}

/** Builds one frame; the length prefix is filled in by `finish`. */
export class Writer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor() {
    this.push(Buffer.alloc(4));
  }

  u8(v: number): this {
    const b = Buffer.allocUnsafe(1);
    b.writeUInt8(v);
    return this.push(b);
  }

  u16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16LE(v);
    return this.push(b);
  }

  value(v: WireValue | Buffer): this {
    if (v === undefined) return this.u8(Tag.Empty);
    if (v === null) return this.u8(Tag.Null);
    if (typeof v === 'boolean') return this.u8(Tag.Bool).u8(v ? 1 : 0);
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
        const b = Buffer.allocUnsafe(5);
        b.writeUInt8(Tag.Int);
        b.writeInt32LE(v, 1);
        return this.push(b);
      }
      const b = Buffer.allocUnsafe(9);
      b.writeUInt8(Tag.Double);
      b.writeDoubleLE(v, 1);
      return this.push(b);
    }
    if (typeof v === 'string') {
      const head = Buffer.allocUnsafe(5);
      head.writeUInt8(Tag.String);
      head.writeUInt32LE(v.length, 1);
      return this.push(head).push(Buffer.from(v, 'utf16le'));
    }
    if (Buffer.isBuffer(v) || v instanceof Blob1C) {
      const bytes = Buffer.isBuffer(v) ? v : v.bytes;
      const head = Buffer.allocUnsafe(5);
      head.writeUInt8(Tag.Blob);
      head.writeUInt32LE(bytes.length, 1);
      return this.push(head).push(bytes);
    }
    if (v instanceof Date1C) {
      const b = Buffer.allocUnsafe(9);
      b.writeUInt8(Tag.Date);
      b.writeDoubleLE(v.ms, 1);
      return this.push(b);
    }
    return this.u8(Tag.Unsupported).u16(v.vt);
  }

  finish(): Buffer {
    const frame = Buffer.concat(this.chunks, this.size);
    frame.writeUInt32LE(this.size - 4, 0);
    return frame;
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
}

/** Splits a byte stream into frames (without their length prefix), copying each byte at most once. */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingSize = 0;

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingSize += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.pendingSize < 4) break;
      const head = this.pending[0] as Buffer;
      const length = head.length >= 4 ? head.readUInt32LE(0) : this.joined().readUInt32LE(0);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes is too large`);
      if (this.pendingSize < 4 + length) break;
      const data = this.joined();
      frames.push(data.subarray(4, 4 + length));
      const rest = data.subarray(4 + length);
      this.pending = rest.length ? [rest] : [];
      this.pendingSize = rest.length;
    }
    return frames;
  }

  private joined(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.pendingSize)];
    return this.pending[0] as Buffer;
  }
}

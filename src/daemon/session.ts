import type { Socket } from 'node:net';
import { CLASSES } from '../api/table.js';
import { EngineError, errorText } from '../engine/errors.js';
import { langFromLocale, type Lang } from '../i18n/messages.js';
import { checkArguments, type Arguments } from './arguments.js';
import type { ParkedServers } from './parked-servers.js';
import { createBinding, type Binding, type CallResult, type OutValue } from './bindings.js';
import { EventStream } from './event-feed.js';
import { SHARED_FROM, SharedFiles } from './shared.js';
import { Blob1C, FrameSplitter, Op, PROTOCOL_VERSION, RESPONSE_FLAG, Reader, Writer, type FrameSink, type SharedReader, type WireValue } from './wire.js';
import { TextBytes } from '../engine/message.js';

const EMPTY = Buffer.alloc(0);
const NO_OUTS: ReadonlyArray<[number, OutValue]> = [];
const NOTHING: CallResult = Object.freeze({ value: undefined });

/**
 * One library connection = one add-in object. Requests are handled strictly one after another, as
 * the library sends them (it blocks on each response).
 */
export class Session implements FrameSink {
  private binding: Binding | undefined;
  private lang: Lang = 'ru';
  private lastError = '';
  private readonly splitter = new FrameSplitter();
  /** every request is read with this one reader and answered with this one writer */
  private readonly reader = new Reader(EMPTY);
  private readonly writer = new Writer(256, true);
  /**
   * A CALL's values as read and as checked, for the call's synchronous part only (emptied after
   * it): a call that has to wait gets its own copy of the arguments.
   */
  private readonly values: WireValue[] = [];
  private readonly args: Array<Arguments[number]> = [];
  /** frames not handled yet, and whether the one before them is still waiting for its answer */
  private pending: Buffer[] = [];
  private head = 0;
  private waiting = false;
  private closed = false;
  /** set when this connection is an object's events connection (SUBSCRIBE) instead of an object */
  private stream: EventStream | undefined;
  /** the library's shared-memory areas for large message bodies, once SHARE named them */
  private shared: SharedFiles | undefined;
  private readonly readShared: SharedReader = (offset, length) => {
    if (!this.shared) throw new Error('shared body without shared memory');
    return this.shared.read(offset, length);
  };

  constructor(
    private readonly socket: Socket,
    private readonly parked: ParkedServers,
    private readonly onEnd: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => void this.close());
  }

  private onData(chunk: Buffer): void {
    try {
      this.splitter.feed(chunk, this);
    } catch {
      this.socket.destroy();
    }
  }

  /**
   * One frame, from the splitter. Handled right here unless an earlier one is still waiting for its
   * answer; then it is queued.
   */
  frame(buffer: Buffer, start: number, end: number): void {
    // TAKEN is settled at once: the library sends it only once every earlier request it waited
    // for was answered, and the socket's close (which gives unacknowledged results back) must
    // find it applied.
    if (buffer[start] === Op.Taken) this.taken(buffer, start, end);
    else if (this.waiting || this.head < this.pending.length) this.pending.push(buffer.subarray(start, end));
    else this.run(buffer, start, end);
  }

  /** Handles one frame; one that has to wait (a Receive, a Connect) holds the rest until answered. */
  private run(buffer: Buffer, start: number, end: number): void {
    const next = this.handle(buffer, start, end);
    if (!next) return;
    this.waiting = true;
    void next.then(() => {
      this.waiting = false;
      this.pump();
    });
  }

  /** Handles queued frames in order, until one has to wait. */
  private pump(): void {
    while (!this.waiting && this.head < this.pending.length) {
      const frame = this.pending[this.head] as Buffer;
      this.pending[this.head++] = EMPTY;
      this.run(frame, 0, frame.length);
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    }
  }

  private taken(buffer: Buffer, start: number, end: number): void {
    try {
      const reader = this.reader.reset(buffer, start, end);
      reader.u8();
      const count = reader.u32();
      const flags = reader.u8();
      this.binding?.taken?.(count, (flags & 1) !== 0);
    } catch (error) {
      process.stderr.write(`engine: ${(error as Error).stack ?? String(error)}\n`);
    }
  }

  /**
   * One request: answered at once when it can be, else the promise of its answer. A POST is a CALL
   * the library did not wait for: it held a grant (see `respond`) that the call succeeds. Should it
   * fail anyway (the connection ended meanwhile), that is the same as the connection ending just
   * after a successful call: nothing to report.
   */
  private handle(buffer: Buffer, start: number, end: number): Promise<void> | undefined {
    if (this.closed) return undefined;
    let op = 0;
    try {
      const reader = this.reader.reset(buffer, start, end);
      reader.shared = this.shared ? this.readShared : undefined;
      op = reader.u8();
      const result = this.dispatch(op === Op.Post ? Op.Call : op, reader);
      // only the answer of a Принять / ПринятьСообщение carries a body in shared memory
      const shareable = op === Op.Call && this.binding?.spec.methods[buffer.readUInt16LE(start + 1)]?.takesMessages === true;
      if (result instanceof Promise) {
        return result.then(
          (r) => this.answer(op, r, shareable),
          (error: unknown) => this.failed(op, error),
        );
      }
      this.answer(op, result, shareable);
    } catch (error) {
      this.failed(op, error);
    }
    return undefined;
  }

  private answer(op: number, result: CallResult, shareable = false): void {
    if (op !== Op.Post) this.respond(op, true, result, undefined, shareable);
  }

  private failed(op: number, error: unknown): void {
    if (!(error instanceof EngineError)) process.stderr.write(`engine: ${(error as Error).stack ?? String(error)}\n`);
    if (op === Op.Post) return;
    this.lastError = errorText(error, this.lang);
    this.respond(op, false, NOTHING, this.lastError);
  }

  private dispatch(op: number, reader: Reader): CallResult | Promise<CallResult> {
    if (op === Op.Open) return this.open(reader);
    if (op === Op.Subscribe) return this.subscribe(reader);
    if (this.stream) return this.streamRequest(op, reader);
    if (op === Op.Share) return this.share(reader);
    if (op === Op.Locale) {
      this.setLocale(reader.value());
      return NOTHING;
    }
    const binding = this.binding;
    if (!binding) throw new Error('OPEN must come first');
    if (op === Op.Call) {
      const methodId = reader.u16();
      const count = reader.u8();
      const values = this.values;
      try {
        for (let i = 0; i < count; i++) values[i] = reader.value();
        const method = binding.spec.methods[methodId];
        if (!method) throw new EngineError('unknownMember', [`#${methodId}`]);
        if (method.local === 'errorDescription') return { value: this.lastError };
        const args = checkArguments(method, values, this.args);
        return binding.callNow?.(methodId, args) ?? binding.call(methodId, args.slice(0, method.params.length));
      } finally {
        values.fill(undefined, 0, count);
        this.args.fill(undefined);
      }
    }
    if (op === Op.Get) {
      const propId = reader.u16();
      const prop = binding.spec.props[propId];
      if (!prop || !prop.readable) throw new EngineError('unknownMember', [prop ? prop[this.lang] : `#${propId}`]);
      return { value: binding.get(propId) };
    }
    if (op === Op.Set) {
      const propId = reader.u16();
      const prop = binding.spec.props[propId];
      if (!prop || !prop.writable) throw new EngineError(prop ? 'readOnlyProperty' : 'unknownMember', [prop ? prop[this.lang] : `#${propId}`]);
      const answer = binding.set(propId, reader.value());
      return { value: answer ?? undefined };
    }
    throw new Error(`unknown request op ${op}`);
  }

  private open(reader: Reader): CallResult {
    const version = reader.u16();
    const classId = reader.u8();
    this.setLocale(reader.value());
    if (version !== PROTOCOL_VERSION) throw new Error(`protocol version ${version} is not ${PROTOCOL_VERSION}`);
    if (this.binding) throw new Error('object already opened');
    const binding = createBinding(classId, this.parked);
    if (!binding || !CLASSES[classId]) throw new Error(`unknown class ${classId}`);
    this.binding = binding;
    binding.events.lang = () => this.lang;
    return { value: undefined };
  }

  /**
   * SHARE: the library's shared-memory areas (docs/protocol.md). True when both are open and
   * verified; False leaves the connection on the socket path (the library stops asking).
   */
  private share(reader: Reader): CallResult {
    if (!this.binding) throw new Error('OPEN must come first');
    this.shared?.close();
    this.shared = SharedFiles.open(reader);
    return { value: this.shared !== undefined };
  }

  /** SUBSCRIBE: this connection becomes the events connection of the object owning the token. */
  private subscribe(reader: Reader): CallResult {
    const version = reader.u16();
    const token = reader.value();
    if (version !== PROTOCOL_VERSION) throw new Error(`protocol version ${version} is not ${PROTOCOL_VERSION}`);
    if (this.binding || this.stream) throw new Error('SUBSCRIBE on a connection already in use');
    if (typeof token !== 'string') throw new Error('SUBSCRIBE without a token');
    const stream = new EventStream();
    stream.subscribe(token);
    this.stream = stream;
    return { value: undefined };
  }

  /**
   * NEXT: the next event, as the value (its number) and out-parameters 0..2 (source, name, data).
   * ACK: whether ExternalEvent took that event.
   */
  private async streamRequest(op: number, reader: Reader): Promise<CallResult> {
    const stream = this.stream as EventStream;
    if (op === Op.Ack) {
      stream.ack(reader.u32(), reader.u8() === 1);
      return { value: undefined };
    }
    if (op !== Op.Next) throw new Error(`request op ${op} on an events connection`);
    const event = await stream.next();
    return { value: event.seq, outs: [[0, event.source], [1, event.name], [2, event.data]] };
  }

  private setLocale(value: WireValue): void {
    if (typeof value === 'string' && value !== '') this.lang = langFromLocale(value);
  }

  /**
   * Response layout (docs/protocol.md): status, value, out-parameters, error; then the further
   * results of a batch, and the send grant the library may use until its next request.
   */
  private respond(op: number, ok: boolean, result: CallResult, error: string | undefined, shareable = false): void {
    if (this.closed) return;
    const writer = this.writer.reset().u8(RESPONSE_FLAG | op).u8(ok ? 0 : 1);
    // Only the first result may use the in area: batched ones stay with the library until later
    // calls, and the next response may overwrite the area.
    writeResult(writer, result, shareable ? this.shared : undefined);
    writer.value(error);
    const more = result.more;
    if (more === undefined) {
      writer.u16(0);
    } else if (Array.isArray(more)) {
      writer.u16(more.length);
      for (const r of more) writeResult(writer, r);
    } else {
      const items = more.items;
      writer.u16(items.length);
      for (let i = 0; i < items.length; i++) more.form(items[i], writer);
    }
    const grant = this.binding?.grant?.();
    if (grant) {
      writer.u8(1).u16(grant.methodId).u32(Math.min(grant.credit, 0xffffffff));
      if (grant.keys) {
        writer.u8(1).u16(grant.keys.length);
        for (const key of grant.keys) writer.i32(key);
      } else {
        writer.u8(0);
      }
    } else {
      writer.u8(0);
    }
    const chunks = writer.chunksOf();
    if (chunks.length === 1) {
      this.socket.write(chunks[0] as Buffer);
      return;
    }
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
    this.socket.uncork();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    this.shared?.close();
    this.shared = undefined;
    try {
      await this.binding?.dispose();
    } finally {
      this.onEnd();
    }
  }
}

/** A result; with `shared`, its one large message body goes into the in area (the first only). */
function writeResult(writer: Writer, result: CallResult, shared?: SharedFiles): void {
  let into = shared;
  const put = (value: OutValue): void => {
    if (into) {
      const bytes = value instanceof TextBytes ? value.bytes : value instanceof Blob1C ? value.bytes : Buffer.isBuffer(value) ? value : undefined;
      if (bytes && bytes.length >= SHARED_FROM) {
        const area = into;
        into = undefined;
        try {
          area.write(bytes);
          writer.shared(!(value instanceof TextBytes), 0, bytes.length);
          return;
        } catch (error) {
          // the area could not take it (out of memory): this one goes through the socket
          process.stderr.write(`engine: shared memory: ${(error as Error).message}\n`);
        }
      }
    }
    writer.value(value);
  };
  put(result.value);
  const outs = result.outs ?? NO_OUTS;
  writer.u8(outs.length);
  for (const [index, value] of outs) {
    writer.u8(index);
    put(value);
  }
}

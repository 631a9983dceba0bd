import type { Socket } from 'node:net';
import { CLASSES } from '../api/table.js';
import { EngineError, errorText } from '../engine/errors.js';
import { langFromLocale, type Lang } from '../i18n/messages.js';
import { checkArguments } from './arguments.js';
import type { ParkedServers } from './parked-servers.js';
import { createBinding, type Binding, type CallResult, type OutValue } from './bindings.js';
import { EventStream } from './event-feed.js';
import { FrameSplitter, Op, PROTOCOL_VERSION, RESPONSE_FLAG, Reader, Writer, type WireValue } from './wire.js';

/**
 * One library connection = one add-in object. Requests are handled strictly one after another, as
 * the library sends them (it blocks on each response).
 */
export class Session {
  private binding: Binding | undefined;
  private lang: Lang = 'ru';
  private lastError = '';
  private readonly splitter = new FrameSplitter();
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** set when this connection is an object's events connection (SUBSCRIBE) instead of an object */
  private stream: EventStream | undefined;

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
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      this.chain = this.chain.then(() => this.handle(frame));
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    let op = 0;
    let result: CallResult;
    try {
      const reader = new Reader(frame);
      op = reader.u8();
      result = await this.dispatch(op, reader);
    } catch (error) {
      if (!(error instanceof EngineError)) process.stderr.write(`engine: ${(error as Error).stack ?? String(error)}\n`);
      this.lastError = errorText(error, this.lang);
      this.respond(op, false, { value: undefined }, this.lastError);
      return;
    }
    this.respond(op, true, result, undefined);
  }

  private async dispatch(op: number, reader: Reader): Promise<CallResult> {
    if (op === Op.Open) return this.open(reader);
    if (op === Op.Subscribe) return this.subscribe(reader);
    if (this.stream) return this.streamRequest(op, reader);
    if (op === Op.Locale) {
      this.setLocale(reader.value());
      return { value: undefined };
    }
    const binding = this.binding;
    if (!binding) throw new Error('OPEN must come first');
    if (op === Op.Call) {
      const methodId = reader.u16();
      const count = reader.u8();
      const values: WireValue[] = [];
      for (let i = 0; i < count; i++) values.push(reader.value());
      const method = binding.spec.methods[methodId];
      if (!method) throw new EngineError('unknownMember', [`#${methodId}`]);
      if (method.local === 'errorDescription') return { value: this.lastError };
      return binding.call(methodId, checkArguments(method, values));
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

  private respond(op: number, ok: boolean, result: CallResult, error: string | undefined): void {
    if (this.closed) return;
    const writer = new Writer().u8(RESPONSE_FLAG | op).u8(ok ? 0 : 1).value(result.value);
    const outs = result.outs ?? [];
    writer.u8(outs.length);
    for (const [index, value] of outs) writer.u8(index).value(value as OutValue);
    writer.value(error);
    this.socket.write(writer.finish());
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    try {
      await this.binding?.dispose();
    } finally {
      this.onEnd();
    }
  }
}

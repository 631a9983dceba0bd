import type { ClassSpec } from '../api/table.js';
import type { Body } from '../engine/message.js';
import type { Lang } from '../i18n/messages.js';
import type { Arguments } from './arguments.js';
import type { WireValue } from './wire.js';

export type OutValue = WireValue | Buffer;

export interface CallResult {
  value: OutValue;
  /** out-parameters to write back: [argument index, new value] */
  outs?: Array<[number, OutValue]>;
  /**
   * Further results of the same call that are ready now (received messages): the library answers
   * the next calls of this method from them without asking (docs/protocol.md, batches).
   */
  more?: CallResult[] | FormedResults;
}

/** Where a ResultForm writes one result: its value and count of out-parameters, then each of them. */
export interface ResultWriter {
  result(value: OutValue, outCount: number): this;
  out(index: number, value: OutValue): this;
}

/**
 * How an item (a received message) is the result of the call that takes it, written straight into
 * the response: a batch of hundreds of messages then costs no object per message.
 */
export type ResultForm<T> = (item: T, to: ResultWriter) => void;

/** Results to write as `form` shapes each item. */
export interface FormedResults<T = unknown> {
  readonly items: readonly T[];
  /** a method, so that the results of any item type are FormedResults (methods are bivariant) */
  form(item: T, to: ResultWriter): void;
}

/** One item's result as an object (a call's first result, which may be inspected before it is written). */
export function formResult<T>(form: ResultForm<T>, item: T): CallResult {
  const result: CallResult = { value: undefined };
  const collect: ResultWriter = {
    result(value) {
      result.value = value;
      return this;
    },
    out(index, value) {
      (result.outs ??= []).push([index, value]);
      return this;
    },
  };
  form(item, collect);
  return result;
}

/** A method the library may call without waiting for its answer (docs/protocol.md, send grants). */
export interface Grant {
  methodId: number;
  /** bytes of message bodies it may send that way */
  credit: number;
  /** the values its first argument may have (connection ids), or any value */
  keys?: number[];
}

/** A batch holds at most this many further results, and stops once it holds this many bytes. */
export const BATCH_COUNT = 256;
export const BATCH_BYTES = 256 * 1024;
/**
 * Sends are granted while at most this share of the send-buffer limit waits to go out: beyond it
 * each Отправить waits for its answer again, which paces a program that sends faster than its peer
 * takes (the limit itself still fails a Send, docs/limits.md).
 */
export const GRANT_SHARE = 0.25;

/** What one add-in object is in the engine: the table entry and the engine object behind it. */
export interface Binding {
  readonly spec: ClassSpec;
  call(methodId: number, args: Arguments): Promise<CallResult> | CallResult;
  /**
   * The same call answered without waiting when it can be (Send; Receive with a message queued),
   * else undefined. `args` is the session's, valid during this call only.
   */
  callNow?(methodId: number, args: Arguments): CallResult | undefined;
  get(propId: number): OutValue;
  /** sets a property; what it answers goes back in the SET response (the events token) */
  set(propId: number, value: WireValue): OutValue | void;
  /** the object's external events (src/daemon/event-feed.ts) */
  readonly events: { lang: () => Lang };
  /**
   * The library handed out `count` results of the last batch; `giveUpRest`: it dropped the others
   * (they go back to the queue, ahead of the rest).
   */
  taken?(count: number, giveUpRest: boolean): void;
  /** What the library may send without waiting, as of now (sent with every response). */
  grant?(): Grant | undefined;
  /** the object is gone (Done, DestroyObject, or the 1C process died) */
  dispose(): Promise<void>;
}

/** Argument casts: the table has already checked each argument's kind (src/daemon/arguments.ts). */
export const str = (v: unknown): string => v as string;
export const num = (v: unknown): number => v as number;
export const body = (v: unknown): Body => v as Body;

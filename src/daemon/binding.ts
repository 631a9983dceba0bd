import type { ClassSpec } from '../api/table.js';
import type { Lang } from '../i18n/messages.js';
import type { Arguments } from './arguments.js';
import type { WireValue } from './wire.js';

export type OutValue = WireValue | Buffer;

export interface CallResult {
  value: OutValue;
  /** out-parameters to write back: [argument index, new value] */
  outs?: Array<[number, OutValue]>;
}

/** What one add-in object is in the engine: the table entry and the engine object behind it. */
export interface Binding {
  readonly spec: ClassSpec;
  call(methodId: number, args: Arguments): Promise<CallResult> | CallResult;
  /** The same call answered without waiting when it can be (Send; Receive with a message queued), else undefined. */
  callNow?(methodId: number, args: Arguments): CallResult | undefined;
  get(propId: number): OutValue;
  /** sets a property; what it answers goes back in the SET response (the events token) */
  set(propId: number, value: WireValue): OutValue | void;
  /** the object's external events (src/daemon/event-feed.ts) */
  readonly events: { lang: () => Lang };
  /** the object is gone (Done, DestroyObject, or the 1C process died) */
  dispose(): Promise<void>;
}

/** Argument casts: the table has already checked each argument's kind (src/daemon/arguments.ts). */
export const str = (v: unknown): string => v as string;
export const num = (v: unknown): number => v as number;
export const body = (v: unknown): string | Buffer => v as string | Buffer;

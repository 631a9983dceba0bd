import type { MethodSpec, ParamSpec } from '../api/table.js';
import { EngineError } from '../engine/errors.js';
import { TextBytes } from '../engine/message.js';
import { Blob1C, Date1C, Unsupported, type WireValue } from './wire.js';

const TYPE_KEYS = {
  string: 'typeString',
  number: 'typeNumber',
  message: 'typeString',
} as const;

type Argument = string | number | Buffer | TextBytes | undefined;

/** The arguments of a call, checked against the method's table entry, defaults applied. */
export type Arguments = ReadonlyArray<Argument>;

/** Checks `values` against the method's parameters; into `into` (reused by a session), else a new array. */
export function checkArguments(method: MethodSpec, values: readonly WireValue[], into: Argument[] = []): Arguments {
  const params = method.params;
  for (let index = 0; index < params.length; index++) into[index] = checkOne(params[index] as ParamSpec, index, values[index]);
  return into;
}

function checkOne(param: ParamSpec, index: number, given: WireValue): Argument {
  if (param.kind === 'out') return undefined;
  const value = given === undefined && param.default !== undefined ? param.default : given;
  if (value === undefined) throw new EngineError('missingParam', [index + 1, param]);
  switch (param.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (value instanceof TextBytes) return value.toString();
      break;
    case 'number':
      if (typeof value === 'number') return value;
      break;
    case 'message':
      if (typeof value === 'string' || value instanceof TextBytes) return value;
      if (value instanceof Blob1C) return value.bytes;
      break;
  }
  throw new EngineError('badCast', [index + 1, param, new EngineError(TYPE_KEYS[param.kind]), describeType(value)]);
}

/** The 1C type name of a value, for «<bad cast>» texts. */
export function describeType(value: WireValue): EngineError {
  if (value === undefined) return new EngineError('typeUndefined');
  if (value === null) return new EngineError('typeNull');
  if (typeof value === 'boolean') return new EngineError('typeBoolean');
  if (typeof value === 'number') return new EngineError('typeNumber');
  if (typeof value === 'string' || value instanceof TextBytes) return new EngineError('typeString');
  if (value instanceof Blob1C) return new EngineError('typeBinary');
  if (value instanceof Date1C) return new EngineError('typeDate');
  if (value instanceof Unsupported) return new EngineError('typeOther');
  return new EngineError('typeOther');
}

/** A Receive timeout: a non-negative number of ms; fractions round up so 0.5 never means "forever". */
export function timeoutMs(value: number): number {
  if (!(value >= 0)) throw new EngineError('badTimeout', [value]);
  return Math.ceil(value);
}

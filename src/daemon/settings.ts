import type { PropSpec } from '../api/table.js';
import { EngineError } from '../engine/errors.js';
import { describeType } from './arguments.js';
import type { WireValue } from './wire.js';

const KIND_KEYS = { string: 'typeString', number: 'typeNumber', boolean: 'typeBoolean' } as const;

/** The value of a writable property, checked against its kind («<bad cast>» otherwise). */
export function checkSetting(prop: PropSpec, value: WireValue): string | number | boolean {
  const kind = prop.kind ?? 'string';
  if (typeof value === kind) return value as string | number | boolean;
  throw new EngineError('badSetting', [prop, new EngineError(KIND_KEYS[kind]), describeType(value)]);
}

/** Milliseconds for a timing setting: non-negative, fractions rounded up. */
export function settingMs(prop: PropSpec, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new EngineError('badSettingValue', [prop, new EngineError('nonNegativeMs')]);
  return Math.ceil(value);
}

/** A count or size: a non-negative whole number. */
export function settingCount(prop: PropSpec, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new EngineError('badSettingValue', [prop, new EngineError('nonNegativeWhole')]);
  return value;
}

/** "a, b,c" → ["a", "b", "c"]; empty items dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** "1, 2, 5" → [1, 2, 5] for a list of connection ids. */
export function parseIdList(text: string): number[] {
  const items = splitList(text);
  const ids = items.map(Number);
  if (ids.some((id) => !Number.isInteger(id))) throw new EngineError('badIdList', [text]);
  return ids;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function checkHeader(name: string, value: string): void {
  if (!HEADER_NAME.test(name) || !/^[\t\x20-\x7e]*$/.test(value)) throw new EngineError('badHeader', [name]);
}

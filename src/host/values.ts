/**
 * BSL values as the emulator's API takes and returns them.
 *
 * | BSL            | JS                         |
 * |----------------|----------------------------|
 * | Неопределено   | `undefined`                |
 * | Null           | `null`                     |
 * | Булево         | `boolean`                  |
 * | Число          | `number`                   |
 * | Строка         | `string` (UTF-16 as is)    |
 * | Дата           | `Date` (its UTC fields are the BSL wall-clock date) |
 * | ДвоичныеДанные | `BinaryData`               |
 */

/** ДвоичныеДанные: an immutable byte string. */
export class BinaryData {
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array | ArrayLike<number> = new Uint8Array(0)) {
    this.bytes = Uint8Array.from(bytes);
  }

  static fromString(text: string, encoding: BufferEncoding = 'utf8'): BinaryData {
    return new BinaryData(Buffer.from(text, encoding));
  }

  /** Размер() */
  get size(): number {
    return this.bytes.length;
  }

  equals(other: BinaryData): boolean {
    return Buffer.from(this.bytes).equals(Buffer.from(other.bytes));
  }

  toString(): string {
    return `BinaryData(${this.size} bytes)`;
  }
}

export type BslValue = undefined | null | boolean | number | string | Date | BinaryData;

/**
 * A variable passed to a method: after the call it holds what the component wrote into that
 * parameter, as BSL copies parameters back into variables.
 * `const data = out(); obj.call('Принять', 3000, data); data.value`
 */
export class OutParam {
  constructor(public value: BslValue = undefined) {}
}

export function out(initial: BslValue = undefined): OutParam {
  return new OutParam(initial);
}

/** An omitted argument in the middle of a call, BSL's `Obj.M(1, , 3)`. */
export const skip: unique symbol = Symbol('skip');
export type Skip = typeof skip;

export type Argument = BslValue | OutParam | Skip;

export function isBslValue(v: unknown): v is BslValue {
  return (
    v === undefined ||
    v === null ||
    typeof v === 'boolean' ||
    typeof v === 'number' ||
    typeof v === 'string' ||
    v instanceof Date ||
    v instanceof BinaryData
  );
}

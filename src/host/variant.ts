/**
 * tVariant marshalling: BSL values into host-owned variants, and every variant type a component
 * may hand back into BSL values. Layout offsets come from the ABI description.
 */
import type { AbiLayout } from './abi.js';
import { BslError, Text } from './errors.js';
import { bytesAt, NULL, readPtr, readUtf16, readUtf8, utf16, viewAt, writePtr, type Ptr } from './ffi.js';
import type { StrictMemoryManager } from './memory.js';
import { BinaryData, type BslValue } from './values.js';

/** TYPEVAR */
export const VT = {
  EMPTY: 0,
  NULL: 1,
  I2: 2,
  I4: 3,
  R4: 4,
  R8: 5,
  DATE: 6,
  TM: 7,
  PSTR: 8,
  INTERFACE: 9,
  ERROR: 10,
  BOOL: 11,
  VARIANT: 12,
  I1: 13,
  UI1: 14,
  UI2: 15,
  UI4: 16,
  I8: 17,
  UI8: 18,
  INT: 19,
  UINT: 20,
  HRESULT: 21,
  PWSTR: 22,
  BLOB: 23,
  CLSID: 24,
} as const;

/** variant types whose payload is a memory-manager block the receiver must free */
const PAYLOAD_TYPES: ReadonlySet<number> = new Set([VT.PWSTR, VT.PSTR, VT.BLOB]);

const MS_PER_DAY = 86_400_000;
/** OLE Automation day 0 (1899-12-30) in Unix milliseconds */
const OLE_EPOCH_MS = Date.UTC(1899, 11, 30);

/** A date from BSL wall-clock fields (month 0–11); handles years below 100. */
function dateFromFields(year: number, mon: number, mday: number, h: number, m: number, s: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, mon, mday);
  d.setUTCHours(h, m, s, 0);
  return d;
}

/** OLE Automation date (days since 1899-12-30; the fraction is the time of day, also when negative). */
export function fromOleDate(ole: number): Date {
  const days = Math.trunc(ole);
  const frac = Math.abs(ole - days);
  return new Date(OLE_EPOCH_MS + days * MS_PER_DAY + Math.round(frac * MS_PER_DAY));
}

export class VariantCodec {
  constructor(
    private readonly abi: AbiLayout,
    private readonly mm: StrictMemoryManager,
  ) {}

  get size(): number {
    return this.abi.variant.size;
  }

  /** Resets a variant to VTYPE_EMPTY (all bytes zero). */
  clear(p: Ptr): void {
    bytesAt(p, this.size).fill(0);
  }

  vt(p: Ptr): number {
    return viewAt(p, this.size).getUint16(this.abi.variant.vtOffset, true);
  }

  /**
   * Writes a BSL value the way the platform passes it to a component; string and blob payloads
   * are allocated from the memory manager on the host's account (`context` says for what).
   */
  write(p: Ptr, value: BslValue, context: string): void {
    const L = this.abi.variant;
    this.clear(p);
    const dv = viewAt(p, this.size);
    let vt: number;
    if (value === undefined) {
      vt = VT.EMPTY;
    } else if (value === null) {
      vt = VT.NULL;
    } else if (typeof value === 'boolean') {
      vt = VT.BOOL;
      dv.setUint8(0, value ? 1 : 0);
    } else if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= -0x8000_0000 && value <= 0x7fff_ffff) {
        vt = VT.I4;
        dv.setInt32(0, value, true);
      } else {
        vt = VT.R8;
        dv.setFloat64(0, value, true);
      }
    } else if (typeof value === 'string') {
      vt = VT.PWSTR;
      const units = utf16(value);
      const block = this.mm.allocate(units.length + 2, 'host', context);
      const dst = bytesAt(block, units.length + 2);
      dst.set(units);
      dst[units.length] = 0;
      dst[units.length + 1] = 0;
      writePtr(this.abi, p, 0, block);
      dv.setUint32(L.lengthOffset, units.length / 2, true);
    } else if (value instanceof Date) {
      const t = value.getTime();
      if (Number.isNaN(t)) throw new TypeError('host emulator: an invalid Date cannot be passed');
      vt = VT.TM;
      const tm = L.tm;
      const year = value.getUTCFullYear();
      const startOfYear = dateFromFields(year, 0, 1, 0, 0, 0).getTime();
      const dayStart = dateFromFields(year, value.getUTCMonth(), value.getUTCDate(), 0, 0, 0).getTime();
      dv.setInt32(tm.sec, value.getUTCSeconds(), true);
      dv.setInt32(tm.min, value.getUTCMinutes(), true);
      dv.setInt32(tm.hour, value.getUTCHours(), true);
      dv.setInt32(tm.mday, value.getUTCDate(), true);
      dv.setInt32(tm.mon, value.getUTCMonth(), true);
      dv.setInt32(tm.year, year - 1900, true);
      dv.setInt32(tm.wday, value.getUTCDay(), true);
      dv.setInt32(tm.yday, Math.round((dayStart - startOfYear) / MS_PER_DAY), true);
      dv.setInt32(tm.isdst, 0, true);
    } else if (value instanceof BinaryData) {
      vt = VT.BLOB;
      let block = NULL;
      if (value.size > 0) {
        block = this.mm.allocate(value.size, 'host', context);
        bytesAt(block, value.size).set(value.bytes);
      }
      writePtr(this.abi, p, 0, block);
      dv.setUint32(L.lengthOffset, value.size, true);
    } else {
      throw new TypeError(`host emulator: ${describeJs(value)} has no BSL equivalent`);
    }
    dv.setUint16(L.vtOffset, vt, true);
  }

  /** Reads any variant a component may return; types without a BSL mapping throw BslError. */
  read(p: Ptr): BslValue {
    const L = this.abi.variant;
    const dv = viewAt(p, this.size);
    const vt = dv.getUint16(L.vtOffset, true);
    const len = (): number => dv.getUint32(L.lengthOffset, true);
    switch (vt) {
      case VT.EMPTY:
        return undefined;
      case VT.NULL:
        return null;
      case VT.BOOL:
        return dv.getUint8(0) !== 0;
      case VT.I1:
        return dv.getInt8(0);
      case VT.UI1:
        return dv.getUint8(0);
      case VT.I2:
        return dv.getInt16(0, true);
      case VT.UI2:
        return dv.getUint16(0, true);
      case VT.I4:
      case VT.INT:
      case VT.ERROR:
        return dv.getInt32(0, true);
      case VT.UI4:
      case VT.UINT:
        return dv.getUint32(0, true);
      case VT.I8:
        return Number(dv.getBigInt64(0, true));
      case VT.UI8:
        return Number(dv.getBigUint64(0, true));
      case VT.HRESULT:
        return this.abi.long === 'int64_t' ? Number(dv.getBigInt64(0, true)) : dv.getInt32(0, true);
      case VT.R4:
        return dv.getFloat32(0, true);
      case VT.R8:
        return dv.getFloat64(0, true);
      case VT.DATE:
        return fromOleDate(dv.getFloat64(0, true));
      case VT.TM: {
        const tm = L.tm;
        const f = (o: number): number => dv.getInt32(o, true);
        return dateFromFields(f(tm.year) + 1900, f(tm.mon), f(tm.mday), f(tm.hour), f(tm.min), f(tm.sec));
      }
      case VT.PWSTR:
        return readUtf16(readPtr(this.abi, p, 0), len());
      case VT.PSTR: {
        const s = readPtr(this.abi, p, 0);
        return s === NULL ? '' : readUtf8(s, len());
      }
      case VT.BLOB: {
        const b = readPtr(this.abi, p, 0);
        const n = len();
        return new BinaryData(b === NULL || n === 0 ? new Uint8Array(0) : bytesAt(b, n));
      }
      default:
        throw new BslError(Text.unsupportedValue(vt));
    }
  }

  /** The payload block of a PWSTR/PSTR/BLOB variant, or NULL. */
  payload(p: Ptr): Ptr {
    return PAYLOAD_TYPES.has(this.vt(p)) ? readPtr(this.abi, p, 0) : NULL;
  }

  /** Frees the variant's payload through the memory manager (as the platform does) and clears it. */
  release(p: Ptr, context: string): void {
    const block = this.payload(p);
    if (block !== NULL) this.mm.free(block, 'host', context);
    this.clear(p);
  }
}

function describeJs(v: unknown): string {
  if (typeof v === 'object') return v === null ? 'null' : `an object (${v.constructor?.name ?? 'Object'})`;
  return `a ${typeof v}`;
}

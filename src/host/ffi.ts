/**
 * The only module that talks to koffi: raw native memory, UTF-16 helpers, calling a function
 * pointer with an interface signature, and registering JS functions as C callbacks.
 *
 * Pointers are BigInt (koffi 3); NULL is `0n` everywhere in the emulator.
 *
 * Calls through koffi are synchronous and block Node's event loop for as long as the add-in
 * method runs. That is intended: 1C blocks the calling thread too. A consequence for tests: a
 * peer that a blocking add-in call waits for (a WebSocket server answering `Принять(3000, …)`,
 * say) must live in another process (or worker thread), never on this event loop. Likewise a
 * callback an add-in makes from one of its own threads (ExternalEvent) only runs when this event
 * loop is free, so that thread waits until the test awaits something.
 */
import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import type { AbiLayout } from './abi.js';
import type { Kind, MethodSig } from './interfaces.js';

export type Ptr = bigint;
export const NULL: Ptr = 0n;

/** koffi's prototype/type objects (opaque to us) */
type KoffiType = ReturnType<typeof koffi.proto>;

function cType(abi: AbiLayout, kind: Kind): string {
  switch (kind) {
    case 'void':
      return 'void';
    case 'bool':
      return abi.bool;
    case 'long':
      return abi.long;
    case 'ulong':
      return abi.ulong;
    case 'ptr':
      return 'void *';
    case 'u16':
      return 'uint16_t';
    case 'enum':
      return 'int32_t';
  }
}

const protoCache = new Map<string, KoffiType>();

/** koffi prototype of a vtable method: `result (CONV *)(void* self, params...)` */
export function protoOf(abi: AbiLayout, sig: MethodSig): KoffiType {
  const result = cType(abi, sig.result);
  const params = ['void *', ...sig.params.map((k) => cType(abi, k))];
  const key = `${abi.methodConvention}|${result}|${params.join(',')}`;
  let proto = protoCache.get(key);
  if (!proto) {
    proto = abi.methodConvention
      ? koffi.proto(abi.methodConvention, result, params)
      : koffi.proto(result, params);
    protoCache.set(key, proto);
  }
  return proto;
}

/** What a marshalled argument or result can be on our side. */
export type NativeValue = number | boolean | Ptr | undefined;

function toPtr(v: unknown): Ptr {
  if (v === null || v === undefined) return NULL;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw new TypeError(`not a pointer: ${String(v)}`);
}

/** Normalises a raw koffi value of `kind` for our code. */
function fromNative(kind: Kind, v: unknown): NativeValue {
  switch (kind) {
    case 'void':
      return undefined;
    case 'bool':
      // the low byte only (declared uint8_t), any non-zero value is true
      return (Number(v) & 0xff) !== 0;
    case 'long':
    case 'ulong':
    case 'u16':
    case 'enum':
      return Number(v);
    case 'ptr':
      return toPtr(v);
  }
}

function toNative(kind: Kind, v: NativeValue): unknown {
  switch (kind) {
    case 'void':
      return undefined;
    case 'bool':
      return v ? 1 : 0;
    case 'ptr':
      return typeof v === 'bigint' ? v : NULL;
    default:
      return typeof v === 'bigint' ? v : Number(v ?? 0);
  }
}

// `any[]`: koffi's decoded functions are untyped callables; we wrap every use in typed helpers.
type RawFn = (...args: any[]) => unknown;
const fnCache = new Map<string, RawFn>();

/** Calls the C function at `fn` with signature `sig`, `self` first. */
export function callPtr(
  abi: AbiLayout,
  fn: Ptr,
  sig: MethodSig,
  self: Ptr,
  args: readonly NativeValue[],
): NativeValue {
  if (fn === NULL) throw new Error(`host emulator: NULL function pointer for ${sig.name}`);
  const proto = protoOf(abi, sig);
  const key = `${fn}|${abi.id}|${sig.result}|${sig.params.join(',')}`;
  let f = fnCache.get(key);
  if (!f) {
    f = koffi.decode(fn, proto) as RawFn;
    fnCache.set(key, f);
  }
  const raw = f(self, ...args.map((a, i) => toNative(sig.params[i]!, a)));
  return fromNative(sig.result, raw);
}

/**
 * `callPtr` on one of koffi's worker threads: Node's event loop stays free meanwhile, so callbacks
 * the component makes from its own threads (ExternalEvent) are answered while it runs.
 */
export function callPtrAsync(
  abi: AbiLayout,
  fn: Ptr,
  sig: MethodSig,
  self: Ptr,
  args: readonly NativeValue[],
): Promise<NativeValue> {
  if (fn === NULL) return Promise.reject(new Error(`host emulator: NULL function pointer for ${sig.name}`));
  const f = koffi.decode(fn, protoOf(abi, sig)) as RawFn & { async: RawFn };
  return new Promise((resolve, reject) => {
    f.async(self, ...args.map((a, i) => toNative(sig.params[i]!, a)), (error: unknown, raw: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(fromNative(sig.result, raw));
    });
  });
}

/** Calls a plain exported C function (not a method: no `self`). */
export function bindExport(
  lib: LibraryHandle,
  name: string,
  result: string,
  params: readonly string[],
): RawFn {
  return lib.func(name, result, [...params]) as RawFn;
}

/**
 * Registers a JS function as a C callback of signature `sig` (with `self` first). The function
 * gets normalised values and returns one; the returned BigInt is the C function pointer.
 */
export function registerCallback(
  abi: AbiLayout,
  sig: MethodSig,
  impl: (self: Ptr, args: NativeValue[]) => NativeValue,
): Ptr {
  const proto = protoOf(abi, sig);
  const wrapper = (self: unknown, ...raw: unknown[]): unknown => {
    const args = raw.map((r, i) => fromNative(sig.params[i]!, r));
    return toNative(sig.result, impl(toPtr(self), args));
  };
  return koffi.register(wrapper, koffi.pointer(proto));
}

// ----- raw memory (not visible to components as IMemoryManager memory) -----

/** Allocates `size` zeroed bytes of stable native memory. */
export function rawAlloc(size: number): Ptr {
  const n = Math.max(1, size);
  const p = toPtr(koffi.alloc('uint8_t', n));
  bytesAt(p, n).fill(0);
  return p;
}

export function rawFree(p: Ptr): void {
  if (p !== NULL) koffi.free(p);
}

/** A live view of native memory (no copy). */
export function bytesAt(p: Ptr, len: number): Uint8Array {
  if (len === 0) return new Uint8Array(0);
  return new Uint8Array(koffi.view(p, len));
}

export function viewAt(p: Ptr, len: number): DataView {
  return new DataView(koffi.view(p, len));
}

export function readPtr(abi: AbiLayout, p: Ptr, offset = 0): Ptr {
  const dv = viewAt(p + BigInt(offset), abi.pointerSize);
  return abi.pointerSize === 8 ? dv.getBigUint64(0, true) : BigInt(dv.getUint32(0, true));
}

export function writePtr(abi: AbiLayout, p: Ptr, offset: number, value: Ptr): void {
  const dv = viewAt(p + BigInt(offset), abi.pointerSize);
  if (abi.pointerSize === 8) dv.setBigUint64(0, value, true);
  else dv.setUint32(0, Number(value), true);
}

/** writes a C `long` */
export function writeLong(abi: AbiLayout, p: Ptr, offset: number, value: number): void {
  const size = abi.long === 'int64_t' ? 8 : 4;
  const dv = viewAt(p + BigInt(offset), size);
  if (size === 8) dv.setBigInt64(0, BigInt(value), true);
  else dv.setInt32(0, value, true);
}

// ----- UTF-16 (WCHAR_T is a 16-bit code unit on every platform) -----

/** UTF-16LE code units of `s`, unpaired surrogates and NULs kept as they are. */
export function utf16(s: string): Uint8Array {
  return Buffer.from(s, 'utf16le');
}

/** Reads `units` UTF-16 code units. */
export function readUtf16(p: Ptr, units: number): string {
  if (p === NULL || units === 0) return '';
  return koffi.decode.string16(p, units);
}

/** Reads a NUL-terminated UTF-16 string; `null` for a NULL pointer. */
export function readUtf16z(p: Ptr): string | null {
  if (p === NULL) return null;
  return koffi.decode.string16(p);
}

/** Reads a NUL-terminated 8-bit string as UTF-8. */
export function readUtf8(p: Ptr, len?: number): string {
  if (p === NULL) return '';
  if (len === undefined) return koffi.decode.string(p);
  return Buffer.from(bytesAt(p, len)).toString('utf8');
}

/**
 * A NUL-terminated UTF-16 copy of `s` in raw memory, for strings the host passes in and keeps
 * ownership of (FindMethod names, SetLocale). Free with rawFree.
 */
export function rawUtf16z(s: string): Ptr {
  const units = utf16(s);
  const p = rawAlloc(units.length + 2);
  bytesAt(p, units.length).set(units);
  return p;
}

export { koffi };

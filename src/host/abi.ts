/**
 * The binary layout the emulator speaks, as data.
 *
 * Everything that differs between platforms/compilers (widths of `long`, destructor slots in a
 * vtable, the tVariant and `struct tm` layouts, where GetInterface's pointer points) lives here,
 * so another platform is one more table entry rather than new code. Only Linux x86_64 is exercised
 * by the tests; the Windows x64 entry is taken from docs/native-api.md (clang record/vtable dumps)
 * and has not been run.
 */

/** A C scalar type as koffi names it. */
export type CScalar = 'int32_t' | 'int64_t' | 'uint32_t' | 'uint64_t';

export interface TmLayout {
  readonly size: number;
  /** byte offsets of the nine `int` fields, in declaration order */
  readonly sec: number;
  readonly min: number;
  readonly hour: number;
  readonly mday: number;
  readonly mon: number;
  readonly year: number;
  readonly wday: number;
  readonly yday: number;
  readonly isdst: number;
}

export interface VariantLayout {
  readonly size: number;
  /** every scalar member and the string/blob/interface pointer start at 0 */
  readonly valueOffset: 0;
  /** strLen / wstrLen (uint32), aliased */
  readonly lengthOffset: number;
  /** uint32 cbElements */
  readonly cbElementsOffset: number;
  /** uint16 TYPEVAR */
  readonly vtOffset: number;
  /** `struct tm tmVal` sits at offset 0 of the union */
  readonly tm: TmLayout;
}

export interface AbiLayout {
  readonly id: string;
  readonly pointerSize: 4 | 8;
  /** C `long`: every index, count, scode and depth in the interfaces */
  readonly long: CScalar;
  /** C `unsigned long`: AllocMemory's size */
  readonly ulong: CScalar;
  /**
   * C++ `bool` results: one byte, the low byte of the return register. We declare them as
   * uint8_t so only that byte is looked at, and treat any non-zero value as true.
   */
  readonly bool: 'uint8_t';
  /** calling convention of the ADDIN_API virtual methods, as a koffi prototype prefix */
  readonly methodConvention: '' | '__stdcall';
  /** vtable entries a virtual destructor occupies: 2 (Itanium D1 + D0) or 1 (MSVC) */
  readonly destructorSlots: 1 | 2;
  /** words in front of a vtable's address point (Itanium: offset-to-top + typeinfo; MSVC: COL) */
  readonly wordsBeforeAddressPoint: 1 | 2;
  /**
   * What GetInterface returns relative to the host object: Itanium places the empty IInterface
   * base at 0; MSVC puts it after the vfptr.
   */
  readonly interfaceAdjust: number;
  readonly variant: VariantLayout;
}

const tmNineInts = {
  sec: 0,
  min: 4,
  hour: 8,
  mday: 12,
  mon: 16,
  year: 20,
  wday: 24,
  yday: 28,
  isdst: 32,
} as const;

/** g++/clang on Linux x86_64 (System V, Itanium C++ ABI, glibc `struct tm` of 56 bytes). */
export const LINUX_X64: AbiLayout = {
  id: 'linux-x86_64',
  pointerSize: 8,
  long: 'int64_t',
  ulong: 'uint64_t',
  bool: 'uint8_t',
  methodConvention: '',
  destructorSlots: 2,
  wordsBeforeAddressPoint: 2,
  interfaceAdjust: 0,
  variant: {
    size: 64,
    valueOffset: 0,
    lengthOffset: 8,
    cbElementsOffset: 56,
    vtOffset: 60,
    // tm_gmtoff (long) at 40 and tm_zone (char*) at 48 are left zero by the host
    tm: { size: 56, ...tmNineInts },
  },
};

/** MSVC on Windows x64 (from the layout tables in docs/native-api.md; not exercised here). */
export const WINDOWS_X64: AbiLayout = {
  id: 'windows-x86_64',
  pointerSize: 8,
  long: 'int32_t',
  ulong: 'uint32_t',
  bool: 'uint8_t',
  methodConvention: '',
  destructorSlots: 1,
  wordsBeforeAddressPoint: 1,
  interfaceAdjust: 8,
  variant: {
    size: 48,
    valueOffset: 0,
    lengthOffset: 8,
    cbElementsOffset: 40,
    vtOffset: 44,
    tm: { size: 36, ...tmNineInts },
  },
};

/** The layout of the process we run in. */
export function currentAbi(): AbiLayout {
  if (process.platform === 'linux' && process.arch === 'x64') return LINUX_X64;
  if (process.platform === 'win32' && process.arch === 'x64') return WINDOWS_X64;
  throw new Error(`host emulator: no ABI layout for ${process.platform}/${process.arch}`);
}

/**
 * Loading a Native API shared library and calling its exported C functions.
 */
import type { LibraryHandle } from 'koffi';
import type { AbiLayout } from './abi.js';
import {
  bindExport,
  koffi,
  NULL,
  rawAlloc,
  rawFree,
  rawUtf16z,
  readPtr,
  readUtf16z,
  writePtr,
  type Ptr,
} from './ffi.js';

type ExportFn = ReturnType<typeof bindExport>;

function optional(lib: LibraryHandle, name: string, result: string, params: string[]): ExportFn | null {
  try {
    return bindExport(lib, name, result, params);
  } catch {
    return null;
  }
}

export class NativeLibrary {
  private readonly getClassNamesFn: ExportFn;
  private readonly getClassObjectFn: ExportFn;
  private readonly destroyObjectFn: ExportFn;
  private readonly setPlatformCapabilitiesFn: ExportFn | null;
  private readonly getAttachTypeFn: ExportFn | null;
  private unloaded = false;

  private constructor(
    readonly path: string,
    private readonly abi: AbiLayout,
    private readonly handle: LibraryHandle,
  ) {
    const long = abi.long;
    const required = (name: string, result: string, params: string[]): ExportFn => {
      const f = optional(handle, name, result, params);
      if (!f) throw new Error(`host emulator: ${path} does not export ${name}`);
      return f;
    };
    this.getClassNamesFn = required('GetClassNames', 'void *', []);
    this.getClassObjectFn = required('GetClassObject', long, ['void *', 'void *']);
    this.destroyObjectFn = required('DestroyObject', long, ['void *']);
    // AppCapabilities and AttachType are 4-byte enums
    this.setPlatformCapabilitiesFn = optional(handle, 'SetPlatformCapabilities', 'int32_t', ['int32_t']);
    this.getAttachTypeFn = optional(handle, 'GetAttachType', 'int32_t', []);
  }

  /** dlopen / LoadLibrary; throws with the loader's message when the file cannot be loaded. */
  static load(path: string, abi: AbiLayout): NativeLibrary {
    let handle: LibraryHandle;
    try {
      handle = koffi.load(path);
    } catch (e) {
      throw new Error(`host emulator: cannot load ${path}: ${(e as Error).message}`);
    }
    return new NativeLibrary(path, abi, handle);
  }

  get exportsSetPlatformCapabilities(): boolean {
    return this.setPlatformCapabilitiesFn !== null;
  }

  get exportsGetAttachType(): boolean {
    return this.getAttachTypeFn !== null;
  }

  /** GetClassNames split on `|` (the buffer belongs to the library and is not freed). */
  getClassNames(): string[] {
    const p = this.getClassNamesFn() as Ptr | null;
    const text = readUtf16z(p ?? NULL) ?? '';
    return text === '' ? [] : text.split('|');
  }

  /** GetClassObject into a NULL-initialised slot; NULL when the library refuses. */
  getClassObject(className: string): Ptr {
    const name = rawUtf16z(className);
    const slot = rawAlloc(this.abi.pointerSize);
    try {
      const ok = Number(this.getClassObjectFn(name, slot));
      const obj = readPtr(this.abi, slot, 0);
      return ok !== 0 ? obj : NULL;
    } finally {
      rawFree(slot);
      rawFree(name);
    }
  }

  /** DestroyObject; returns the library's code (0 = success) and whether it cleared the pointer. */
  destroyObject(obj: Ptr): { code: number; cleared: boolean } {
    const slot = rawAlloc(this.abi.pointerSize);
    try {
      writePtr(this.abi, slot, 0, obj);
      const code = Number(this.destroyObjectFn(slot));
      return { code, cleared: readPtr(this.abi, slot, 0) === NULL };
    } finally {
      rawFree(slot);
    }
  }

  /** destroyObject on a worker thread, the event loop free meanwhile (see callPtrAsync). */
  async destroyObjectAsync(obj: Ptr): Promise<{ code: number; cleared: boolean }> {
    const slot = rawAlloc(this.abi.pointerSize);
    try {
      writePtr(this.abi, slot, 0, obj);
      const fn = this.destroyObjectFn as ExportFn & { async: (...args: unknown[]) => void };
      const code = await new Promise<number>((resolve, reject) => {
        fn.async(slot, (error: unknown, result: unknown) => (error ? reject(error) : resolve(Number(result))));
      });
      return { code, cleared: readPtr(this.abi, slot, 0) === NULL };
    } finally {
      rawFree(slot);
    }
  }

  /** the capabilities the component answers, or undefined when not exported */
  setPlatformCapabilities(caps: number): number | undefined {
    return this.setPlatformCapabilitiesFn ? Number(this.setPlatformCapabilitiesFn(caps)) : undefined;
  }

  getAttachType(): number | undefined {
    return this.getAttachTypeFn ? Number(this.getAttachTypeFn()) : undefined;
  }

  unload(): void {
    if (this.unloaded) return;
    this.unloaded = true;
    this.handle.unload();
  }
}

/**
 * Calling a component's virtual methods: IComponentBase has one vptr per base class
 * (IInitDoneBase, ILanguageExtenderBase, LocaleBase, UserLanguageBase), and each group of
 * methods is called through its own subobject pointer, with `this` = that subobject.
 */
import type { AbiLayout } from './abi.js';
import { callPtr, callPtrAsync, NULL, readPtr, type NativeValue, type Ptr } from './ffi.js';
import { COMPONENT_BASES, type InterfaceDef, type MethodSig } from './interfaces.js';

type BaseDef = (typeof COMPONENT_BASES)[number];
type MethodOf<D> = D extends InterfaceDef<infer N> ? N : never;
export type ComponentMethod = MethodOf<BaseDef>;

export class ComponentVtables {
  private readonly index = new Map<string, { base: number; slot: number; def: BaseDef }>();

  constructor(
    private readonly abi: AbiLayout,
    readonly object: Ptr,
    /** 4 for current SDKs; 3 for components built with pre-2022 headers (no UserLanguageBase) */
    readonly vptrCount: 3 | 4,
  ) {
    COMPONENT_BASES.forEach((def, base) => {
      def.methods.forEach((m, i) => {
        this.index.set(m.name, { base, slot: abi.destructorSlots + i, def });
      });
    });
  }

  /** Calls `method` through the right subobject. */
  call(method: ComponentMethod, ...args: NativeValue[]): NativeValue {
    const { fn, sig, self } = this.resolve(method);
    return callPtr(this.abi, fn, sig, self, args);
  }

  /** `call` on a worker thread, the event loop free meanwhile (see callPtrAsync). */
  callAsync(method: ComponentMethod, ...args: NativeValue[]): Promise<NativeValue> {
    const { fn, sig, self } = this.resolve(method);
    return callPtrAsync(this.abi, fn, sig, self, args);
  }

  private resolve(method: ComponentMethod): { fn: Ptr; sig: BaseDef['methods'][number]; self: Ptr } {
    const where = this.index.get(method);
    if (!where) throw new Error(`host emulator: unknown component method ${method}`);
    if (where.base >= this.vptrCount) {
      throw new Error(`host emulator: ${method} needs vptr #${where.base + 1}, the object has ${this.vptrCount}`);
    }
    const ps = this.abi.pointerSize;
    const self = this.object + BigInt(where.base * ps);
    const vptr = readPtr(this.abi, self, 0);
    if (vptr === NULL) throw new Error(`host emulator: vptr #${where.base + 1} of the component is NULL`);
    const fn = readPtr(this.abi, vptr, where.slot * ps);
    const sig = where.def.methods[where.slot - this.abi.destructorSlots]!;
    return { fn, sig, self };
  }

  /**
   * C++ `delete` through the subobject pointer of vptr #`base` (0-3), as a host that does not call
   * DestroyObject frees the object: Itanium calls the deleting destructor D0 (the second destructor
   * slot), MSVC the scalar deleting destructor (the only one) with flags 1.
   */
  deleteThrough(base: number): void {
    const { fn, sig, self } = this.destructor(base);
    callPtr(this.abi, fn, sig, self, sig.params.length > 0 ? [1] : []);
  }

  /** `deleteThrough` on a worker thread (see callPtrAsync). */
  async deleteThroughAsync(base: number): Promise<void> {
    const { fn, sig, self } = this.destructor(base);
    await callPtrAsync(this.abi, fn, sig, self, sig.params.length > 0 ? [1] : []);
  }

  private destructor(base: number): { fn: Ptr; sig: MethodSig; self: Ptr } {
    if (!Number.isInteger(base) || base < 0 || base >= this.vptrCount) {
      throw new Error(`host emulator: no vptr #${base + 1} to delete through (the object has ${this.vptrCount})`);
    }
    const ps = this.abi.pointerSize;
    const self = this.object + BigInt(base * ps);
    const vptr = readPtr(this.abi, self, 0);
    if (vptr === NULL) throw new Error(`host emulator: vptr #${base + 1} of the component is NULL`);
    const itanium = this.abi.destructorSlots === 2;
    const fn = readPtr(this.abi, vptr, (itanium ? 1 : 0) * ps);
    const sig: MethodSig = itanium
      ? { name: 'deleting destructor (D0)', result: 'void', params: [] }
      : { name: 'scalar deleting destructor', result: 'ptr', params: ['enum'] };
    return { fn, sig, self };
  }

  bool(method: ComponentMethod, ...args: NativeValue[]): boolean {
    return this.call(method, ...args) === true;
  }

  long(method: ComponentMethod, ...args: NativeValue[]): number {
    return Number(this.call(method, ...args));
  }

  ptr(method: ComponentMethod, ...args: NativeValue[]): Ptr {
    const p = this.call(method, ...args);
    return typeof p === 'bigint' ? p : NULL;
  }
}

/**
 * Native objects implemented in JS: `{ vptr }` whose vtable entries are koffi callbacks.
 *
 * Callbacks are registered once per (ABI, interface, method) and dispatch on the `this` pointer
 * they receive, so creating a host object costs two small allocations, not callback slots
 * (koffi has a fixed number of those).
 */
import type { AbiLayout } from './abi.js';
import { NULL, rawAlloc, registerCallback, writePtr, type NativeValue, type Ptr } from './ffi.js';
import type { InterfaceDef } from './interfaces.js';

export type MethodImpl = (args: NativeValue[]) => NativeValue;
export type InterfaceImpl<N extends string> = { readonly [K in N]: MethodImpl };

const dispatch = new Map<Ptr, Record<string, MethodImpl>>();

/**
 * calls that arrived for an object that no longer exists (a component kept a stale pointer), and
 * host-side failures inside a callback; AddInHost.problems() reports them
 */
export const strayCalls: string[] = [];

interface SharedVtable {
  /** the address point (what the vptr holds) */
  readonly addressPoint: Ptr;
}
const vtables = new Map<string, SharedVtable>();

function sharedVtable<N extends string>(abi: AbiLayout, def: InterfaceDef<N>): SharedVtable {
  const key = `${abi.id}|${def.name}`;
  const existing = vtables.get(key);
  if (existing) return existing;

  const ps = abi.pointerSize;
  const dtors = def.hasDestructor ? abi.destructorSlots : 0;
  const words = abi.wordsBeforeAddressPoint + dtors + def.methods.length;
  // never freed: vtables live as long as the process, like a library's .rodata
  const table = rawAlloc(words * ps);
  // offset-to-top / typeinfo (Itanium) or the COL (MSVC) stay zero
  const addressPoint = table + BigInt(abi.wordsBeforeAddressPoint * ps);

  if (dtors > 0) {
    const noop = registerCallback(
      abi,
      { name: `${def.name}::~dtor`, result: 'void', params: [] },
      (self) => {
        strayCalls.push(`${def.name} destructor called on ${self} (the host owns its objects)`);
        return undefined;
      },
    );
    for (let i = 0; i < dtors; i++) writePtr(abi, addressPoint, i * ps, noop);
  }
  def.methods.forEach((m, i) => {
    const fn = registerCallback(abi, m, (self, args) => {
      const impl = dispatch.get(self);
      const method = impl?.[m.name];
      if (!method) {
        strayCalls.push(`${def.name}::${m.name} called on unknown object ${self}`);
        return m.result === 'ptr' ? NULL : 0;
      }
      try {
        return method(args);
      } catch (e) {
        // an exception must not unwind into the component: answer 0/NULL and make it visible
        strayCalls.push(`${def.name}::${m.name} failed in the host: ${(e as Error).message}`);
        return m.result === 'ptr' ? NULL : 0;
      }
    });
    writePtr(abi, addressPoint, (dtors + i) * ps, fn);
  });
  const vt = { addressPoint };
  vtables.set(key, vt);
  return vt;
}

export interface HostObject {
  /** the object's address (what the component receives) */
  readonly ptr: Ptr;
  dispose(): void;
}

/** Creates a `{ vptr }` object implementing `def` with `impl`. */
export function createHostObject<N extends string>(
  abi: AbiLayout,
  def: InterfaceDef<N>,
  impl: InterfaceImpl<N>,
): HostObject {
  const vt = sharedVtable(abi, def);
  const ptr = rawAlloc(abi.pointerSize);
  writePtr(abi, ptr, 0, vt.addressPoint);
  dispatch.set(ptr, impl as Record<string, MethodImpl>);
  let alive = true;
  return {
    ptr,
    dispose() {
      if (!alive) return;
      alive = false;
      dispatch.delete(ptr);
      // The word is deliberately not freed: its address must never be reused, so that a
      // component calling through a stale pointer lands in strayCalls instead of in another
      // object. One pointer-sized word per object is the price.
    },
  };
}

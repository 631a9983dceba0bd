/**
 * A strict IMemoryManager.
 *
 * Every block handed out (to the component through AllocMemory, or by the host for parameter
 * payloads) is tracked with who allocated it and during which call. Freeing checks the block:
 * - a pointer that was never allocated here, or one already freed, is recorded (not freed);
 * - a guard area after each block is checked, catching writes past the end (the classic
 *   "(len) instead of (len + 1) * 2" string bug);
 * - freed blocks are poisoned and kept in quarantine for a while, so their addresses are not
 *   reused and a second free is still recognised as a double free.
 * `assertClean()` throws with every problem and every block still alive (leaks).
 */
import type { AbiLayout } from './abi.js';
import { bytesAt, NULL, rawAlloc, rawFree, readPtr, writePtr, type Ptr } from './ffi.js';
import { createHostObject, type HostObject } from './hostobject.js';
import { I_MEMORY_MANAGER } from './interfaces.js';

export type Owner = 'component' | 'host';

export interface Allocation {
  readonly ptr: Ptr;
  readonly size: number;
  readonly owner: Owner;
  /** what was going on when it was allocated, e.g. `CallAsFunc(Echo)` or `parameter 1 of Echo` */
  readonly context: string;
  /** allocation number, 1-based */
  readonly seq: number;
}

export type MemoryProblemKind =
  | 'double-free'
  | 'unknown-pointer'
  | 'overrun'
  | 'bad-argument';

export interface MemoryProblem {
  readonly kind: MemoryProblemKind;
  readonly ptr: Ptr;
  /** who made the faulty call: the component (FreeMemory) or the host (freeing what it got) */
  readonly by: Owner;
  readonly context: string;
  readonly detail: string;
}

const GUARD_BYTES = 16;
const CANARY = 0xfd;
const POISON = 0xdd;
const QUARANTINE_LIMIT = 4096;

interface Freed {
  readonly alloc: Allocation;
  readonly by: Owner;
  readonly context: string;
}

const hex = (p: Ptr): string => `0x${p.toString(16)}`;

function describe(a: Allocation): string {
  return `#${a.seq} ${hex(a.ptr)} (${a.size} bytes, allocated by the ${a.owner} in ${a.context})`;
}

export class MemoryError extends Error {
  constructor(
    message: string,
    readonly problems: readonly MemoryProblem[],
    readonly leaks: readonly Allocation[],
  ) {
    super(message);
    this.name = 'MemoryError';
  }
}

export class StrictMemoryManager {
  /** the IMemoryManager* given to components */
  readonly ptr: Ptr;
  /** set by the host around every component call; recorded with allocations and problems */
  context = 'no call';
  readonly problems: MemoryProblem[] = [];
  readonly stats = { componentAllocations: 0, hostAllocations: 0, frees: 0 };

  private seq = 0;
  private readonly live = new Map<Ptr, Allocation>();
  private readonly quarantine = new Map<Ptr, Freed>();
  private readonly object: HostObject;

  constructor(private readonly abi: AbiLayout) {
    this.object = createHostObject(abi, I_MEMORY_MANAGER, {
      AllocMemory: ([out, size]) => {
        if (out === NULL || typeof out !== 'bigint') {
          this.problem('bad-argument', NULL, 'component', 'AllocMemory called with a NULL out pointer');
          return false;
        }
        const p = this.allocate(Number(size), 'component');
        writePtr(this.abi, out, 0, p);
        return true;
      },
      FreeMemory: ([pp]) => {
        if (pp === NULL || typeof pp !== 'bigint') {
          this.problem('bad-argument', NULL, 'component', 'FreeMemory called with a NULL void**');
          return undefined;
        }
        const p = readPtr(this.abi, pp, 0);
        this.free(p, 'component');
        writePtr(this.abi, pp, 0, NULL);
        return undefined;
      },
    });
    this.ptr = this.object.ptr;
  }

  /** Allocates a tracked block (the host uses this for parameter payloads). */
  allocate(size: number, owner: Owner, context = this.context): Ptr {
    const raw = rawAlloc(size + GUARD_BYTES);
    bytesAt(raw + BigInt(size), GUARD_BYTES).fill(CANARY);
    this.quarantine.delete(raw);
    const a: Allocation = { ptr: raw, size, owner, context, seq: ++this.seq };
    this.live.set(raw, a);
    if (owner === 'component') this.stats.componentAllocations++;
    else this.stats.hostAllocations++;
    return raw;
  }

  /** FreeMemory semantics: NULL is ignored; unknown and already freed pointers are recorded. */
  free(p: Ptr, by: Owner, context = this.context): void {
    if (p === NULL) return;
    const a = this.live.get(p);
    if (!a) {
      const f = this.quarantine.get(p);
      if (f) {
        this.problem(
          'double-free',
          p,
          by,
          `${hex(p)} freed by the ${by} in ${context} was already freed by the ${f.by} in ${f.context}; it was ${describe(f.alloc)}`,
          context,
        );
      } else {
        this.problem(
          'unknown-pointer',
          p,
          by,
          `${hex(p)} freed by the ${by} in ${context} was never allocated by this memory manager`,
          context,
        );
      }
      return;
    }
    this.checkGuard(a, by, context);
    this.live.delete(p);
    this.stats.frees++;
    bytesAt(p, a.size + GUARD_BYTES).fill(POISON);
    this.quarantine.set(p, { alloc: a, by, context });
    if (this.quarantine.size > QUARANTINE_LIMIT) {
      const oldest = this.quarantine.keys().next().value as Ptr;
      this.quarantine.delete(oldest);
      rawFree(oldest);
    }
  }

  isLive(p: Ptr): boolean {
    return this.live.has(p);
  }

  liveAllocations(): Allocation[] {
    return [...this.live.values()];
  }

  /** One line per problem, then one per leaked block; empty when clean. */
  report(): string[] {
    for (const a of this.live.values()) this.checkGuard(a, a.owner, 'the leak check');
    const lines = this.problems.map((p) => `${p.kind}: ${p.detail}`);
    for (const a of this.live.values()) {
      lines.push(
        a.owner === 'component'
          ? `leak: ${describe(a)}: nobody freed it`
          : `leak: ${describe(a)}: a parameter payload nobody freed (a component that rewrites a string/blob parameter must FreeMemory the old one)`,
      );
    }
    return lines;
  }

  /** Throws a MemoryError listing double frees, unknown pointers, overruns and leaks. */
  assertClean(): void {
    const lines = this.report();
    if (lines.length > 0) {
      throw new MemoryError(
        `memory manager is not clean:\n  ${lines.join('\n  ')}`,
        [...this.problems],
        this.liveAllocations(),
      );
    }
  }

  /** Releases the quarantine. Live blocks are kept (a component may still point at them). */
  dispose(): void {
    for (const p of this.quarantine.keys()) rawFree(p);
    this.quarantine.clear();
    this.object.dispose();
  }

  private readonly guardReported = new Set<Ptr>();

  private checkGuard(a: Allocation, by: Owner, context: string): void {
    if (this.guardReported.has(a.ptr)) return;
    const guard = bytesAt(a.ptr + BigInt(a.size), GUARD_BYTES);
    const broken = guard.findIndex((b) => b !== CANARY);
    if (broken >= 0) {
      this.guardReported.add(a.ptr);
      this.problem(
        'overrun',
        a.ptr,
        by,
        `${describe(a)} was written past its end (byte ${a.size + broken}), noticed in ${context}`,
        context,
      );
    }
  }

  private problem(
    kind: MemoryProblemKind,
    ptr: Ptr,
    by: Owner,
    detail: string,
    context = this.context,
  ): void {
    this.problems.push({ kind, ptr, by, context, detail });
  }
}

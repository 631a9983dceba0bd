/**
 * One add-in object as BSL sees it (`Новый("AddIn.X.Y")`): method calls, properties, names,
 * and what the component reported through its connection (AddError, ExternalEvent).
 */
import type { AbiLayout } from './abi.js';
import { Connection, type ExternalEventRecord } from './connection.js';
import { BslError, Text, type AddErrorRecord } from './errors.js';
import { NULL, rawAlloc, rawFree, rawUtf16z, readUtf16z, type Ptr } from './ffi.js';
import type { StrictMemoryManager } from './memory.js';
import type { PlatformServices } from './services.js';
import type { VariantCodec } from './variant.js';
import { isBslValue, OutParam, skip, type Argument, type BslValue } from './values.js';
import { ComponentVtables } from './vtables.js';

/** What an object needs from the host that created it. */
export interface ObjectHost {
  readonly abi: AbiLayout;
  readonly memory: StrictMemoryManager;
  readonly codec: VariantCodec;
  readonly services: PlatformServices;
  readonly capabilitiesExported: boolean;
  /** the capability level the component answered to SetPlatformCapabilities */
  readonly componentCapabilities: number | undefined;
  violation(text: string): void;
  /** DestroyObject through the library */
  destroyObject(obj: Ptr): { code: number; cleared: boolean };
  /** the same on a worker thread (destroyAsync) */
  destroyObjectAsync(obj: Ptr): Promise<{ code: number; cleared: boolean }>;
  forget(obj: AddInObject): void;
}

export interface ObjectOptions {
  /** SetLocale argument; default 'ru_RU' */
  readonly locale?: string;
  /** SetUserInterfaceLanguageCode argument (only called when the component answered capabilities 3) */
  readonly interfaceLanguage?: string;
  /** the undocumented order of the two first calls; default 'setMemManager-first' */
  readonly initOrder?: 'setMemManager-first' | 'Init-first';
  /**
   * How a function (HasRetVal = true) is invoked when used as a statement (`callStatement`).
   * The platform's choice is undocumented; 'CallAsProc' (default) is the stricter assumption.
   */
  readonly functionsAsStatement?: 'CallAsProc' | 'CallAsFunc';
  /**
   * How the host frees an object: 'DestroyObject' (the platform; default), or 'delete' — C++
   * `delete` through the virtual destructor of vptr #`deleteThrough` (0, the IComponentBase*, by
   * default), as OneScript's native-API proxy does. Either follows Done, never both.
   */
  readonly release?: 'DestroyObject' | 'delete';
  readonly deleteThrough?: 0 | 1 | 2 | 3;
  /**
   * false: destroy() frees without calling Done first. No host does that (Done always comes
   * first); tests use it to see that DestroyObject or the destructor alone ends what Done would.
   */
  readonly callsDone?: boolean;
  /** false: the host never copies parameters back into the caller's variables (no out-parameters) */
  readonly copiesOutParams?: boolean;
  /** true: an Undefined default (GetParamDefValue gives VTYPE_EMPTY) counts as none: the argument is mandatory */
  readonly undefinedDefaultIsAbsent?: boolean;
  /** true: a false return of a call or a property access raises nothing; the value is Undefined */
  readonly ignoresFalse?: boolean;
}

/**
 * A third-party host as the add-in met it in OneScript's native-API proxy (docs/other-hosts.md):
 * frees with `delete`, no out-parameters, Undefined defaults are no defaults, false is ignored.
 */
export const ONESCRIPT_LIKE_HOST: ObjectOptions = {
  release: 'delete',
  copiesOutParams: false,
  undefinedDefaultIsAbsent: true,
  ignoresFalse: true,
};

export interface MethodInfo {
  readonly index: number;
  /** GetMethodName(i, 0) */
  readonly en: string | null;
  /** GetMethodName(i, 1) */
  readonly ru: string | null;
  readonly params: number;
  readonly hasRetVal: boolean;
}

export interface PropInfo {
  readonly index: number;
  readonly en: string | null;
  readonly ru: string | null;
  readonly readable: boolean;
  readonly writable: boolean;
}

export class AddInObject {
  /** GetInfo's answer (2000 for the current technology) */
  info = 0;
  private readonly vt: ComponentVtables;
  private readonly conn: Connection;
  private current = 'no call';
  private alive = true;

  constructor(
    private readonly host: ObjectHost,
    ptr: Ptr,
    /** `AddIn.<Symbolic>.<ExtensionName>` */
    readonly typeName: string,
    /** the GetClassNames token it was created from */
    readonly className: string,
    private readonly options: ObjectOptions,
  ) {
    // Old-SDK components have three vptrs; the fourth is only touched when the component
    // declared capabilities 3, which came with UserLanguageBase.
    this.vt = new ComponentVtables(host.abi, ptr, host.componentCapabilities === 3 ? 4 : 3);
    this.conn = new Connection({
      abi: host.abi,
      codec: host.codec,
      services: host.services,
      capabilitiesExported: host.capabilitiesExported,
      during: () => this.current,
      violation: (t) => host.violation(`${typeName}: ${t}`),
    });
  }

  /** The platform's sequence after GetClassObject; throws (after Done/DestroyObject) on failure. */
  start(): void {
    const mm = this.host.memory;
    const steps: Array<() => boolean> = [
      () => this.op('setMemManager', () => this.vt.bool('setMemManager', mm.ptr)),
      () => this.op('Init', () => this.vt.bool('Init', this.conn.ptr)),
    ];
    if (this.options.initOrder === 'Init-first') steps.reverse();
    for (const step of steps) {
      if (!step()) {
        const records = [...this.conn.errors];
        this.destroy();
        throw BslError.withRecords(Text.createFailed(this.typeName), records);
      }
    }
    this.info = this.op('GetInfo', () => this.vt.long('GetInfo'));
    const locale = this.options.locale ?? 'ru_RU';
    this.withString(locale, (p) => this.op('SetLocale', () => this.vt.call('SetLocale', p)));
    const lang = this.options.interfaceLanguage;
    if (lang !== undefined && this.host.componentCapabilities === 3) {
      this.withString(lang, (p) =>
        this.op('SetUserInterfaceLanguageCode', () => this.vt.call('SetUserInterfaceLanguageCode', p)),
      );
    }
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** the raw IComponentBase* (for tests that need to look deeper) */
  get pointer(): Ptr {
    return this.vt.object;
  }

  /** every AddError call this object made, oldest first */
  get errors(): readonly AddErrorRecord[] {
    return this.conn.errors;
  }

  /** queued external events, oldest first (what ВнешнееСобытие would get next) */
  get events(): readonly ExternalEventRecord[] {
    return this.conn.pending;
  }

  /** events refused because the queue was full */
  get rejectedEvents(): readonly ExternalEventRecord[] {
    return this.conn.rejected;
  }

  get eventBufferDepth(): number {
    return this.conn.depth;
  }

  get statusLine(): string {
    return this.conn.statusLine;
  }

  /** Takes all queued events, as the platform does when it delivers them; frees the queue. */
  takeEvents(): ExternalEventRecord[] {
    return this.conn.drain();
  }

  /**
   * Waits for an event (one sent from a component's own thread arrives when the event loop
   * runs) and takes it out of the queue. Rejects after `timeoutMs`.
   */
  async waitEvent(timeoutMs = 5000): Promise<ExternalEventRecord> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`host emulator: no external event from ${this.typeName} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      for (;;) {
        const ev = this.conn.pending.shift();
        if (ev) return ev;
        // another waiter may take the event first: then wait for the next one
        await Promise.race([this.conn.whenEvent(), timeout]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * `Obj.Name(args...)`: a function's value, or undefined for a procedure.
   * Pass `out(v)` for a variable that receives what the component writes into the parameter,
   * and `skip` for an argument left out in the middle (`Obj.M(1, , 3)`).
   */
  call(name: string, ...args: Argument[]): BslValue {
    return this.invoke(name, args, 'expression');
  }

  /** `Obj.Name(args...);` as a statement: the result (if any) is dropped. */
  callStatement(name: string, ...args: Argument[]): void {
    this.invoke(name, args, 'statement');
  }

  /** `Obj.Name` */
  get(name: string): BslValue {
    this.assertAlive();
    const idx = this.requireProp(name);
    if (!this.op(`IsPropReadable(${name})`, () => this.vt.bool('IsPropReadable', idx))) {
      throw new BslError(Text.propNotReadable(name));
    }
    const codec = this.host.codec;
    const v = rawAlloc(codec.size);
    const label = `GetPropVal(${name})`;
    try {
      const before = this.conn.errors.length;
      const ok = this.op(label, () => this.vt.bool('GetPropVal', idx, v));
      if (!ok && this.options.ignoresFalse) return undefined;
      if (!ok) throw BslError.withRecords(Text.getFailed(name), this.conn.errors.slice(before));
      return codec.read(v);
    } finally {
      codec.release(v, `the host after ${label}`);
      rawFree(v);
    }
  }

  /** `Obj.Name = value` */
  set(name: string, value: BslValue): void {
    this.assertAlive();
    checkValue(value);
    const idx = this.requireProp(name);
    if (!this.op(`IsPropWritable(${name})`, () => this.vt.bool('IsPropWritable', idx))) {
      throw new BslError(Text.propNotWritable(name));
    }
    const codec = this.host.codec;
    const v = rawAlloc(codec.size);
    const label = `SetPropVal(${name})`;
    try {
      codec.write(v, value, `the value for ${label}`);
      const before = this.conn.errors.length;
      const ok = this.op(label, () => this.vt.bool('SetPropVal', idx, v));
      if (!ok && !this.options.ignoresFalse) throw BslError.withRecords(Text.setFailed(name), this.conn.errors.slice(before));
    } finally {
      codec.release(v, `the host after ${label}`);
      rawFree(v);
    }
  }

  /** `FindMethod(name)` as the platform asks it when BSL compiles `Obj.Name(...)`: the index, or -1. */
  findMethod(name: string): number {
    this.assertAlive();
    return this.withString(name, (p) => this.op(`FindMethod(${name})`, () => this.vt.long('FindMethod', p)));
  }

  /** `FindProp(name)` as the platform asks it for `Obj.Name`: the index, or -1. */
  findProp(name: string): number {
    this.assertAlive();
    return this.withString(name, (p) => this.op(`FindProp(${name})`, () => this.vt.long('FindProp', p)));
  }

  /** Every method with both names (GetNMethods, GetMethodName(i, 0/1), GetNParams, HasRetVal). */
  methods(): MethodInfo[] {
    this.assertAlive();
    const n = this.op('GetNMethods', () => this.vt.long('GetNMethods'));
    const list: MethodInfo[] = [];
    for (let i = 0; i < n; i++) {
      list.push({
        index: i,
        en: this.name('GetMethodName', i, 0),
        ru: this.name('GetMethodName', i, 1),
        params: this.op(`GetNParams(${i})`, () => this.vt.long('GetNParams', i)),
        hasRetVal: this.op(`HasRetVal(${i})`, () => this.vt.bool('HasRetVal', i)),
      });
    }
    return list;
  }

  /** Every property with both names and its access flags. */
  properties(): PropInfo[] {
    this.assertAlive();
    const n = this.op('GetNProps', () => this.vt.long('GetNProps'));
    const list: PropInfo[] = [];
    for (let i = 0; i < n; i++) {
      list.push({
        index: i,
        en: this.name('GetPropName', i, 0),
        ru: this.name('GetPropName', i, 1),
        readable: this.op(`IsPropReadable(${i})`, () => this.vt.bool('IsPropReadable', i)),
        writable: this.op(`IsPropWritable(${i})`, () => this.vt.bool('IsPropWritable', i)),
      });
    }
    return list;
  }

  /** Releases the object: Done, then DestroyObject. */
  destroy(): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.options.callsDone !== false) this.op('Done', () => this.vt.call('Done'));
    if (this.options.release === 'delete') {
      const base = this.options.deleteThrough ?? 0;
      this.op(`delete through vptr #${base + 1}`, () => this.vt.deleteThrough(base));
    } else {
      const r = this.op('DestroyObject', () => this.host.destroyObject(this.vt.object));
      if (r.code !== 0) this.host.violation(`${this.typeName}: DestroyObject returned ${r.code}`);
      if (!r.cleared) this.host.violation(`${this.typeName}: DestroyObject did not set *pIntf to NULL`);
    }
    this.conn.dispose();
    this.host.forget(this);
  }

  /**
   * `destroy()` with Done and DestroyObject on a worker thread while the event loop stays free,
   * as the platform's UI thread is free of the component's own threads: an ExternalEvent one of
   * them makes while Done stops it is answered (queued or refused) instead of deadlocking. After
   * it resolves the host object is gone: a later call through it is a stray call.
   */
  async destroyAsync(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    const mm = this.host.memory;
    const prevContext = mm.context;
    this.current = 'Done';
    mm.context = `${this.typeName} Done`;
    try {
      await this.vt.callAsync('Done');
      if (this.options.release === 'delete') {
        const base = this.options.deleteThrough ?? 0;
        this.current = `delete through vptr #${base + 1}`;
        mm.context = `${this.typeName} ${this.current}`;
        await this.vt.deleteThroughAsync(base);
      } else {
        this.current = 'DestroyObject';
        mm.context = `${this.typeName} DestroyObject`;
        const r = await this.host.destroyObjectAsync(this.vt.object);
        if (r.code !== 0) this.host.violation(`${this.typeName}: DestroyObject returned ${r.code}`);
        if (!r.cleared) this.host.violation(`${this.typeName}: DestroyObject did not set *pIntf to NULL`);
      }
    } finally {
      this.current = 'no call';
      mm.context = prevContext;
    }
    this.conn.dispose();
    this.host.forget(this);
  }

  // ----- internals -----

  private invoke(name: string, args: Argument[], form: 'expression' | 'statement'): BslValue {
    this.assertAlive();
    args.forEach((a) => {
      if (a !== skip && !(a instanceof OutParam)) checkValue(a);
    });
    const idx = this.findMethod(name);
    if (idx < 0) throw new BslError(Text.methodNotFound(name));
    const n = this.op(`GetNParams(${name})`, () => this.vt.long('GetNParams', idx));
    const hasRet = this.op(`HasRetVal(${name})`, () => this.vt.bool('HasRetVal', idx));
    if (args.length > n) throw new BslError(Text.tooManyParams);

    const asFunc =
      hasRet && (form === 'expression' || this.options.functionsAsStatement === 'CallAsFunc');
    const label = `${asFunc ? 'CallAsFunc' : 'CallAsProc'}(${name})`;
    const codec = this.host.codec;
    const size = codec.size;
    const params = rawAlloc(Math.max(n, 1) * size);
    const ret = rawAlloc(size);
    const at = (i: number): Ptr => params + BigInt(i * size);
    try {
      for (let i = 0; i < n; i++) {
        const a = i < args.length ? args[i] : skip;
        if (a === skip) {
          const ok = this.op(`GetParamDefValue(${name}, ${i})`, () =>
            this.vt.bool('GetParamDefValue', idx, i, at(i)),
          );
          if (!ok) throw new BslError(Text.notEnoughParams);
          if (this.options.undefinedDefaultIsAbsent && codec.read(at(i)) === undefined) {
            throw new BslError(Text.notEnoughParams);
          }
        } else {
          codec.write(at(i), a instanceof OutParam ? a.value : a, `parameter ${i + 1} of ${name}`);
        }
      }
      const before = this.conn.errors.length;
      const ok = this.op(label, () =>
        asFunc ? this.vt.bool('CallAsFunc', idx, ret, params, n) : this.vt.bool('CallAsProc', idx, params, n),
      );
      if (!ok && this.options.ignoresFalse) return undefined;
      if (!ok) throw BslError.withRecords(Text.callFailed(name), this.conn.errors.slice(before));
      const value = asFunc ? codec.read(ret) : undefined;
      if (this.options.copiesOutParams === false) return form === 'statement' ? undefined : value;
      // BSL copies every parameter back into the variable it came from
      const copied = args.map((a, i) => (a instanceof OutParam && i < n ? codec.read(at(i)) : undefined));
      args.forEach((a, i) => {
        if (a instanceof OutParam) a.value = copied[i];
      });
      return form === 'statement' ? undefined : value;
    } finally {
      // the platform frees whatever string/blob payloads the array and the result hold now
      for (let i = 0; i < n; i++) codec.release(at(i), `the host after ${label}`);
      codec.release(ret, `the host after ${label}`);
      rawFree(params);
      rawFree(ret);
    }
  }

  private requireProp(name: string): number {
    const idx = this.findProp(name);
    if (idx < 0) throw new BslError(Text.propNotFound(name));
    return idx;
  }

  /** GetMethodName/GetPropName; the string is the host's to free. */
  private name(method: 'GetMethodName' | 'GetPropName', i: number, alias: 0 | 1): string | null {
    const label = `${method}(${i}, ${alias})`;
    const p = this.op(label, () => this.vt.ptr(method, i, alias));
    const s = readUtf16z(p);
    if (p !== NULL) this.host.memory.free(p, 'host', `the host after ${label}`);
    return s;
  }

  /** Runs a component call with `label` as the current operation (for records and allocations). */
  private op<T>(label: string, fn: () => T): T {
    const mm = this.host.memory;
    const prevCurrent = this.current;
    const prevContext = mm.context;
    this.current = label;
    mm.context = `${this.typeName} ${label}`;
    try {
      return fn();
    } finally {
      this.current = prevCurrent;
      mm.context = prevContext;
    }
  }

  /** A host-owned NUL-terminated UTF-16 copy of `s` for the duration of `fn`. */
  private withString<T>(s: string, fn: (p: Ptr) => T): T {
    const p = rawUtf16z(s);
    try {
      return fn(p);
    } finally {
      rawFree(p);
    }
  }

  private assertAlive(): void {
    if (!this.alive) throw new Error(`host emulator: ${this.typeName} object was destroyed`);
  }
}

function checkValue(v: unknown): asserts v is BslValue {
  if (!isBslValue(v)) throw new TypeError(`host emulator: ${String(v)} is not a BSL value`);
}


/**
 * The platform side of ПодключитьВнешнююКомпоненту / Новый for one attached library.
 *
 * attachAddIn: load the library → GetClassNames → SetPlatformCapabilities (if exported) →
 * GetAttachType (if exported) → for each class: GetClassObject, setMemManager,
 * RegisterExtensionAs (the name is freed with FreeMemory), Done, DestroyObject — which yields the
 * ExtensionName → class map (a host with `release: 'delete'` frees with C++ delete instead): BSL type names are `AddIn.<Symbolic>.<ExtensionName>`.
 * create: GetClassObject → setMemManager/Init (configurable order) → GetInfo → SetLocale →
 * (SetUserInterfaceLanguageCode). destroy: Done → DestroyObject.
 */
import { currentAbi, type AbiLayout } from './abi.js';
import { AddInObject, type ObjectHost, type ObjectOptions } from './component.js';
import { BslError, Text } from './errors.js';
import { NULL, rawAlloc, rawFree, readPtr, readUtf16z, type Ptr } from './ffi.js';
import { strayCalls } from './hostobject.js';
import { APP_CAPABILITIES_LAST, AttachType } from './interfaces.js';
import { NativeLibrary } from './library.js';
import { StrictMemoryManager } from './memory.js';
import { PlatformServices, type PlatformOptions } from './services.js';
import { VariantCodec } from './variant.js';
import { ComponentVtables } from './vtables.js';

export interface HostOptions extends ObjectOptions, PlatformOptions {
  /** binary layout; default: the running process's */
  readonly abi?: AbiLayout;
  /** passed to SetPlatformCapabilities; default 3 (eAppCapabilitiesLast) */
  readonly capabilities?: number;
}

export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly violations: readonly string[],
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class AddInHost {
  readonly abi: AbiLayout;
  readonly memory: StrictMemoryManager;
  readonly codec: VariantCodec;
  readonly services: PlatformServices;
  /** GetClassNames tokens */
  readonly classNames: readonly string[];
  /** ExtensionName (from RegisterExtensionAs) → GetClassNames token */
  readonly extensions = new Map<string, string>();
  /** what SetPlatformCapabilities answered (undefined: not exported) */
  readonly componentCapabilities: number | undefined;
  /** what GetAttachType answered (undefined: not exported) */
  readonly attachType: number | undefined;
  /** breaches of the Native API contract noticed on the way (besides memory problems) */
  readonly violations: string[] = [];

  private readonly lib: NativeLibrary;
  private readonly live = new Set<AddInObject>();
  private readonly strayAtStart = strayCalls.length;
  private closed = false;

  constructor(
    readonly path: string,
    readonly symbolicName: string,
    private readonly options: HostOptions = {},
  ) {
    this.abi = options.abi ?? currentAbi();
    this.memory = new StrictMemoryManager(this.abi);
    this.codec = new VariantCodec(this.abi, this.memory);
    this.services = new PlatformServices(this.abi, this.codec, options);
    this.lib = NativeLibrary.load(path, this.abi);
    try {
      this.classNames = this.lib.getClassNames();
      this.componentCapabilities = this.lib.setPlatformCapabilities(options.capabilities ?? APP_CAPABILITIES_LAST);
      this.attachType = this.lib.getAttachType();
      this.checkAttachType();
      for (const className of this.classNames) this.register(className);
      if (this.extensions.size === 0) {
        throw new BslError(`host emulator: ${path} registered no classes (GetClassNames: ${JSON.stringify(this.classNames.join('|'))})`);
      }
    } catch (e) {
      this.services.dispose();
      this.memory.dispose();
      this.lib.unload();
      throw e;
    }
  }

  /** `AddIn.<Symbolic>.<ExtensionName>` for every class */
  get typeNames(): string[] {
    return [...this.extensions.keys()].map((e) => `AddIn.${this.symbolicName}.${e}`);
  }

  /** objects created and not destroyed yet */
  get objects(): readonly AddInObject[] {
    return [...this.live];
  }

  /** Новый("AddIn.<Symbolic>.<ExtensionName>") */
  create(typeName: string, options: ObjectOptions = {}): AddInObject {
    if (this.closed) throw new Error(`host emulator: the host for ${this.path} is closed`);
    const prefix = `AddIn.${this.symbolicName}.`;
    const className = typeName.startsWith(prefix) ? this.extensions.get(typeName.slice(prefix.length)) : undefined;
    if (className === undefined) throw new BslError(Text.typeNotDefined(typeName));
    const ptr = this.lib.getClassObject(className);
    if (ptr === NULL) throw new BslError(Text.createFailed(typeName));
    const obj = new AddInObject(this.objectHost(), ptr, typeName, className, { ...this.options, ...options });
    this.live.add(obj);
    obj.start();
    return obj;
  }

  /** memory problems, leaks and contract violations, one line each (empty when clean) */
  problems(): string[] {
    const stray = strayCalls.slice(this.strayAtStart).map((s) => `host callback: ${s}`);
    return [...this.violations.map((v) => `violation: ${v}`), ...stray, ...this.memory.report()];
  }

  /**
   * Throws listing leaks, double frees, unknown pointers, overruns and contract violations.
   * Call it after destroying the objects: memory a live object legitimately holds counts as a leak.
   */
  assertClean(): void {
    const lines = this.problems();
    if (lines.length > 0) {
      throw new ProtocolError(`add-in ${this.path} is not clean:\n  ${lines.join('\n  ')}`, lines);
    }
  }

  /** Destroys the objects still alive. The library stays loaded (other hosts may share it). */
  close(): void {
    for (const obj of [...this.live]) obj.destroy();
    if (!this.closed) this.services.dispose();
    this.closed = true;
  }

  // ----- internals -----

  private objectHost(): ObjectHost {
    return {
      abi: this.abi,
      memory: this.memory,
      codec: this.codec,
      services: this.services,
      capabilitiesExported: this.lib.exportsSetPlatformCapabilities,
      componentCapabilities: this.componentCapabilities,
      violation: (t) => this.violations.push(t),
      destroyObject: (p) => this.lib.destroyObject(p),
      destroyObjectAsync: (p) => this.lib.destroyObjectAsync(p),
      forget: (o) => this.live.delete(o),
    };
  }

  private checkAttachType(): void {
    const wanted = this.options.attachment ?? 'notIsolated';
    const t = this.attachType;
    if (t === undefined) return;
    const ok =
      t === AttachType.any ||
      (t === AttachType.notIsolated && wanted === 'notIsolated') ||
      (t === AttachType.isolated && wanted === 'isolated');
    if (!ok) {
      throw new BslError(
        `host emulator: the add-in's GetAttachType is ${t}, it cannot be attached ${wanted === 'isolated' ? 'isolated' : 'not isolated'}`,
      );
    }
  }

  /** GetClassObject → setMemManager → RegisterExtensionAs → Done → DestroyObject */
  private register(className: string): void {
    const mm = this.memory;
    const ptr = this.lib.getClassObject(className);
    if (ptr === NULL) {
      this.violations.push(`GetClassObject refused class ${JSON.stringify(className)} listed by GetClassNames`);
      return;
    }
    const vt = new ComponentVtables(this.abi, ptr, this.componentCapabilities === 3 ? 4 : 3);
    const ctx = `registration of ${className}`;
    const prev = mm.context;
    mm.context = `${ctx}: setMemManager`;
    try {
      if (!vt.bool('setMemManager', mm.ptr)) this.violations.push(`setMemManager returned false for ${className}`);
      mm.context = `${ctx}: RegisterExtensionAs`;
      const slot = rawAlloc(this.abi.pointerSize);
      let name: string | null = null;
      let ok = false;
      try {
        ok = vt.bool('RegisterExtensionAs', slot);
        const p: Ptr = readPtr(this.abi, slot, 0);
        name = readUtf16z(p);
        mm.free(p, 'host', `the host after ${ctx}: RegisterExtensionAs`);
      } finally {
        rawFree(slot);
      }
      if (ok && name) this.extensions.set(name, className);
      else this.violations.push(`RegisterExtensionAs failed for class ${JSON.stringify(className)}`);
      mm.context = `${ctx}: Done`;
      vt.call('Done');
      if (this.options.release === 'delete') {
        mm.context = `${ctx}: delete`;
        vt.deleteThrough(this.options.deleteThrough ?? 0);
      } else {
        mm.context = `${ctx}: DestroyObject`;
        const r = this.lib.destroyObject(ptr);
        if (r.code !== 0) this.violations.push(`DestroyObject returned ${r.code} for ${className}`);
        if (!r.cleared) this.violations.push(`DestroyObject did not set *pIntf to NULL for ${className}`);
      }
    } finally {
      mm.context = prev;
    }
  }
}

/** ПодключитьВнешнююКомпоненту(path, symbolicName, ТипВнешнейКомпоненты.Native): throws where BSL gets False. */
export function attachAddIn(path: string, symbolicName: string, options: HostOptions = {}): AddInHost {
  return new AddInHost(path, symbolicName, options);
}

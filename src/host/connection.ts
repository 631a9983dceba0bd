/**
 * IAddInDefBaseEx: the "connection" object a component gets in Init. One per component object,
 * so AddError records, external events and the status line are per object, as on the platform.
 */
import type { AbiLayout } from './abi.js';
import type { AddErrorRecord } from './errors.js';
import { NULL, readUtf16z, writeLong, writePtr, type Ptr } from './ffi.js';
import { createHostObject, type HostObject } from './hostobject.js';
import { I_ADDIN_DEF_BASE_EX, InterfaceId } from './interfaces.js';
import type { PlatformServices } from './services.js';
import type { VariantCodec } from './variant.js';

export interface ExternalEventRecord {
  /** Источник */
  readonly source: string;
  /** Событие */
  readonly message: string;
  /** Данные */
  readonly data: string;
}

export interface ConnectionContext {
  readonly abi: AbiLayout;
  readonly codec: VariantCodec;
  readonly services: PlatformServices;
  /** whether the library exports SetPlatformCapabilities (GetInterface is off limits otherwise) */
  readonly capabilitiesExported: boolean;
  /** the operation in progress, for the records */
  during(): string;
  /** records a breach of the Native API contract */
  violation(text: string): void;
}

type Waiter = () => void;

export class Connection {
  readonly errors: AddErrorRecord[] = [];
  /** the event queue (what ВнешнееСобытие would receive next), oldest first */
  readonly pending: ExternalEventRecord[] = [];
  /** events refused because the queue was full */
  readonly rejected: ExternalEventRecord[] = [];
  statusLine = '';
  depth = 1;
  private profile = '';
  private readonly object: HostObject;
  private waiters: Waiter[] = [];

  constructor(ctx: ConnectionContext) {
    const str = (p: unknown): string => readUtf16z(p as Ptr) ?? '';
    this.object = createHostObject(ctx.abi, I_ADDIN_DEF_BASE_EX, {
      AddError: ([wcode, source, descr, scode]) => {
        this.errors.push({
          wcode: Number(wcode),
          source: str(source),
          descr: str(descr),
          scode: Number(scode),
          during: ctx.during(),
        });
        return true;
      },
      Read: ([name, value, errCode, errDescr]) => {
        const key = str(name);
        const stored = ctx.services.profiles.get(this.profile)?.get(key);
        const found = stored !== undefined || ctx.services.profiles.get(this.profile)?.has(key) === true;
        if (errDescr !== NULL) writePtr(ctx.abi, errDescr as Ptr, 0, NULL);
        if (!found) {
          if (errCode !== NULL) writeLong(ctx.abi, errCode as Ptr, 0, 1);
          return false;
        }
        if (errCode !== NULL) writeLong(ctx.abi, errCode as Ptr, 0, 0);
        if (value !== NULL) {
          // the value now belongs to the component, which frees a string payload with FreeMemory
          ctx.codec.write(value as Ptr, stored, `IAddInDefBase::Read(${key}) result`);
        }
        return true;
      },
      Write: ([name, value]) => {
        const key = str(name);
        let profile = ctx.services.profiles.get(this.profile);
        if (!profile) {
          profile = new Map();
          ctx.services.profiles.set(this.profile, profile);
        }
        profile.set(key, value === NULL ? undefined : ctx.codec.read(value as Ptr));
        return true;
      },
      RegisterProfileAs: ([name]) => {
        this.profile = str(name);
        return true;
      },
      SetEventBufferDepth: ([depth]) => {
        const d = Number(depth);
        if (!(d >= 1)) return false;
        this.depth = d;
        return true;
      },
      GetEventBufferDepth: () => this.depth,
      ExternalEvent: ([source, message, data]) => {
        const ev = { source: str(source), message: str(message), data: str(data) };
        if (this.pending.length >= this.depth) {
          this.rejected.push(ev);
          return false;
        }
        this.pending.push(ev);
        const ws = this.waiters;
        this.waiters = [];
        for (const w of ws) w();
        return true;
      },
      CleanEventBuffer: () => {
        this.pending.length = 0;
        return undefined;
      },
      SetStatusLine: ([text]) => {
        this.statusLine = str(text);
        return true;
      },
      ResetStatusLine: () => {
        this.statusLine = '';
        return undefined;
      },
      GetInterface: ([which]) => {
        if (!ctx.capabilitiesExported) {
          ctx.violation(
            'GetInterface called by a component whose library does not export SetPlatformCapabilities',
          );
          return NULL;
        }
        const s = ctx.services;
        switch (Number(which)) {
          case InterfaceId.msgBox:
            return s.interfacePtr(s.msgBox);
          case InterfaceId.platformInfo:
            return s.interfacePtr(s.platformInfo);
          case InterfaceId.attachedInfo:
            return s.interfacePtr(s.attachedInfo);
          default:
            return NULL;
        }
      },
    });
  }

  get ptr(): Ptr {
    return this.object.ptr;
  }

  /** Takes every queued event out of the queue (as the platform does when it delivers them). */
  drain(): ExternalEventRecord[] {
    return this.pending.splice(0, this.pending.length);
  }

  /** Resolves when the queue is not empty (immediately if it already is not). */
  whenEvent(): Promise<void> {
    if (this.pending.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  dispose(): void {
    this.object.dispose();
  }
}

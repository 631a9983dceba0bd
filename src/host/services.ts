/**
 * What IAddInDefBaseEx::GetInterface hands out, one set per attached library:
 * IMsgBox (Confirm/Alert, answered by an option and recorded), IPlatformInfo (an AppInfo) and
 * IAttachedInfo (isolated or not). Also the user-profile store behind Read/Write.
 */
import type { AbiLayout } from './abi.js';
import { NULL, rawAlloc, rawUtf16z, readUtf16z, viewAt, writePtr, type Ptr } from './ffi.js';
import { createHostObject, type HostObject } from './hostobject.js';
import { AppType, I_ATTACHED_INFO, I_MSG_BOX, I_PLATFORM_INFO, type AppTypeName } from './interfaces.js';
import type { VariantCodec } from './variant.js';
import type { BslValue } from './values.js';

export interface PlatformOptions {
  /** AppInfo.AppVersion, default '8.3.25.1000' */
  readonly appVersion?: string;
  /** AppInfo.UserAgentInformation, default 'onec-websocket host emulator' */
  readonly userAgent?: string;
  /** AppInfo.Application, default 'server' (eAppServer) */
  readonly application?: AppTypeName;
  /** what IAttachedInfo reports, default 'notIsolated' */
  readonly attachment?: 'isolated' | 'notIsolated';
  /** answers IMsgBox::Confirm; default: always OK (true) */
  readonly confirm?: (question: string) => boolean;
}

export interface ConfirmRecord {
  readonly question: string;
  readonly answer: boolean;
}

export class PlatformServices {
  readonly alerts: string[] = [];
  readonly confirms: ConfirmRecord[] = [];
  /** RegisterProfileAs name → property → value */
  readonly profiles = new Map<string, Map<string, BslValue>>();

  readonly msgBox: HostObject;
  readonly platformInfo: HostObject;
  readonly attachedInfo: HostObject;
  private readonly appInfo: Ptr;

  constructor(
    readonly abi: AbiLayout,
    codec: VariantCodec,
    readonly options: PlatformOptions,
  ) {
    const ps = abi.pointerSize;
    this.appInfo = rawAlloc(3 * ps);
    const version = rawUtf16z(options.appVersion ?? '8.3.25.1000');
    const agent = rawUtf16z(options.userAgent ?? 'onec-websocket host emulator');
    writePtr(abi, this.appInfo, 0, version);
    writePtr(abi, this.appInfo, ps, agent);
    viewAt(this.appInfo + BigInt(2 * ps), 4).setInt32(0, AppType[options.application ?? 'server'], true);

    this.msgBox = createHostObject(abi, I_MSG_BOX, {
      Confirm: ([question, result]) => {
        const q = readUtf16z(question as Ptr) ?? '';
        const answer = (options.confirm ?? (() => true))(q);
        this.confirms.push({ question: q, answer });
        if (result !== NULL) codec.write(result as Ptr, answer, 'IMsgBox::Confirm');
        return true;
      },
      Alert: ([text]) => {
        this.alerts.push(readUtf16z(text as Ptr) ?? '');
        return true;
      },
    });
    this.platformInfo = createHostObject(abi, I_PLATFORM_INFO, {
      GetPlatformInfo: () => this.appInfo,
    });
    this.attachedInfo = createHostObject(abi, I_ATTACHED_INFO, {
      // AttachedType: 0 = eAttachedIsolated, 1 = eAttachedNotIsolated
      GetAttachedInfo: () => (options.attachment === 'isolated' ? 0 : 1),
    });
  }

  /** what GetInterface returns for an object (MSVC puts the IInterface base after the vfptr) */
  interfacePtr(o: HostObject): Ptr {
    return o.ptr + BigInt(this.abi.interfaceAdjust);
  }

  /** AppInfo and its strings stay allocated: a component may keep the pointer it was given. */
  dispose(): void {
    this.msgBox.dispose();
    this.platformInfo.dispose();
    this.attachedInfo.dispose();
  }
}

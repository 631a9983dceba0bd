/**
 * The Native API interfaces as data: for each vtable, its methods in declaration order with
 * abstract parameter/result kinds. A slot index is `abi.destructorSlots + position` for the
 * interfaces that declare a virtual destructor, and `position` for the IInterface family.
 * Kinds are mapped to C types per ABI by `ffi.ts`.
 */

/** abstract C types used in the interface signatures */
export type Kind = 'void' | 'bool' | 'long' | 'ulong' | 'ptr' | 'u16' | 'enum';

export interface MethodSig {
  readonly name: string;
  readonly result: Kind;
  /** parameters after `this` */
  readonly params: readonly Kind[];
}

export interface InterfaceDef<N extends string = string> {
  readonly name: string;
  /** declares a virtual destructor first (takes abi.destructorSlots slots) */
  readonly hasDestructor: boolean;
  readonly methods: readonly (MethodSig & { readonly name: N })[];
}

function iface<const N extends string>(
  name: string,
  hasDestructor: boolean,
  methods: readonly (MethodSig & { readonly name: N })[],
): InterfaceDef<N> {
  return { name, hasDestructor, methods };
}

// ----- component side: IComponentBase = four bases, one vptr each, in this order -----

export const I_INIT_DONE = iface('IInitDoneBase', true, [
  { name: 'Init', result: 'bool', params: ['ptr'] },
  { name: 'setMemManager', result: 'bool', params: ['ptr'] },
  { name: 'GetInfo', result: 'long', params: [] },
  { name: 'Done', result: 'void', params: [] },
]);

export const I_LANGUAGE_EXTENDER = iface('ILanguageExtenderBase', true, [
  { name: 'RegisterExtensionAs', result: 'bool', params: ['ptr'] },
  { name: 'GetNProps', result: 'long', params: [] },
  { name: 'FindProp', result: 'long', params: ['ptr'] },
  { name: 'GetPropName', result: 'ptr', params: ['long', 'long'] },
  { name: 'GetPropVal', result: 'bool', params: ['long', 'ptr'] },
  { name: 'SetPropVal', result: 'bool', params: ['long', 'ptr'] },
  { name: 'IsPropReadable', result: 'bool', params: ['long'] },
  { name: 'IsPropWritable', result: 'bool', params: ['long'] },
  { name: 'GetNMethods', result: 'long', params: [] },
  { name: 'FindMethod', result: 'long', params: ['ptr'] },
  { name: 'GetMethodName', result: 'ptr', params: ['long', 'long'] },
  { name: 'GetNParams', result: 'long', params: ['long'] },
  { name: 'GetParamDefValue', result: 'bool', params: ['long', 'long', 'ptr'] },
  { name: 'HasRetVal', result: 'bool', params: ['long'] },
  { name: 'CallAsProc', result: 'bool', params: ['long', 'ptr', 'long'] },
  { name: 'CallAsFunc', result: 'bool', params: ['long', 'ptr', 'ptr', 'long'] },
]);

export const I_LOCALE = iface('LocaleBase', true, [
  { name: 'SetLocale', result: 'void', params: ['ptr'] },
]);

export const I_USER_LANGUAGE = iface('UserLanguageBase', true, [
  { name: 'SetUserInterfaceLanguageCode', result: 'void', params: ['ptr'] },
]);

/** vptr #k of an IComponentBase object is at `object + k * pointerSize` */
export const COMPONENT_BASES = [I_INIT_DONE, I_LANGUAGE_EXTENDER, I_LOCALE, I_USER_LANGUAGE] as const;

// ----- host side -----

export const I_MEMORY_MANAGER = iface('IMemoryManager', true, [
  { name: 'AllocMemory', result: 'bool', params: ['ptr', 'ulong'] },
  { name: 'FreeMemory', result: 'void', params: ['ptr'] },
]);

export const I_ADDIN_DEF_BASE_EX = iface('IAddInDefBaseEx', true, [
  { name: 'AddError', result: 'bool', params: ['u16', 'ptr', 'ptr', 'long'] },
  { name: 'Read', result: 'bool', params: ['ptr', 'ptr', 'ptr', 'ptr'] },
  { name: 'Write', result: 'bool', params: ['ptr', 'ptr'] },
  { name: 'RegisterProfileAs', result: 'bool', params: ['ptr'] },
  { name: 'SetEventBufferDepth', result: 'bool', params: ['long'] },
  { name: 'GetEventBufferDepth', result: 'long', params: [] },
  { name: 'ExternalEvent', result: 'bool', params: ['ptr', 'ptr', 'ptr'] },
  { name: 'CleanEventBuffer', result: 'void', params: [] },
  { name: 'SetStatusLine', result: 'bool', params: ['ptr'] },
  { name: 'ResetStatusLine', result: 'void', params: [] },
  { name: 'GetInterface', result: 'ptr', params: ['enum'] },
]);

/** The IInterface family has no virtual destructor: slots start at 0 on every ABI. */
export const I_MSG_BOX = iface('IMsgBox', false, [
  { name: 'Confirm', result: 'bool', params: ['ptr', 'ptr'] },
  { name: 'Alert', result: 'bool', params: ['ptr'] },
]);

export const I_PLATFORM_INFO = iface('IPlatformInfo', false, [
  { name: 'GetPlatformInfo', result: 'ptr', params: [] },
]);

export const I_ATTACHED_INFO = iface('IAttachedInfo', false, [
  { name: 'GetAttachedInfo', result: 'enum', params: [] },
]);

/** `Interfaces` argument of GetInterface */
export const InterfaceId = { msgBox: 0, platformInfo: 1, attachedInfo: 2 } as const;

/** AppCapabilities */
export const APP_CAPABILITIES_LAST = 3;

/** AttachType returned by GetAttachType */
export const AttachType = { notIsolated: 1, isolated: 2, any: 3 } as const;

/** AppType of AppInfo.Application */
export const AppType = {
  unknown: -1,
  thinClient: 0,
  thickClient: 1,
  webClient: 2,
  server: 3,
  extConn: 4,
  mobileClient: 5,
  mobileServer: 6,
} as const;
export type AppTypeName = keyof typeof AppType;

/** AddError wcode values */
export const ADDIN_E = {
  NONE: 1000,
  ORDINARY: 1001,
  ATTENTION: 1002,
  IMPORTANT: 1003,
  VERY_IMPORTANT: 1004,
  INFO: 1005,
  FAIL: 1006,
  MSGBOX_ATTENTION: 1007,
  MSGBOX_INFO: 1008,
  MSGBOX_FAIL: 1009,
} as const;

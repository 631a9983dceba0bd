/**
 * 1C:Enterprise host emulator: loads any Native API add-in library the way the platform does and
 * lets tests drive it with the names a BSL programmer types. See docs/host-emulator.md.
 *
 *   const host = attachAddIn('build/addin.so', 'WebSocket');   // ПодключитьВнешнююКомпоненту
 *   const client = host.create('AddIn.WebSocket.Client');       // Новый
 *   const data = out();
 *   client.call('Принять', 3000, data);                          // Клиент.Принять(3000, Данные)
 *   client.destroy();
 *   host.assertClean();
 */
export { attachAddIn, AddInHost, ProtocolError, type HostOptions } from './host.js';
export { AddInObject, ONESCRIPT_LIKE_HOST, type MethodInfo, type ObjectOptions, type PropInfo } from './component.js';
export { BslError, Text, type AddErrorRecord } from './errors.js';
export type { ExternalEventRecord } from './connection.js';
export type { ConfirmRecord, PlatformOptions } from './services.js';
export { MemoryError, StrictMemoryManager, type Allocation, type MemoryProblem } from './memory.js';
export { BinaryData, OutParam, out, skip, type Argument, type BslValue } from './values.js';
export { VT, fromOleDate } from './variant.js';
export { ADDIN_E, AppType, type AppTypeName } from './interfaces.js';
export { currentAbi, LINUX_X64, WINDOWS_X64, type AbiLayout } from './abi.js';

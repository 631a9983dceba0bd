import type { Binding } from './binding.js';
import { ClientBinding } from './client-binding.js';
import type { ParkedServers } from './parked-servers.js';
import { ServerBinding } from './server-binding.js';

export type { Binding, CallResult, OutValue } from './binding.js';

/** The engine object behind a new add-in object of class `classId` (src/api/table.ts CLASSES). */
export function createBinding(classId: number, parked: ParkedServers): Binding | undefined {
  if (classId === 0) return new ClientBinding();
  if (classId === 1) return new ServerBinding(parked);
  return undefined;
}

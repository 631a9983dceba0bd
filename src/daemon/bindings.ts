import { CLIENT, SERVER, type ClassSpec } from '../api/table.js';
import { Client } from '../engine/client.js';
import { Server } from '../engine/server.js';
import type { Arguments } from './arguments.js';
import { timeoutMs } from './arguments.js';
import type { ParkedServers } from './parked-servers.js';
import type { WireValue } from './wire.js';

export type OutValue = WireValue | Buffer;

export interface CallResult {
  value: OutValue;
  /** out-parameters to write back: [argument index, new value] */
  outs?: Array<[number, OutValue]>;
}

/** What one add-in object is in the engine: the table entry and the engine object behind it. */
export interface Binding {
  readonly spec: ClassSpec;
  call(methodId: number, args: Arguments): Promise<CallResult> | CallResult;
  get(propId: number): OutValue;
  /** the object is gone (Done, DestroyObject, or the 1C process died) */
  dispose(): Promise<void>;
}

const str = (v: unknown): string => v as string;
const num = (v: unknown): number => v as number;
const body = (v: unknown): string | Buffer => v as string | Buffer;

export class ClientBinding implements Binding {
  readonly spec = CLIENT;
  constructor(readonly client = new Client()) {}

  async call(methodId: number, args: Arguments): Promise<CallResult> {
    switch (CLIENT.methods[methodId]?.en) {
      case 'Connect':
        await this.client.connect(str(args[0]));
        return { value: true };
      case 'Disconnect':
        await this.client.disconnect();
        return { value: true };
      case 'Send':
        this.client.send(body(args[0]));
        return { value: true };
      case 'Receive': {
        const taken = await this.client.receive(timeoutMs(num(args[0])));
        return { value: taken.received, outs: [[1, taken.received ? taken.value : '']] };
      }
      default:
        throw new Error(`Client method ${methodId} is not bound`);
    }
  }

  get(propId: number): OutValue {
    switch (CLIENT.props[propId]?.en) {
      case 'Status':
        return this.client.status;
      case 'Server':
        return this.client.server;
      default:
        throw new Error(`Client property ${propId} is not bound`);
    }
  }

  dispose(): Promise<void> {
    return this.client.disconnect();
  }
}

export class ServerBinding implements Binding {
  readonly spec = SERVER;
  private certificate = '';

  constructor(
    private readonly parked: ParkedServers,
    public server = new Server(),
  ) {}

  async call(methodId: number, args: Arguments): Promise<CallResult> {
    switch (SERVER.methods[methodId]?.en) {
      case 'Run': {
        const [iface, port, certificate] = [str(args[0]), num(args[1]), str(args[2])];
        const adopted = this.server.isRunning ? undefined : await this.parked.claim(iface, port, certificate);
        if (adopted) this.server = adopted;
        else await this.server.run(iface, port, certificate, str(args[3]), str(args[4]));
        this.certificate = certificate;
        return { value: true };
      }
      case 'Stop':
        await this.server.stop();
        return { value: true };
      case 'Send':
        return { value: this.server.send(num(args[0]), body(args[1])) };
      case 'Receive': {
        const taken = await this.server.receive(timeoutMs(num(args[0])));
        return taken.received
          ? { value: true, outs: [[1, taken.value.id], [2, taken.value.data]] }
          : { value: false, outs: [[1, 0], [2, '']] };
      }
      case 'Disconnect':
        return { value: this.server.disconnect(num(args[0])) };
      default:
        throw new Error(`Server method ${methodId} is not bound`);
    }
  }

  get(propId: number): OutValue {
    switch (SERVER.props[propId]?.en) {
      case 'Server':
        return this.server.server;
      case 'Port':
        return this.server.port;
      case 'Connections':
        return this.server.connections;
      default:
        throw new Error(`Server property ${propId} is not bound`);
    }
  }

  /** Without Остановить() the server outlives its object for a grace period (ParkedServers). */
  dispose(): Promise<void> {
    return this.parked.park(this.server, this.certificate);
  }
}

export function createBinding(classId: number, parked: ParkedServers): Binding | undefined {
  if (classId === 0) return new ClientBinding();
  if (classId === 1) return new ServerBinding(parked);
  return undefined;
}

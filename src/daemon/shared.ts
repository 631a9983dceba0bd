/**
 * The engine's side of shared memory for large message bodies (docs/protocol.md, "Shared memory"):
 * the library creates two areas per connection and names them with SHARE; the engine opens them,
 * checks they are the files the library means (by inode), then reads the bodies the library wrote
 * into the "out" area and writes received bodies into the "in" area, instead of both crossing the
 * socket. Node cannot receive file descriptors or map memory, so it uses plain reads and writes.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Reader } from './wire.js';

/**
 * Message bodies of at least this many bytes cross in shared memory (the library's kSharedFrom in
 * native/src/engine/shared.h is the same).
 */
export const SHARED_FROM = 256 * 1024;

const LINUX = 1;
const WINDOWS = 2;

export class SharedFiles {
  private constructor(
    private readonly outFd: number,
    private readonly inFd: number,
  ) {}

  /**
   * The areas a SHARE request names, opened and verified; undefined when they cannot be opened or
   * are not the files named (another process's fd, a pid from another namespace, a replaced file).
   */
  static open(reader: Reader): SharedFiles | undefined {
    const platform = reader.u8();
    const names: Array<{ path: string; ino: bigint }> = [];
    if (platform === LINUX) {
      const pid = reader.u32();
      for (let i = 0; i < 2; i++) names.push({ path: `/proc/${pid}/fd/${reader.i32()}`, ino: reader.u64() });
    } else if (platform === WINDOWS) {
      for (let i = 0; i < 2; i++) {
        const path = reader.value();
        if (typeof path !== 'string') return undefined;
        names.push({ path, ino: reader.u64() });
      }
    } else {
      return undefined;
    }
    const fds: number[] = [];
    try {
      for (const { path, ino } of names) {
        const fd = openSync(path, 'r+');
        fds.push(fd);
        if (fstatSync(fd, { bigint: true }).ino !== ino) throw new Error('not the file named');
      }
    } catch {
      for (const fd of fds) closeSync(fd);
      return undefined;
    }
    return new SharedFiles(fds[0] as number, fds[1] as number);
  }

  /** A body the library wrote into the out area. */
  read(offset: number, length: number): Buffer {
    const bytes = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.outFd, bytes, done, length - done, offset + done);
      if (n === 0) throw new Error('shared body beyond the end of the shared area');
      done += n;
    }
    return bytes;
  }

  /** Writes a received body at the start of the in area (growing it as needed). */
  write(bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.inFd, bytes, done, bytes.length - done, done);
  }

  close(): void {
    closeSync(this.outFd);
    closeSync(this.inFd);
  }
}

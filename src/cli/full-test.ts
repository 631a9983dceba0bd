export async function runFullTest(_argv: string[]): Promise<number> {
  throw new Error('full-test needs the host emulator and the native library (not built yet)');
}

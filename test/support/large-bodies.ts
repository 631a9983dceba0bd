/**
 * Large message bodies for the shared-memory tests (docs/protocol.md, "Shared memory"): exact byte
 * sizes around the threshold, with the characters and byte patterns a broken copy would spoil.
 */
import assert from 'node:assert/strict';

/** Text of exactly `bytes` UTF-8 bytes: Cyrillic, an emoji and an astral character at its edges. */
export function largeText(bytes: number): string {
  const text = `Ж😀𝄞${'x'.repeat(bytes - 10 - 2)}ё`;
  assert.equal(Buffer.byteLength(text, 'utf8'), bytes);
  return text;
}

/**
 * Like largeText with an unpaired surrogate too: `sent` as BSL holds it, `back` as it returns from
 * the WebSocket (the surrogate becomes U+FFFD, 3 bytes: `back` is exactly `bytes` long in UTF-8).
 */
export function largeTextWithSurrogate(bytes: number): { sent: string; back: string } {
  const sent = `Ж😀𝄞\ud800${'x'.repeat(bytes - 13 - 2)}ё`;
  const back = sent.replace('\ud800', '\ufffd');
  assert.equal(Buffer.byteLength(back, 'utf8'), bytes);
  return { sent, back };
}

/** `bytes` bytes, a different mark every 4 KiB page and at both ends, per `seed`. */
export function largeBinary(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4096) b[i] = (i / 4096 + seed) & 0xff;
  b[0] = seed;
  b[bytes - 1] = 0xa5;
  return b;
}

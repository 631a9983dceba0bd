import { bodyBytes, isBinaryBody, TextBytes, type Body, type Incoming } from '../message.js';

/** A message body as Redis keeps it: text as it is (UTF-8), binary as base64 — `["t", …]` or `["b", …]`. */
export type StoredBody = ['t' | 'b', string];

export function storeBody(data: Body | Incoming): StoredBody {
  const payload = bodyBytes(data);
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return isBinaryBody(data) ? ['b', bytes.toString('base64')] : ['t', bytes.toString('utf8')];
}

export function loadBody(kind: string, value: string): Incoming {
  return kind === 'b' ? Buffer.from(value, 'base64') : new TextBytes(Buffer.from(value, 'utf8'));
}

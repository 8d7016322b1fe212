// GitHub's token checksum, shared by the validator that checks it and the generator that makes examples.
import { crc32 } from 'node:zlib';

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of a 32-bit value, left-padded to 6 chars (GitHub/npm token checksum). */
export function base62Crc(body: string): string {
  let v = crc32(Buffer.from(body, 'latin1')) >>> 0;
  let s = '';
  while (v > 0) {
    s = B62[v % 62] + s;
    v = Math.floor(v / 62);
  }
  return s.padStart(6, '0');
}

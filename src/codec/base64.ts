// Base64 in one place: the text a value takes inside longer base64, and the three ways we decode it.

/**
 * Base64 of `raw` inside a longer base64 text, at each of the 3 byte phases: only the characters
 * made of `raw`'s bits alone (the ones mixed with unknown neighbours at either end are dropped).
 */
export function base64Phases(raw: Buffer, url: boolean): string[] {
  const out: string[] = [];
  for (let phase = 0; phase < 3; phase++) {
    const s = Buffer.concat([Buffer.alloc(phase), raw, Buffer.alloc(2)]).toString(url ? 'base64url' : 'base64');
    // character i carries stream bits [6i, 6i + 6); raw holds bits [8 phase, 8 (phase + n))
    const first = Math.ceil((8 * phase) / 6);
    const end = Math.floor((8 * (phase + raw.length)) / 6);
    if (end > first) out.push(s.slice(first, end));
  }
  return out;
}

/** Bytes of a JSON member in base64url (standard base64 decodes alike), at most `maxChars` long; null otherwise. */
export function base64urlBytes(v: unknown, maxChars = 8192): Buffer | null {
  if (typeof v !== 'string' || v.length > maxChars || !/^[A-Za-z0-9_\-+/=]*$/.test(v)) return null;
  return Buffer.from(v, 'base64url');
}

/** Bytes of base64 or base64url text with every other character (dots, whitespace, padding) dropped first. */
export function base64Loose(s: string): Buffer {
  return Buffer.from(s.replace(/[^A-Za-z0-9+/_-]/g, ''), 'base64');
}

const B64 = new Int8Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[c.charCodeAt(0)] = i;
B64[45] = 62; // '-' of base64url
B64[95] = 63; // '_' of base64url

/** buf[s, e) decoded from base64 or base64url, skipping `phase` chars first and any char outside the alphabets. */
export function base64At(buf: Uint8Array, s: number, e: number, phase: number): Buffer {
  const out = Buffer.alloc(Math.ceil(((e - s) * 3) / 4));
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = s + phase; i < e; i++) {
    const v = B64[buf[i]];
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

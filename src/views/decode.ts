// Escaped view: regions around JSON string escapes (\" \/ \\ \n \uXXXX) and URL percent-encodings
// (%XX), decoded, with a map from every decoded character back to the exact source bytes, so a
// password inside double-encoded JSON in a log line ({\"password\":\"...\"}) or a form body is
// matched like plain text and redacted where it sits.
import type { TextView } from './view.js';
import { decodedView } from './view.js';
import { PRINTABLE } from './bytes.js';

/** Bytes of context kept around each escape. */
const BEFORE = 256;
const AFTER = 4096;

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Escape kinds worth decoding, by the byte after the backslash: \" \/ \n \u00XX. */
const ESCAPE_KIND = new Int8Array(256).fill(-1);
ESCAPE_KIND[0x22] = 0;
ESCAPE_KIND[0x2f] = 1;
ESCAPE_KIND[0x6e] = 2;
ESCAPE_KIND[0x75] = 3;

const SIMPLE: Record<number, number> = { 0x22: 0x22, 0x2f: 0x2f, 0x5c: 0x5c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x27: 0x27 };

/** Text on both sides of the 2-byte escape at p (4 bytes each, fewer at the buffer's edges): random bytes that happen to read \" or \n are not. */
function textAround(bytes: Buffer, p: number): boolean {
  for (let i = Math.max(0, p - 4); i < p; i++) if (PRINTABLE[bytes[i]] === 0) return false;
  for (let i = p + 2; i < Math.min(bytes.length, p + 6); i++) if (PRINTABLE[bytes[i]] === 0) return false;
  return true;
}

/** Start offsets of escapes worth decoding: backslash + quote/slash/n/u, or runs of %XX. */
function escapeSites(bytes: Buffer): number[] {
  const sites: number[] = [];
  // one pass over the backslashes serves all four escapes; each kind keeps its own AFTER skip
  const next = [0, 0, 0, 0];
  const n = bytes.length;
  for (let p = bytes.indexOf(0x5c); p >= 0 && p + 1 < n; p = bytes.indexOf(0x5c, p + 1)) {
    const k = ESCAPE_KIND[bytes[p + 1]];
    if (k < 0 || p < next[k] || !textAround(bytes, p)) continue;
    if (k === 3 && !(p + 3 < n && bytes[p + 2] === 0x30 && bytes[p + 3] === 0x30)) continue;
    sites.push(p);
    next[k] = p + AFTER;
  }
  // percent-encoding of a printable char, followed by another within 32 bytes: printf formats
  // such as "%2d" or "%08x" stay out, URL-encoded bodies ("%7B%22password%22%3A") get in
  let last = -1;
  for (let p = bytes.indexOf(0x25); p >= 0 && p + 2 < bytes.length; p = bytes.indexOf(0x25, p + 1)) {
    const hi = HEX[bytes[p + 1]];
    if (hi < 2 || hi > 7 || HEX[bytes[p + 2]] < 0) continue;
    if (last >= 0 && p - last <= 32) {
      sites.push(last);
      p = last + AFTER;
      last = -1;
    } else last = p;
  }
  return sites.sort((a, b) => a - b);
}

/** Decoded view of the escaped regions, or null when the chunk has no escapes. */
export function escapedView(bytes: Buffer): TextView | null {
  const sites = escapeSites(bytes);
  if (sites.length === 0) return null;
  const regions: number[] = [];
  for (const p of sites) {
    const s = Math.max(0, p - BEFORE);
    const e = Math.min(bytes.length, p + AFTER);
    if (regions.length && s <= regions[regions.length - 1]) regions[regions.length - 1] = Math.max(regions[regions.length - 1], e);
    else regions.push(s, e);
  }
  let total = 0;
  for (let j = 0; j < regions.length; j += 2) total += regions[j + 1] - regions[j] + 1;
  const out = Buffer.allocUnsafe(total);
  const from = new Int32Array(total);
  const to = new Int32Array(total);
  let o = 0;
  for (let j = 0; j < regions.length; j += 2) {
    const end = regions[j + 1];
    for (let i = regions[j]; i < end;) {
      const c = bytes[i];
      let v = c;
      let len = 1;
      if (c === 0x5c && i + 1 < end) {
        const d = bytes[i + 1];
        if (SIMPLE[d] !== undefined) ((v = SIMPLE[d]), (len = 2));
        else if (d === 0x75 && i + 5 < end && bytes[i + 2] === 0x30 && bytes[i + 3] === 0x30 && HEX[bytes[i + 4]] >= 0 && HEX[bytes[i + 5]] >= 0) {
          v = (HEX[bytes[i + 4]] << 4) | HEX[bytes[i + 5]];
          len = 6;
        }
      } else if (c === 0x25 && i + 2 < end && HEX[bytes[i + 1]] >= 0 && HEX[bytes[i + 2]] >= 0) {
        v = (HEX[bytes[i + 1]] << 4) | HEX[bytes[i + 2]];
        len = 3;
      }
      out[o] = v;
      from[o] = i;
      to[o] = i + len;
      o++;
      i += len;
    }
    // separator: no match crosses regions
    out[o] = 0;
    from[o] = to[o] = end;
    o++;
  }
  const buf = out.subarray(0, o);
  return decodedView(buf, from, to);
}

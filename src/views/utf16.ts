// UTF-16 text runs (LE at even AND odd offsets; BE on request), narrowed to one byte per char.
import type { NarrowRuns, TextView } from './view.js';
import { narrowView } from './view.js';
import { LITTLE_ENDIAN, PRINTABLE as PRINT } from './bytes.js';

/** Per 16-bit value (first byte low): 1 if the two bytes are one UTF-16LE (or BE) character of PRINT. */
const CHAR_LE = new Uint8Array(65536);
const CHAR_BE = new Uint8Array(65536);
for (let c = 0; c < 256; c++) if (PRINT[c]) ((CHAR_LE[c] = 1), (CHAR_BE[c << 8] = 1));

type Utf16Runs = NarrowRuns;

/** First byte of the run through the character at p (plain loops over the bytes: text runs are long). */
function runStart(bytes: Uint8Array, p: number, cOff: number, zOff: number): number {
  let s = p;
  while (s >= 2 && PRINT[bytes[s - 2 + cOff]] === 1 && bytes[s - 2 + zOff] === 0) s -= 2;
  return s;
}

/** End (exclusive) of the run whose characters continue at e. */
function runEnd(bytes: Uint8Array, n: number, e: number, cOff: number, zOff: number): number {
  while (e + 1 < n && PRINT[bytes[e + cOff]] === 1 && bytes[e + zOff] === 0) e += 2;
  return e;
}

/**
 * Runs of at least `minChars` UTF-16 code units in 0x09..0x7e. A run may start at any byte offset,
 * so strings at odd addresses (packed structs, misaligned copies) are found too.
 */
export function utf16Runs(bytes: Uint8Array, minChars = 6, bigEndian = false): Utf16Runs {
  const n = bytes.length;
  const starts: number[] = [];
  const lens: number[] = [];
  const minBytes = Math.max(2, minChars * 2);
  const cOff = bigEndian ? 1 : 0;
  const zOff = bigEndian ? 0 : 1;
  const valid = (p: number) => PRINT[bytes[p + cOff]] === 1 && bytes[p + zOff] === 0;
  /** Grows the run holding the character at p; records it if long enough; returns its end. */
  const grow = (p: number): number => {
    const s = runStart(bytes, p, cOff, zOff);
    const e = runEnd(bytes, n, p + 2, cOff, zOff);
    if (e - s >= minBytes) {
      starts.push(s);
      lens.push((e - s) >> 1);
    }
    return e;
  };
  if (minBytes >= 12 && LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    // every run of >= 12 bytes holds a character at q, q+1 or q+2 of a word at q = 0 mod 8: one load per 8 bytes
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n >>> 2);
    const char = bigEndian ? CHAR_BE : CHAR_LE;
    for (let q = 0; q + 4 <= n; q += 8) {
      const x = words[q >> 2];
      let p: number;
      if (char[x & 0xffff] === 1) p = q;
      else if (char[(x >>> 8) & 0xffff] === 1) p = q + 1;
      else if (char[x >>> 16] === 1) p = q + 2;
      else continue;
      // the next run starts at or after this one's end: resume at the first probe >= e
      q = (Math.ceil(grow(p) / 8) * 8 - 8) | 0;
    }
  } else {
    // Probe pairs at m and m+1 for m = 0, step, 2*step...: every run of >= minChars code units
    // (2*minChars bytes) holds a pair at one of them, so binary data costs a third of a full scan.
    const step = minBytes - 2 > 0 ? minBytes - 2 : 2;
    for (let m = 0; m + 1 < n; m += step) {
      let p = m;
      if (!valid(p)) {
        p = m + 1;
        if (!(p + 1 < n && valid(p))) continue;
      }
      // the next run starts at or after e: resume at the first probe >= e
      m = Math.ceil(grow(p) / step) * step - step;
    }
  }
  // runs of both alignments were pushed in close order; sort by start for the binary search
  const order = starts.map((_, i) => i).sort((a, b) => starts[a] - starts[b]);
  let total = 0;
  for (const i of order) total += lens[i] + 1;
  const buf = Buffer.allocUnsafe(total);
  const byteStart: number[] = [];
  const viewStart: number[] = [];
  let o = 0;
  for (const i of order) {
    byteStart.push(starts[i]);
    viewStart.push(o);
    let p = starts[i] + cOff;
    for (let k = 0; k < lens[i]; k++, p += 2) buf[o++] = bytes[p];
    buf[o++] = 0;
  }
  return { byteStart, viewStart, buf };
}

/** The UTF-16 view of bytes; `r` its runs when they were found elsewhere (the same runs utf16Runs finds). */
export function utf16View(bytes: Uint8Array, bigEndian = false, minChars = 6, r: NarrowRuns = utf16Runs(bytes, minChars, bigEndian)): TextView {
  return narrowView(bigEndian ? 'utf16be' : 'utf16le', r, 2);
}

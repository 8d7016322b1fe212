// UTF-32 text runs (wchar_t on Linux, Python's UCS-4 strings) at all four byte alignments, narrowed
// to one byte per char. One pass finds both byte orders: a UTF-32LE character is c,0,0,0 and a
// UTF-32BE one 0,0,0,c, so both are a printable byte every 4 bytes with zeros between.
import type { NarrowRuns, TextView } from './view.js';
import { narrowView } from './view.js';
import { LITTLE_ENDIAN, PRINTABLE as PRINT } from './bytes.js';
import { PAGE, uniformPage } from './uniform.js';

/** Per 16-bit value: 1 if it holds one printable byte and one zero byte (either order). */
const ONE = new Uint8Array(65536);
for (let c = 0; c < 256; c++) if (PRINT[c]) ((ONE[c] = 1), (ONE[c << 8] = 1));

type Utf32Runs = NarrowRuns;

/** True if bytes [p, p + 3) lie inside the buffer and are zero. */
function zeros3(bytes: Uint8Array, p: number): boolean {
  return p >= 0 && p + 3 <= bytes.length && bytes[p] === 0 && bytes[p + 1] === 0 && bytes[p + 2] === 0;
}

/** One aligned word as the four bytes it holds, first byte low (any buffer alignment, any host). */
function wordAt(bytes: Uint8Array, q: number): number {
  return (bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24)) >>> 0;
}

/** Byte (0..3) of the word's only non-zero byte when that byte is printable; -1 otherwise. */
function lonePrintable(x: number): number {
  const lo = x & 0xffff;
  const hi = x >>> 16;
  if (hi === 0) return ONE[lo] === 1 ? (lo > 0xff ? 1 : 0) : -1;
  if (lo === 0 && ONE[hi] === 1) return hi > 0xff ? 3 : 2;
  return -1;
}

class RunSink {
  readonly starts: number[] = [];
  readonly lens: number[] = [];
  add(start: number, chars: number): void {
    this.starts.push(start);
    this.lens.push(chars);
  }
  /** Narrow the recorded runs; `cOff` is where the character byte sits in its 4 bytes. */
  finish(bytes: Uint8Array, cOff: number): Utf32Runs {
    let total = 0;
    for (const l of this.lens) total += l + 1;
    const buf = Buffer.allocUnsafe(total);
    const byteStart: number[] = [];
    const viewStart: number[] = [];
    let o = 0;
    for (let i = 0; i < this.starts.length; i++) {
      byteStart.push(this.starts[i]);
      viewStart.push(o);
      let p = this.starts[i] + cOff;
      for (let k = 0; k < this.lens[i]; k++, p += 4) buf[o++] = bytes[p];
      buf[o++] = 0;
    }
    return { byteStart, viewStart, buf };
  }
}

/**
 * Runs of at least `minChars` UTF-32 characters in 0x09..0x7e, LE and BE, at any byte offset. The
 * character bytes c1..cn of one stretch (a printable byte every 4 bytes, zeros between) read as LE
 * when cn is followed by three zeros, as BE when c1 is preceded by three; a stretch that reads the
 * same both ways is LE (the byte order of every common host), so one string is never two findings.
 */
export function utf32Runs(bytes: Uint8Array, minChars = 6, stretches: ArrayLike<number> = utf32Stretches(bytes, minChars)): { le: Utf32Runs; be: Utf32Runs } {
  const le = new RunSink();
  const be = new RunSink();
  for (let j = 0; j < stretches.length; j += 3) (stretches[j + 2] === 1 ? be : le).add(stretches[j], stretches[j + 1]);
  return { le: le.finish(bytes, 0), be: be.finish(bytes, 3) };
}

/** The runs utf32Runs reads, as (start, characters, 0 for LE or 1 for BE) triples in the order found. */
export function utf32Stretches(bytes: Uint8Array, minChars = 6): number[] {
  const n = bytes.length;
  const out: number[] = [];
  const min = Math.max(2, minChars);
  /** Grows the stretch through the character byte at c; records it if long enough; returns its last character byte. */
  const grow = (c: number): number => {
    let f = c;
    while (f >= 4 && PRINT[bytes[f - 4]] === 1 && zeros3(bytes, f - 3)) f -= 4;
    let l = c;
    while (l + 4 < n && PRINT[bytes[l + 4]] === 1 && zeros3(bytes, l + 1)) l += 4;
    const count = ((l - f) >> 2) + 1;
    const trail = zeros3(bytes, l + 1) ? 1 : 0;
    const lead = zeros3(bytes, f - 3) ? 1 : 0;
    if (lead === 1 && trail === 0) {
      if (count >= min) out.push(f - 3, count, 1);
    } else if (count - 1 + trail >= min) out.push(f, count - 1 + trail, 0);
    return l;
  };
  // A run of >= 6 characters holds >= 4 consecutive aligned words that are one printable byte and
  // three zeros (every character but the first, whatever the alignment), so one word in 16 bytes
  // is enough to see it: binary data costs a sixteenth of a byte scan. Shorter minimums probe every word.
  const stride = min >= 6 ? 16 : 4;
  const fast = LITTLE_ENDIAN && bytes.byteOffset % 4 === 0;
  const words = fast ? new Uint32Array(bytes.buffer, bytes.byteOffset, n >>> 2) : null;
  // probes stay on one grid of `stride` (PAGE is a multiple of it); `next` is the first probe past the last stretch
  let next = 0;
  for (let page = 0; page < n; page += PAGE) {
    // a page of one byte value has no character byte next to zeros
    if (uniformPage(bytes, page, n)) continue;
    const last = Math.min(n, page + PAGE) - 4;
    for (let q = Math.max(page, next); q <= last; q += stride) {
      const x = words !== null ? words[q >> 2] : wordAt(bytes, q);
      // both 16-bit halves non-zero (text, pointers, random bytes) or the word is zero: no character here
      if (((x & 0xffff) === 0) === (x >>> 16 === 0)) continue;
      const k = lonePrintable(x);
      if (k < 0) continue;
      next = Math.ceil((grow(q + k) + 1) / stride) * stride;
      q = next - stride;
    }
  }
  return out;
}

function viewOf(r: Utf32Runs, bigEndian: boolean): TextView {
  return narrowView(bigEndian ? 'utf32be' : 'utf32le', r, 4);
}

/** The UTF-32LE and UTF-32BE views of a chunk (each empty when it holds no such text); `stretches` as utf32Stretches finds them, when found elsewhere. */
export function utf32Views(bytes: Uint8Array, minChars = 6, stretches?: ArrayLike<number>): { le: TextView; be: TextView } {
  const r = utf32Runs(bytes, minChars, stretches);
  return { le: viewOf(r.le, false), be: viewOf(r.be, true) };
}

/** A string as UTF-32 (one code point per 4 bytes), low byte first or last: what a view of it reads back. */
export function encodeUtf32(s: string, bigEndian: boolean): Buffer {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (bigEndian ? b.writeUInt32BE(cp, i * 4) : b.writeUInt32LE(cp, i * 4)));
  return b;
}

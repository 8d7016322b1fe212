// AssemblyScript: the WebAssembly builds of the rules engine's loops over whole views, sharing one
// memory so a chunk is copied in once: the keyword prefilter's word loop (reference: the loop in
// src/detectors/prefilter.ts), the long token-run search (src/detectors/token-runs.ts) and the
// UTF-16 run search (src/views/utf16.ts). Tests hold each to its reference on random and adversarial
// buffers at every offset. Built by `npm run build` into dist/kernels/.

const PAGE: i32 = 4096;

let outCount: i32 = 0;

/** First free byte past the module's static data, 16-aligned: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Numbers written by the last call. */
export function written(): i32 {
  return outCount;
}

// @ts-ignore: decorator
@inline
function maybe(folded: usize, w: u32): u32 {
  const s = (w * 0x9e3779b1) >>> 14;
  return (load<u32>(folded + (<usize>(s >>> 5) << 2)) >>> (s & 31)) & 1;
}

/** True when buf[at, at + PAGE) lies before `end` and is one repeated byte value (the reference's uniformPage). */
function uniform(buf: usize, at: i32, end: i32): bool {
  if (at + PAGE > end) return false;
  const p = buf + <usize>at;
  const v = load<u8>(p);
  const fill = i8x16.splat(<i8>v);
  for (let k: i32 = 0; k < PAGE; k += 64) {
    const q = p + <usize>k;
    const d = v128.or(v128.or(v128.xor(v128.load(q), fill), v128.xor(v128.load(q, 16), fill)), v128.or(v128.xor(v128.load(q, 32), fill), v128.xor(v128.load(q, 48), fill)));
    if (v128.any_true(d)) return false;
  }
  return true;
}

// the keyword tables of the last setKeywords call (the reference's tryAt reads the same)
let slotKey: usize = 0;
let slotFirst: usize = 0;
let slotCount: usize = 0;
let ids: usize = 0;
let kwOff: usize = 0;
let kwLen: usize = 0;
let kwBytes: usize = 0;
let lower: usize = 0;

/** Where the exact keyword tables lie: the prefix hash table, keyword ids per prefix, each keyword's bytes (lower case), and the case-folding table. */
export function setKeywords(sKey: usize, sFirst: usize, sCount: usize, idList: usize, off: usize, len: usize, bytes: usize, lowerTable: usize): void {
  slotKey = sKey;
  slotFirst = sFirst;
  slotCount = sCount;
  ids = idList;
  kwOff = off;
  kwLen = len;
  kwBytes = bytes;
  lower = lowerTable;
}

// @ts-ignore: decorator
@inline
function lowerAt(p: usize): i32 {
  return <i32>load<u8>(lower + <usize>load<u8>(p));
}

/** The keywords at `start` (the reference's tryAt): (id, start) pairs written at out + count; returns the new count. */
function tryAt(buf: usize, end: i32, start: i32, out: usize, count: i32): i32 {
  if (start + 2 >= end) return count;
  const p = buf + <usize>start;
  const h = (lowerAt(p) << 16) | (lowerAt(p + 1) << 8) | lowerAt(p + 2);
  let slot = (<u32>h * 0x9e3779b1) >>> 20;
  for (;;) {
    const key = load<i32>(slotKey + (<usize>slot << 2));
    if (key == h) break;
    if (key == -1) return count;
    slot = (slot + 1) & 4095;
  }
  const first = load<i32>(slotFirst + (<usize>slot << 2));
  const last = first + load<i32>(slotCount + (<usize>slot << 2));
  for (let j = first; j < last; j++) {
    const id = load<i32>(ids + (<usize>j << 2));
    const n = load<i32>(kwLen + (<usize>id << 2));
    if (start + n > end) continue;
    const k = kwBytes + <usize>load<i32>(kwOff + (<usize>id << 2));
    let x: i32 = 3;
    while (x < n && lowerAt(p + <usize>x) == <i32>load<u8>(k + <usize>x)) x++;
    if (x == n) {
      store<i32>(out + (<usize>count << 2), id);
      store<i32>(out + (<usize>count << 2), start, 4);
      count += 2;
    }
  }
  return count;
}

/**
 * The steps i = from, from + 8, ... < hi of the reference loop over buf[0, end): each takes the words
 * at i - 4 .. i + 12, and each start that passes the byte-pair table and the hashed 3-byte set
 * (ascending) is checked exactly against the keywords (setKeywords): (id, start) pairs go to out. A
 * uniform page whose byte makes no keyword has the start before it checked and is skipped by `skip`
 * bytes. Stops before a step that could overflow `cap` (a step writes at most `need` numbers);
 * returns the next step, or -1 when the loop is done.
 */
export function find(buf: usize, from: i32, hi: i32, end: i32, skip: i32, pair: usize, folded: usize, uniformKeyword: usize, out: usize, cap: i32, need: i32): i32 {
  let count: i32 = 0;
  for (let i = from; i < hi; i += 8) {
    if (count + need > cap) {
      outCount = count;
      return i;
    }
    if ((i & (PAGE - 1)) == 0 && uniform(buf, i, end) && load<u8>(uniformKeyword + <usize>load<u8>(buf + <usize>i)) == 0) {
      count = tryAt(buf, end, i - 1, out, count);
      i += skip - 8;
      continue;
    }
    const at = buf + <usize>i;
    const x0 = load<u32>(at);
    const y0 = load<u32>(at, 4);
    if ((load<u8>(pair + <usize>(x0 & 0xffff)) | load<u8>(pair + <usize>(x0 >>> 16)) | load<u8>(pair + <usize>(y0 & 0xffff)) | load<u8>(pair + <usize>(y0 >>> 16))) == 0) continue;
    const p = load<u32>(at - 4) | 0x20202020;
    const x = x0 | 0x20202020;
    const y = y0 | 0x20202020;
    const z = load<u32>(at, 8) | 0x20202020;
    const m =
      maybe(folded, (p >>> 24) | ((x & 0xffff) << 8)) |
      (maybe(folded, x & 0xffffff) << 1) |
      (maybe(folded, x >>> 8) << 2) |
      (maybe(folded, (x >>> 16) | ((y & 0xff) << 16)) << 3) |
      (maybe(folded, (x >>> 24) | ((y & 0xffff) << 8)) << 4) |
      (maybe(folded, y & 0xffffff) << 5) |
      (maybe(folded, y >>> 8) << 6) |
      (maybe(folded, (y >>> 16) | ((z & 0xff) << 16)) << 7);
    // bit b of m stands for the start i - 1 + b, lowest first
    for (let r = m; r != 0; r &= r - 1) count = tryAt(buf, end, i - 1 + <i32>ctz(r), out, count);
  }
  outCount = count;
  return -1;
}

/**
 * Maximal runs [s, e) of at least `min` (>= 31) bytes of one class in buf[0, n), from the block at
 * `from` on. Such a run holds a whole 16-byte block at a multiple of 16, so each block is tested in
 * one SIMD step (member: lo-nibble table of allowed hi nibbles 0..7, `cls` the byte table) and only
 * blocks wholly in the class are grown. Writes start, end pairs ascending; stops before a run that
 * could overflow `cap` and returns the block to resume at, or -1 when done.
 */
export function runs(buf: usize, n: i32, min: i32, cls: usize, loTable: usize, out: usize, cap: i32, from: i32): i32 {
  const lo = v128.load(loTable);
  const hiBits = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);
  const nibble = i8x16.splat(15);
  let count: i32 = 0;
  for (let i = from; i + 16 <= n; i += 16) {
    const v = v128.load(buf + <usize>i);
    const allowed = i8x16.swizzle(lo, v128.and(v, nibble));
    const bit = i8x16.swizzle(hiBits, i8x16.shr_u(v, 4));
    if (!i8x16.all_true(v128.and(allowed, bit))) continue;
    if (count + 2 > cap) {
      outCount = count;
      return i;
    }
    let s = i;
    while (s > 0 && load<u8>(cls + <usize>load<u8>(buf + <usize>(s - 1))) != 0) s--;
    let e = i + 16;
    while (e < n && load<u8>(cls + <usize>load<u8>(buf + <usize>e)) != 0) e++;
    if (e - s >= min) {
      store<i32>(out + (<usize>count << 2), s);
      store<i32>(out + (<usize>count << 2), e, 4);
      count += 2;
    }
    // the next run starts past e: resume at the first block at or after it
    i = ((e + 15) & ~15) - 16;
  }
  outCount = count;
  return -1;
}

/**
 * Maximal UTF-16 runs of at least `minBytes` (>= 12) bytes, LE or BE (`bigEndian`), at both
 * alignments, in buf[0, n); `print` is the byte table of characters. A run holds the whole word at
 * the first q = 0 mod 8 past its start (q + 4 <= start + 11): two characters of one alignment, so a
 * probe needs two printable bytes and two zeros. Writes start, character count pairs to `runs`
 * (ascending: runs of the two alignments never share a byte) and the characters, one byte each and
 * a NUL after each run, to `narrow`; returns the narrowed length. The caller sizes both for the
 * most runs n can hold.
 */
export function utf16Runs(buf: usize, n: i32, minBytes: i32, bigEndian: bool, print: usize, runs: usize, narrow: usize): i32 {
  const cOff: i32 = bigEndian ? 1 : 0;
  const zOff: i32 = 1 - cOff;
  let count: i32 = 0;
  let o: usize = narrow;
  for (let q: i32 = 0; q + 4 <= n; q += 8) {
    const x = load<u32>(buf + <usize>q);
    let p: i32;
    // bytes c,0,c,0 start an LE character at q (a BE one at q + 1); 0,c,0,c the other way round
    if ((x & 0xff00ff00) == 0 && (load<u8>(print + <usize>(x & 0xff)) & load<u8>(print + <usize>((x >>> 16) & 0xff))) != 0) p = q + cOff;
    else if ((x & 0x00ff00ff) == 0 && (load<u8>(print + <usize>((x >>> 8) & 0xff)) & load<u8>(print + <usize>(x >>> 24))) != 0) p = q + 1 - cOff;
    else continue;
    let s = p;
    while (s >= 2 && load<u8>(print + <usize>load<u8>(buf + <usize>(s - 2 + cOff))) != 0 && load<u8>(buf + <usize>(s - 2 + zOff)) == 0) s -= 2;
    let e = p + 2;
    while (e + 1 < n && load<u8>(print + <usize>load<u8>(buf + <usize>(e + cOff))) != 0 && load<u8>(buf + <usize>(e + zOff)) == 0) e += 2;
    if (e - s >= minBytes) {
      store<i32>(runs + (<usize>count << 2), s);
      store<i32>(runs + (<usize>count << 2), (e - s) >> 1, 4);
      count += 2;
      for (let k = s + cOff; k < e; k += 2) store<u8>(o++, load<u8>(buf + <usize>k));
      store<u8>(o++, 0);
    }
    // the next run starts at or after this one's end: resume at the first probe >= e
    q = ((e + 7) & ~7) - 8;
  }
  outCount = count;
  return <i32>(o - narrow);
}

// @ts-ignore: decorator
@inline
function printableAt(print: usize, buf: usize, p: i32): bool {
  return load<u8>(print + <usize>load<u8>(buf + <usize>p)) != 0;
}

/** True if bytes [p, p + 3) lie inside buf[0, n) and are zero. */
function zeros3(buf: usize, n: i32, p: i32): bool {
  return p >= 0 && p + 3 <= n && load<u8>(buf + <usize>p) == 0 && load<u8>(buf + <usize>(p + 1)) == 0 && load<u8>(buf + <usize>(p + 2)) == 0;
}

/** One printable byte and one zero in a 16-bit value (either order). */
function lone16(print: usize, v: u32): bool {
  return v <= 0xff ? load<u8>(print + <usize>v) != 0 : (v & 0xff) == 0 && load<u8>(print + <usize>(v >>> 8)) != 0;
}

/**
 * UTF-32 stretches in buf[0, n) as the reference (utf32Runs in src/views/utf32.ts) finds them, from
 * the probe at `from` on: one aligned word per 16 bytes (runs of at least 6 characters), uniform
 * pages skipped. Writes (start, characters, 0 for LE or 1 for BE) triples to out; stops before a
 * stretch that could overflow `cap` and returns the probe to resume at, or -1 when done.
 */
export function utf32Runs(buf: usize, n: i32, minChars: i32, print: usize, out: usize, cap: i32, from: i32): i32 {
  const stride: i32 = 16;
  let count: i32 = 0;
  let next = from;
  for (let page = from & ~(PAGE - 1); page < n; page += PAGE) {
    // a page of one byte value has no character byte next to zeros
    if (uniform(buf, page, n)) continue;
    const last = min(n, page + PAGE) - 4;
    for (let q = max(page, next); q <= last; q += stride) {
      const x = load<u32>(buf + <usize>q);
      const lo = x & 0xffff;
      const hi = x >>> 16;
      // both 16-bit halves non-zero (text, pointers, random bytes) or the word is zero: no character here
      if ((lo == 0) == (hi == 0)) continue;
      let k: i32;
      if (hi == 0) k = lone16(print, lo) ? (lo > 0xff ? 1 : 0) : -1;
      else k = lone16(print, hi) ? (hi > 0xff ? 3 : 2) : -1;
      if (k < 0) continue;
      if (count + 3 > cap) {
        outCount = count;
        return q;
      }
      const c = q + k;
      let f = c;
      while (f >= 4 && printableAt(print, buf, f - 4) && zeros3(buf, n, f - 3)) f -= 4;
      let l = c;
      while (l + 4 < n && printableAt(print, buf, l + 4) && zeros3(buf, n, l + 1)) l += 4;
      const chars = ((l - f) >> 2) + 1;
      const trail: i32 = zeros3(buf, n, l + 1) ? 1 : 0;
      const lead: i32 = zeros3(buf, n, f - 3) ? 1 : 0;
      if (lead == 1 && trail == 0) {
        if (chars >= minChars) {
          store<i32>(out + (<usize>count << 2), f - 3);
          store<i32>(out + (<usize>count << 2), chars, 4);
          store<i32>(out + (<usize>count << 2), 1, 8);
          count += 3;
        }
      } else if (chars - 1 + trail >= minChars) {
        store<i32>(out + (<usize>count << 2), f);
        store<i32>(out + (<usize>count << 2), chars - 1 + trail, 4);
        store<i32>(out + (<usize>count << 2), 0, 8);
        count += 3;
      }
      next = ((l + 1 + stride - 1) / stride) * stride;
      q = next - stride;
    }
  }
  outCount = count;
  return -1;
}

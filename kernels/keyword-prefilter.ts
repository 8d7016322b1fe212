// AssemblyScript: the WebAssembly build of the keyword prefilter's word loop. The JavaScript loop in
// src/detectors/prefilter.ts is the reference; a test holds the two to the same candidate starts on
// random and adversarial buffers at every offset. Built by `npm run build` into dist/kernels/.

const PAGE: i32 = 4096;

let outCount: i32 = 0;

/** First free byte past the module's static data, 16-aligned: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Candidate starts written by the last steps call. */
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

/**
 * The steps i = from, from + 8, ... < hi of the reference loop over buf[0, end): each takes the words
 * at i - 4 .. i + 12 and writes the starts that pass the byte-pair table and the hashed 3-byte set
 * (ascending) to out; a uniform page whose byte makes no keyword writes the start before it and is
 * skipped by `skip` bytes. Stops before a step that could overflow `cap`; returns the next step, or
 * -1 when the loop is done.
 */
export function steps(buf: usize, from: i32, hi: i32, end: i32, skip: i32, pair: usize, folded: usize, uniformKeyword: usize, out: usize, cap: i32): i32 {
  let count: i32 = 0;
  for (let i = from; i < hi; i += 8) {
    if (count + 9 > cap) {
      outCount = count;
      return i;
    }
    if ((i & (PAGE - 1)) == 0 && uniform(buf, i, end) && load<u8>(uniformKeyword + <usize>load<u8>(buf + <usize>i)) == 0) {
      store<i32>(out + (<usize>count << 2), i - 1);
      count++;
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
    for (let r = m; r != 0; r &= r - 1) {
      store<i32>(out + (<usize>count << 2), i - 1 + <i32>ctz(r));
      count++;
    }
  }
  outCount = count;
  return -1;
}

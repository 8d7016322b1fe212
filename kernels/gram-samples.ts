// AssemblyScript: the WebAssembly build of the multi-needle searches' sampling loops (searchAll and
// RunIndex.search in src/codec/multi-search.ts, their references): the samples whose gram passes the
// needles' filter, in order. A test holds both to the same samples on random and adversarial
// buffers at every offset. Built by `npm run build` into dist/kernels/.

const PAGE: i32 = 4096;

let outCount: i32 = 0;

/** First free byte past the module's static data, 16-aligned: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Samples written by the last call. */
export function written(): i32 {
  return outCount;
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
 * searchAll's samples i = from, from + step, ... <= len - 4 (step a multiple of 4) whose 4-byte
 * gram's bit is set in the 2^19-bit filter at `filter`; the first sample of a uniform page jumps to
 * the first one reading past it. Writes at most `cap`; returns the sample to resume from when `out`
 * is full, else -1.
 */
export function wordSamples(buf: usize, len: i32, step: i32, filter: usize, from: i32, out: usize, cap: i32): i32 {
  outCount = 0;
  const last = len - 4;
  let i = from;
  while (i <= last) {
    const p = i & ~(PAGE - 1);
    if (i - p < step && uniform(buf, p, len)) {
      i += ((p + PAGE - 3 - i + step - 1) / step) * step;
      continue;
    }
    const s = (load<u32>(buf + <usize>i) * 0x9e3779b1) >>> 13;
    if ((load<u8>(filter + <usize>(s >>> 3)) & (1 << (s & 7))) != 0) {
      if (outCount == cap) return i;
      store<i32>(out + (<usize>outCount << 2), i);
      outCount++;
    }
    i += step;
  }
  return -1;
}

/**
 * RunIndex.search's samples for 8-byte grams: i = from, from + 8, ... <= len - 8 whose gram hash
 * has its bit set in the 2^20-bit filter `bloom`; uniform pages as above.
 */
export function runSamples(buf: usize, len: i32, bloom: usize, from: i32, out: usize, cap: i32): i32 {
  outCount = 0;
  const last = len - 8;
  for (let i = from; i <= last; i += 8) {
    if ((i & (PAGE - 1)) == 0 && uniform(buf, i, len)) {
      i += PAGE - 8;
      continue;
    }
    const h = (load<i32>(buf + <usize>i) * <i32>0x9e3779b1) ^ load<i32>(buf + <usize>i, 4);
    const key = (h ^ (h >>> 15)) * 0x2c1b3c6d;
    const b = <u32>key >>> 12;
    if ((load<u8>(bloom + <usize>(b >>> 3)) & (1 << (b & 7))) == 0) continue;
    if (outCount == cap) return i;
    store<i32>(out + (<usize>outCount << 2), i);
    outCount++;
  }
  return -1;
}

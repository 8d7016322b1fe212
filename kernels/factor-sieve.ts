// AssemblyScript: the WebAssembly build of the factor hunt's sliding pass. The JavaScript in
// src/detectors/factor-sieve.ts is the reference; a test holds the two to identical output on
// random and adversarial buffers at every offset. Built by `npm run build` into dist/kernels/.

const PAGE: i32 = 4096;
const PAGE_WORDS: i32 = PAGE >> 2;
const FILL: u8 = 0;
const NOISE: u8 = 1;
const HEAP: u8 = 2;

let outCount: i32 = 0;

/** First free byte past the module's static data, 16-aligned: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Entries written by the last sieveWindows call. */
export function written(): i32 {
  return outCount;
}

/** Zero bytes in each 32-bit word (4: a zero word), sixteen words per SIMD step. */
export function zeroBytes(words: usize, n: i32, out: usize): void {
  const zero = i8x16.splat(0);
  const one = i8x16.splat(1);
  let x: i32 = 0;
  for (; x + 16 <= n; x += 16) {
    const p = words + (<usize>x << 2);
    const c0 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.and(i8x16.eq(v128.load(p), zero), one)));
    const c1 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.and(i8x16.eq(v128.load(p, 16), zero), one)));
    const c2 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.and(i8x16.eq(v128.load(p, 32), zero), one)));
    const c3 = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.and(i8x16.eq(v128.load(p, 48), zero), one)));
    v128.store(out + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(c0, c1), i16x8.narrow_i32x4_u(c2, c3)));
  }
  for (; x < n; x++) {
    const v = load<u32>(words + (<usize>x << 2));
    store<u8>(out + <usize>x, <u8>(u32((v & 0xff) == 0) + u32((v & 0xff00) == 0) + u32((v & 0xff0000) == 0) + u32(v >>> 24 == 0)));
  }
}

/**
 * pageClasses (src/detectors/factor-hunt.ts) here: each page's class (a trailing partial page counts
 * as structured) and the last structure word it holds up to the second (-1: none), 16 bytes a step.
 */
export function pageClasses(bytes: usize, nBytes: i32, cls: usize, mark: usize): void {
  const pages = (nBytes + PAGE - 1) / PAGE;
  const zero = i16x8.splat(0);
  for (let g: i32 = 0; g < pages; g++) {
    const at = g * PAGE;
    store<i32>(mark + (<usize>g << 2), -1);
    if (at + PAGE > nBytes) {
      store<u8>(cls + <usize>g, HEAP);
      continue;
    }
    const p = bytes + <usize>at;
    const fill = i8x16.splat(load<i8>(p));
    let uniform = true;
    for (let o: i32 = 0; o < PAGE; o += 16) {
      if (!i8x16.all_true(i8x16.eq(v128.load(p + <usize>o), fill))) {
        uniform = false;
        break;
      }
    }
    if (uniform) {
      store<u8>(cls + <usize>g, FILL);
      continue;
    }
    // a structure word has a zero 16-bit half: most 16-byte steps hold none
    let marks = 0;
    for (let o: i32 = 0; o < PAGE && marks < 2; o += 16) {
      if (!v128.any_true(i16x8.eq(v128.load(p + <usize>o), zero))) continue;
      for (let q: i32 = 0; q < 16 && marks < 2; q += 4) {
        const v = load<u32>(p + <usize>(o + q));
        if (v < 0x10000 || (v & 0xffff) == 0) {
          marks++;
          store<i32>(mark + (<usize>g << 2), (at + o + q) >> 2);
        }
      }
    }
    store<u8>(cls + <usize>g, marks < 2 ? NOISE : HEAP);
  }
}

// @ts-ignore: decorator
@inline
function bswap32(v: u32): u32 {
  return ((v & 255) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** True when the number with these word sums (by significance mod 3) has a small prime factor. */
function sieved(a0: u64, a1: u64, a2: u64): bool {
  // 2^32 = 1 (mod r) for r | 2^32 - 1: p mod r is the sum of its words mod r
  const s = a0 + a1 + a2;
  if (s % 3 == 0 || s % 5 == 0 || s % 17 == 0 || s % 257 == 0) return true;
  // 2^96 = 1 (mod r): weights 2^32 mod r and 2^64 mod r
  if ((a0 % 7 + (a1 % 7) * 4 + (a2 % 7) * 2) % 7 == 0) return true;
  if ((a0 % 13 + (a1 % 13) * 9 + (a2 % 13) * 3) % 13 == 0) return true;
  if ((a0 % 97 + (a1 % 97) * 35 + (a2 % 97) * 61) % 97 == 0) return true;
  if ((a0 % 241 + (a1 % 241) * 15 + (a2 % 241) * 225) % 241 == 0) return true;
  if ((a0 % 673 + (a1 % 673) * 417 + (a2 % 673) * 255) % 673 == 0) return true;
  return (a0 % 65537 + a1 % 65537 + a2 % 65537) % 65537 == 0;
}

// @ts-ignore: decorator
@inline
function pick(c: i32, x0: u64, x1: u64, x2: u64): u64 {
  return c == 0 ? x0 : c == 1 ? x1 : x2;
}

/**
 * No small prime factor in a window whose words at positions k = c (mod 3) from its start sum to
 * xc (words as read: byte-swapped for be). le: word k has significance k; be and java: nw - 1 - k.
 */
// @ts-ignore: decorator
@inline
function passesSieve(o: i32, nw: i32, x0: u64, x1: u64, x2: u64): bool {
  if (o == 0) return !sieved(x0, x1, x2);
  const t = (nw - 1) % 3; // significance j is at positions k = t - j (mod 3)
  return !sieved(pick(t, x0, x1, x2), pick((t + 2) % 3, x0, x1, x2), pick((t + 1) % 3, x0, x1, x2));
}

// Byte value counts (u32 each, in the 1 KiB `stamp` scratch) of window countAt, and how many
// values occur there: kept rolling along runs of windows, as the sieve sums are.
let countAt: i32 = -2;
let distinct: i32 = 0;

/** Makes the counts those of window w (of L bytes): four bytes out and four in after window w - 1. */
function countBytes(bytes: usize, w: i32, L: i32, stamp: usize): void {
  if (w == countAt + 1) {
    const gone = bytes + (<usize>(w - 1) << 2);
    const come = gone + <usize>L;
    for (let q = 0; q < 4; q++) {
      const at = stamp + (<usize>load<u8>(gone + <usize>q) << 2);
      const c = load<u32>(at) - 1;
      store<u32>(at, c);
      distinct -= i32(c == 0);
    }
    for (let q = 0; q < 4; q++) {
      const at = stamp + (<usize>load<u8>(come + <usize>q) << 2);
      const c = load<u32>(at);
      store<u32>(at, c + 1);
      distinct += i32(c == 0);
    }
  } else {
    memory.fill(stamp, 0, 1024);
    distinct = 0;
    const p = bytes + (<usize>w << 2);
    for (let k = 0; k < L; k++) {
      const at = stamp + (<usize>load<u8>(p + <usize>k) << 2);
      const c = load<u32>(at);
      store<u32>(at, c + 1);
      distinct += i32(c == 0);
    }
  }
  countAt = w;
}

/** At least L/2 distinct byte values in window w. */
function diverseAt(bytes: usize, w: i32, L: i32, stamp: usize): bool {
  if (countAt != w) countBytes(bytes, w, L, stamp);
  return distinct >= L >> 1;
}

// @ts-ignore: decorator
@inline
function emit(out: usize, v: u32): void {
  store<u32>(out + (<usize>outCount << 2), v);
  outCount++;
}

// Primes the sieve sums miss (2^96 != 1 mod r), for the windows that pass every other filter: p mod m
// from the window's 16-bit halves times 2^(16 h) mod m, one m per group (moreSieved in
// src/detectors/factor-sieve.ts is the reference). Groups: 11 19 23 29, 31 37 41 43, 47 53 59,
// 61 67 71, 73 79 83.
const M0: u64 = 139403;
const M1: u64 = 2022161;
const M2: u64 = 146969;
const M3: u64 = 290177;
const M4: u64 = 478661;
/** Largest prime length (words) the reference sieves this way. */
const MORE_WORDS: i32 = 4096;

// The weight table (u32 at [5 h + g], h < 2 nw) in use: built at every call that uses it (the
// caller may have written over it since).
let moreTable: usize = 0;

/** Builds the weight table for nw words at `table` (40 nw bytes). */
function moreWeights(nw: i32, table: usize): void {
  moreTable = table;
  if (nw > MORE_WORDS) return;
  for (let g = 0; g < 5; g++) {
    const m = g == 0 ? M0 : g == 1 ? M1 : g == 2 ? M2 : g == 3 ? M3 : M4;
    let x: u64 = 1;
    for (let h = 0; h < 2 * nw; h++) {
      store<u32>(table + (<usize>(5 * h + g) << 2), <u32>x);
      x = (x << 16) % m;
    }
  }
}

/** Whether the window at word w, read in order o, is divisible by a prime of the groups above. */
function moreSieved(bytes: usize, w: i32, nw: i32, o: i32): bool {
  if (nw > MORE_WORDS) return false;
  let s0: u64 = 0;
  let s1: u64 = 0;
  let s2: u64 = 0;
  let s3: u64 = 0;
  let s4: u64 = 0;
  for (let k = 0; k < nw; k++) {
    let v: u32;
    if (o == 0) v = load<u32>(bytes + (<usize>(w + k) << 2));
    else {
      v = load<u32>(bytes + (<usize>(w + nw - 1 - k) << 2));
      if (o == 1) v = bswap32(v);
    }
    const lo = <u64>(v & 0xffff);
    const hi = <u64>(v >>> 16);
    const at = moreTable + <usize>(k * 40);
    s0 += lo * <u64>load<u32>(at) + hi * <u64>load<u32>(at, 20);
    s1 += lo * <u64>load<u32>(at, 4) + hi * <u64>load<u32>(at, 24);
    s2 += lo * <u64>load<u32>(at, 8) + hi * <u64>load<u32>(at, 28);
    s3 += lo * <u64>load<u32>(at, 12) + hi * <u64>load<u32>(at, 32);
    s4 += lo * <u64>load<u32>(at, 16) + hi * <u64>load<u32>(at, 36);
  }
  const x0 = <u32>(s0 % M0);
  if (x0 % 11 == 0 || x0 % 19 == 0 || x0 % 23 == 0 || x0 % 29 == 0) return true;
  const x1 = <u32>(s1 % M1);
  if (x1 % 31 == 0 || x1 % 37 == 0 || x1 % 41 == 0 || x1 % 43 == 0) return true;
  const x2 = <u32>(s2 % M2);
  if (x2 % 47 == 0 || x2 % 53 == 0 || x2 % 59 == 0) return true;
  const x3 = <u32>(s3 % M3);
  if (x3 % 61 == 0 || x3 % 67 == 0 || x3 % 71 == 0) return true;
  const x4 = <u32>(s4 % M4);
  return x4 % 73 == 0 || x4 % 79 == 0 || x4 % 83 == 0;
}

// The sieve sums of window sumAt: its words summed by position mod 3, as stored (s) and
// byte-swapped (b); the next window's follow from them in O(1).
let sumAt: i32 = -2;
let s0: u64 = 0;
let s1: u64 = 0;
let s2: u64 = 0;
let b0: u64 = 0;
let b1: u64 = 0;
let b2: u64 = 0;

/** Every filter after the zero-byte ones, on window w; emits it per order that passes. */
function tryWindow(bytes: usize, w: i32, nw: i32, minTop16: i32, stamp: usize, out: usize): void {
  const L = nw * 4;
  if (w == sumAt + 1) {
    // one class down for every word: the word that left was at position 0, the new one is at nw - 1
    const gone = load<u32>(bytes + (<usize>(w - 1) << 2));
    const v = load<u32>(bytes + (<usize>(w + nw - 1) << 2));
    const t0 = s0;
    s0 = s1;
    s1 = s2;
    s2 = t0 - <u64>gone;
    const u0 = b0;
    b0 = b1;
    b1 = b2;
    b2 = u0 - <u64>bswap32(gone);
    const c = (nw - 1) % 3;
    if (c == 0) (s0 += <u64>v), (b0 += <u64>bswap32(v));
    else if (c == 1) (s1 += <u64>v), (b1 += <u64>bswap32(v));
    else (s2 += <u64>v), (b2 += <u64>bswap32(v));
  } else {
    s0 = s1 = s2 = b0 = b1 = b2 = 0;
    for (let k = 0; k < nw; k++) {
      const v = load<u32>(bytes + (<usize>(w + k) << 2));
      const c = k % 3;
      if (c == 0) (s0 += <u64>v), (b0 += <u64>bswap32(v));
      else if (c == 1) (s1 += <u64>v), (b1 += <u64>bswap32(v));
      else (s2 += <u64>v), (b2 += <u64>bswap32(v));
    }
  }
  sumAt = w;
  // the counts follow every window of a run once they were needed in it
  if (w == countAt + 1) countBytes(bytes, w, L, stamp);
  const p = bytes + (<usize>w << 2);
  let divers = 0; // 0 unknown, 1 yes (at least L/2 distinct byte values), 2 no
  // le: least significant byte first
  if ((load<u8>(p) & 1) != 0 && load<u8>(p + <usize>(L - 1)) >= 0x80 && ((<i32>load<u8>(p + <usize>(L - 1)) << 8) | load<u8>(p + <usize>(L - 2))) >= minTop16 && passesSieve(0, nw, s0, s1, s2)) {
    if (divers == 0) divers = diverseAt(bytes, w, L, stamp) ? 1 : 2;
    if (divers == 1 && !moreSieved(bytes, w, nw, 0)) emit(out, <u32>w * 4);
  }
  // be: most significant byte first
  if ((load<u8>(p + <usize>(L - 1)) & 1) != 0 && load<u8>(p) >= 0x80 && ((<i32>load<u8>(p) << 8) | load<u8>(p, 1)) >= minTop16 && passesSieve(1, nw, b0, b1, b2)) {
    if (divers == 0) divers = diverseAt(bytes, w, L, stamp) ? 1 : 2;
    if (divers == 1 && !moreSieved(bytes, w, nw, 1)) emit(out, <u32>w * 4 + 1);
  }
  // java: most significant word first, each word little-endian
  if ((load<u8>(p + <usize>(L - 4)) & 1) != 0 && load<u8>(p, 3) >= 0x80 && ((<i32>load<u8>(p, 3) << 8) | load<u8>(p, 2)) >= minTop16 && passesSieve(2, nw, s0, s1, s2)) {
    if (divers == 0) divers = diverseAt(bytes, w, L, stamp) ? 1 : 2;
    if (divers == 1 && !moreSieved(bytes, w, nw, 2)) emit(out, <u32>w * 4 + 2);
  }
}

/** Most words a window may have for the prefix sums of zero weights to stay below 2^16. */
const PREFIX_WORDS: i32 = 256;

/**
 * Prefix sums mod 2^16 of each word's zero weight: its zero bytes, 255 for a zero word (more
 * than a window of PREFIX_WORDS may hold). out[x] sums the words before x; n + 1 entries.
 */
export function zeroPrefix(zeros: usize, n: i32, out: usize): void {
  const zero = i8x16.splat(0);
  const four = i8x16.splat(4);
  let carry = i16x8.splat(0);
  store<u16>(out, 0);
  let x: i32 = 0;
  // sixteen words a step: weights (a zero word's 4 becomes 255), then sums within eight lanes by shifts of 1, 2 and 4 lanes
  for (; x + 16 <= n; x += 16) {
    const z = v128.load(zeros + <usize>x);
    const weight = v128.or(z, i8x16.eq(z, four));
    let lo = i16x8.extend_low_i8x16_u(weight);
    let hi = i16x8.extend_high_i8x16_u(weight);
    lo = i16x8.add(lo, i8x16.shuffle(zero, lo, 0, 1, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29));
    hi = i16x8.add(hi, i8x16.shuffle(zero, hi, 0, 1, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29));
    lo = i16x8.add(lo, i8x16.shuffle(zero, lo, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
    hi = i16x8.add(hi, i8x16.shuffle(zero, hi, 0, 1, 2, 3, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
    lo = i16x8.add(lo, i8x16.shuffle(zero, lo, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    hi = i16x8.add(hi, i8x16.shuffle(zero, hi, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
    lo = i16x8.add(lo, carry);
    hi = i16x8.add(hi, i8x16.shuffle(lo, lo, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15));
    v128.store(out + (<usize>(x + 1) << 1), lo);
    v128.store(out + (<usize>(x + 9) << 1), hi);
    carry = i8x16.shuffle(hi, hi, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15);
  }
  let sum: u32 = <u32>i16x8.extract_lane_u(carry, 0);
  for (; x < n; x++) {
    const z = <u32>load<u8>(zeros + <usize>x);
    sum += z == 4 ? 255 : z;
    store<u16>(out + (<usize>(x + 1) << 1), <u16>sum);
  }
}

/**
 * The sliding pass for primes of nw words from window `from` on: writes (w * 4 + order) of each
 * window that passes every filter short of the division, ascending, at most `cap`; returns the
 * window to resume from when `out` is full, else -1. `cls` holds `pages` page classes; `prefix`
 * the zero weights' prefix sums (zeroPrefix) with 16 bytes to spare; `stamp` is 1 KiB of scratch
 * that only this function writes, `more` 40 nw bytes for the weights of moreSieved. Eight windows a step: the zero filters from the prefix sums.
 */
export function sieveWindows(
  bytes: usize,
  nWords: i32,
  cls: usize,
  pages: i32,
  zeros: usize,
  prefix: usize,
  nw: i32,
  minTop16: i32,
  everywhere: bool,
  stamp: usize,
  more: usize,
  out: usize,
  cap: i32,
  from: i32,
): i32 {
  moreWeights(nw, more);
  if (nw > PREFIX_WORDS) return sieveWindowsRolling(bytes, nWords, cls, pages, zeros, nw, minTop16, everywhere, stamp, out, cap, from);
  outCount = 0;
  sumAt = -2;
  countAt = -2;
  const L = nw * 4;
  const lastWord = nWords - nw;
  const limit = i16x8.splat(<i16>(L >> 4));
  let w = from;
  while (w <= lastWord) {
    // the windows of this page that the page's class skips come first
    const g = w / PAGE_WORDS;
    const first = g * PAGE_WORDS;
    const c = load<u8>(cls + <usize>g);
    if (c == FILL || (c == NOISE && !everywhere)) {
      const nextNoise = g + 1 < pages && load<u8>(cls + <usize>(g + 1)) == NOISE;
      const skipped = first + (c == NOISE && nextNoise ? PAGE_WORDS : ((PAGE - L) >> 2) + 1);
      if (w < skipped) {
        w = skipped;
        continue;
      }
    }
    const end = min(first + PAGE_WORDS, lastWord + 1);
    for (; w < end; w += 8) {
      const zw = i16x8.sub(v128.load(prefix + (<usize>(w + nw) << 1)), v128.load(prefix + (<usize>w << 1)));
      let mask = i16x8.bitmask(i16x8.le_u(zw, limit));
      if (end - w < 8) mask &= (1 << (end - w)) - 1;
      while (mask != 0) {
        const v = w + ctz(mask);
        mask &= mask - 1;
        if (cap - outCount < 3) return v;
        tryWindow(bytes, v, nw, minTop16, stamp, out);
      }
    }
    w = end;
  }
  return -1;
}

/** sieveWindows for windows of more than PREFIX_WORDS words: the zero filters kept rolling window by window. */
function sieveWindowsRolling(bytes: usize, nWords: i32, cls: usize, pages: i32, zeros: usize, nw: i32, minTop16: i32, everywhere: bool, stamp: usize, out: usize, cap: i32, from: i32): i32 {
  outCount = 0;
  sumAt = -2;
  countAt = -2;
  const L = nw * 4;
  const lastWord = nWords - nw;
  const maxZeros = L >> 4;
  let at = -2;
  let zb = 0;
  let lastZero = -1;
  for (let w = from; w <= lastWord; w++) {
    if ((w & (PAGE_WORDS - 1)) == 0) {
      const g = w / PAGE_WORDS;
      const c = load<u8>(cls + <usize>g);
      if (c == FILL || (c == NOISE && !everywhere)) {
        const nextNoise = g + 1 < pages && load<u8>(cls + <usize>(g + 1)) == NOISE;
        w += (c == NOISE && nextNoise ? PAGE_WORDS : ((PAGE - L) >> 2) + 1) - 1;
        continue;
      }
    }
    if (w == at + 1) {
      const x = w + nw - 1;
      const zx = <i32>load<u8>(zeros + <usize>x);
      zb += zx - <i32>load<u8>(zeros + <usize>(w - 1));
      if (zx == 4) lastZero = x;
    } else {
      zb = 0;
      lastZero = -1;
      for (let x = w; x < w + nw; x++) {
        const zx = <i32>load<u8>(zeros + <usize>x);
        zb += zx;
        if (zx == 4) lastZero = x;
      }
    }
    at = w;
    if (lastZero >= w || zb > maxZeros) continue;
    if (cap - outCount < 3) return w;
    tryWindow(bytes, w, nw, minTop16, stamp, out);
  }
  return -1;
}

/**
 * The same filters on the given window starts (ascending, at `starts`), from index `from` on:
 * writes (w * 4 + order) of each that passes, at most `cap`; returns the index to resume from when
 * `out` is full, else -1. `prefix`, `stamp` and `more` as for sieveWindows.
 */
export function filterWindows(bytes: usize, zeros: usize, prefix: usize, starts: usize, count: i32, nw: i32, minTop16: i32, stamp: usize, more: usize, out: usize, cap: i32, from: i32): i32 {
  moreWeights(nw, more);
  outCount = 0;
  sumAt = -2;
  countAt = -2;
  const maxZeros = nw >> 2;
  for (let k = from; k < count; k++) {
    const w = load<i32>(starts + (<usize>k << 2));
    if (nw <= PREFIX_WORDS) {
      if (<i32>(<u16>(load<u16>(prefix + (<usize>(w + nw) << 1)) - load<u16>(prefix + (<usize>w << 1)))) > maxZeros) continue;
    } else {
      let zb = 0;
      let zeroWord = false;
      for (let x = w; x < w + nw; x++) {
        const zx = <i32>load<u8>(zeros + <usize>x);
        zb += zx;
        zeroWord = zeroWord || zx == 4;
      }
      if (zeroWord || zb > maxZeros) continue;
    }
    if (cap - outCount < 3) return k;
    tryWindow(bytes, w, nw, minTop16, stamp, out);
  }
  return -1;
}

/**
 * Writes "0x" and the window at word w read in order o (0 le, 1 be, 2 java) as lowercase hex, most
 * significant byte first, at dst (2 + 8 nw bytes): the text a BigInt is parsed from.
 */
export function hexWindow(bytes: usize, w: i32, nw: i32, o: i32, dst: usize): void {
  const L = nw * 4;
  const p = bytes + (<usize>w << 2);
  store<u16>(dst, 0x7830); // "0x"
  for (let k = 0; k < L; k++) {
    const at = o == 1 ? k : o == 0 ? L - 1 - k : (k & ~3) + 3 - (k & 3);
    const b = <u32>load<u8>(p + <usize>at);
    const hi = b >> 4;
    const lo = b & 15;
    const c0 = hi < 10 ? 48 + hi : 87 + hi;
    const c1 = lo < 10 ? 48 + lo : 87 + lo;
    store<u16>(dst + <usize>(2 + 2 * k), <u16>(c0 | (c1 << 8)));
  }
}

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

/** At least len/2 distinct byte values in bytes[i, i + len). */
function diverse(bytes: usize, i: i32, len: i32, stamp: usize, id: u32): bool {
  let distinct = 0;
  for (let k = i; k < i + len; k++) {
    const at = stamp + (<usize>load<u8>(bytes + <usize>k) << 2);
    if (load<u32>(at) != id) {
      store<u32>(at, id);
      distinct++;
    }
  }
  return distinct >= len >> 1;
}

let stampId: u32 = 0;

/** A fresh stamp id; after 2^32 of them the stamps are cleared, so an old one never matches. */
function nextStamp(stamp: usize): u32 {
  stampId++;
  if (stampId == 0) {
    memory.fill(stamp, 0, 1024);
    stampId = 1;
  }
  return stampId;
}

// @ts-ignore: decorator
@inline
function emit(out: usize, v: u32): void {
  store<u32>(out + (<usize>outCount << 2), v);
  outCount++;
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
  const p = bytes + (<usize>w << 2);
  let divers = 0; // 0 unknown, 1 yes, 2 no
  // le: least significant byte first
  if ((load<u8>(p) & 1) != 0 && load<u8>(p + <usize>(L - 1)) >= 0x80 && ((<i32>load<u8>(p + <usize>(L - 1)) << 8) | load<u8>(p + <usize>(L - 2))) >= minTop16 && passesSieve(0, nw, s0, s1, s2)) {
    if (divers == 0) divers = diverse(bytes, w * 4, L, stamp, nextStamp(stamp)) ? 1 : 2;
    if (divers == 1) emit(out, <u32>w * 4);
  }
  // be: most significant byte first
  if ((load<u8>(p + <usize>(L - 1)) & 1) != 0 && load<u8>(p) >= 0x80 && ((<i32>load<u8>(p) << 8) | load<u8>(p, 1)) >= minTop16 && passesSieve(1, nw, b0, b1, b2)) {
    if (divers == 0) divers = diverse(bytes, w * 4, L, stamp, nextStamp(stamp)) ? 1 : 2;
    if (divers == 1) emit(out, <u32>w * 4 + 1);
  }
  // java: most significant word first, each word little-endian
  if ((load<u8>(p + <usize>(L - 4)) & 1) != 0 && load<u8>(p, 3) >= 0x80 && ((<i32>load<u8>(p, 3) << 8) | load<u8>(p, 2)) >= minTop16 && passesSieve(2, nw, s0, s1, s2)) {
    if (divers == 0) divers = diverse(bytes, w * 4, L, stamp, nextStamp(stamp)) ? 1 : 2;
    if (divers == 1) emit(out, <u32>w * 4 + 2);
  }
}

/** Most words a window may have for the prefix sums of zero weights to stay below 2^16. */
const PREFIX_WORDS: i32 = 256;

/**
 * Prefix sums mod 2^16 of each word's zero weight: its zero bytes, 255 for a zero word (more
 * than a window of PREFIX_WORDS may hold). out[x] sums the words before x; n + 1 entries.
 */
export function zeroPrefix(zeros: usize, n: i32, out: usize): void {
  let sum: u32 = 0;
  store<u16>(out, 0);
  for (let x = 0; x < n; x++) {
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
 * that only this function writes. Eight windows a step: the zero filters from the prefix sums.
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
  out: usize,
  cap: i32,
  from: i32,
): i32 {
  if (nw > PREFIX_WORDS) return sieveWindowsRolling(bytes, nWords, cls, pages, zeros, nw, minTop16, everywhere, stamp, out, cap, from);
  outCount = 0;
  sumAt = -2;
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

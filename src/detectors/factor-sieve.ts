// Which 4-byte-aligned windows of a buffer could hold a prime factor of a known modulus, before any
// big-number work: the JavaScript reference of the sliding pass (kernels/factor-sieve.ts is the
// WebAssembly build of the same function; a test holds both to identical output).
import { PAGE } from '../views/uniform.js';

// Page classes: one repeated byte, noise (random, compressed, text: fewer than two structure
// words), or structured (heap, stacks, code, tables).
export const FILL = 0;
export const NOISE = 1;
export const HEAP = 2;

/** Storage orders of a prime: OpenSSL/Go limbs, big-endian (DER, raw), Java int[]. */
export type Order = 'le' | 'be' | 'java';
export const ORDERS: readonly Order[] = ['le', 'be', 'java'];

/** Byte index (from the window start) of the big-endian byte k, per storage order. */
export function posOf(order: Order, len: number, k: number): number {
  if (order === 'be') return k;
  if (order === 'le') return len - 1 - k;
  return (k & ~3) + 3 - (k & 3); // Java int[]: big-endian words, each little-endian
}

// Small primes r with 2^96 = 1 (mod r): p mod r follows from three sums of the prime's 32-bit
// words, grouped by word significance mod 3 (2^(32k) mod r depends on k mod 3 only). Grouped into
// moduli below 2^26: one float remainder per sum and group, then int32 arithmetic. (3, 5, 17 and
// 257 divide 2^32 - 1 and are sieved before, from the sum of all words.)
export const SIEVE_GROUPS = [
  [7, 13, 97, 241],
  [673, 65537],
].map((primes) => ({
  m: primes.reduce((a, b) => a * b, 1),
  primes: primes.map((r) => ({ r, w: [0, 1, 2].map((c) => Number(2n ** BigInt(32 * c) % BigInt(r))) })),
}));

/** True when the number with these word sums (by significance mod 3) has a small prime factor. */
export function sieved(a0: number, a1: number, a2: number): boolean {
  // 2^32 = 1 (mod r) for r | 2^32 - 1: p mod r is the sum of its words mod r
  const s = a0 + a1 + a2;
  if (s % 3 === 0 || s % 5 === 0 || s % 17 === 0 || s % 257 === 0) return true;
  for (const g of SIEVE_GROUPS) {
    const x0 = a0 % g.m;
    const x1 = a1 % g.m;
    const x2 = a2 % g.m;
    for (const { r, w } of g.primes) if (((x0 % r) * w[0] + (x1 % r) * w[1] + (x2 % r) * w[2]) % r === 0) return true;
  }
  return false;
}

// Primes the sliding pass does not sieve (2^96 != 1 mod r), tried on the rare windows that reach a
// division: p mod m from weighted sums of the prime's 16-bit halves (each term below 2^37, so the
// float sums stay exact), one remainder per group of primes whose product m is below 2^21.
const MORE_GROUPS = [
  [11, 19, 23, 29],
  [31, 37, 41, 43],
  [47, 53, 59],
  [61, 67, 71],
  [73, 79, 83],
].map((primes) => ({ m: primes.reduce((a, b) => a * b, 1), primes }));

/** 2^(16 h) mod m of each group g at [5 h + g], for h < 2 nw (built for the last prime length asked). */
let weights = new Float64Array(0);
let weightsNw = -1;

function weightsFor(nw: number): Float64Array {
  if (nw !== weightsNw) {
    weights = new Float64Array(10 * nw);
    MORE_GROUPS.forEach(({ m }, g) => {
      for (let h = 0, x = 1; h < 2 * nw; h++, x = (x * 65536) % m) weights[5 * h + g] = x;
    });
    weightsNw = nw;
  }
  return weights;
}

/** Largest prime length (words) whose weighted sums stay below 2^53. */
const MAX_MORE_WORDS = 4096;

/**
 * True when the window at word w, read in `order`, is divisible by a prime of MORE_GROUPS: such a
 * window is no prime factor, so its big-number division is skipped.
 */
export function moreSieved(words: Uint32Array, w: number, nw: number, order: Order): boolean {
  if (nw > MAX_MORE_WORDS) return false;
  const ws = weightsFor(nw);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  const swap = order === 'be';
  const step = order === 'le' ? 1 : -1; // be and java: most significant word first
  for (let k = 0, x = step > 0 ? w : w + nw - 1, at = 0; k < nw; k++, x += step, at += 10) {
    let v = words[x];
    if (swap) v = (((v & 255) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
    const lo = v & 0xffff;
    const hi = v >>> 16;
    s0 += lo * ws[at] + hi * ws[at + 5];
    s1 += lo * ws[at + 1] + hi * ws[at + 6];
    s2 += lo * ws[at + 2] + hi * ws[at + 7];
    s3 += lo * ws[at + 3] + hi * ws[at + 8];
    s4 += lo * ws[at + 4] + hi * ws[at + 9];
  }
  return divides(0, s0) || divides(1, s1) || divides(2, s2) || divides(3, s3) || divides(4, s4);
}

/** Whether a prime of group g divides the number whose weighted sum for g is s. */
function divides(g: number, s: number): boolean {
  const { m, primes } = MORE_GROUPS[g];
  const x = s % m;
  for (let i = 0; i < primes.length; i++) if (x % primes[i] === 0) return true;
  return false;
}

/**
 * A 32-bit word with a zero 16-bit half: sizes, lengths, flags, pointers' high halves, padding.
 * Allocator chunk headers, Java array lengths and BIGNUM tails are such words; a random word is
 * one in 2^15.
 */
export function structureWord(v: number): boolean {
  return v < 0x10000 || (v & 0xffff) === 0;
}

/** Zero bytes in each 32-bit word (4: a zero word). */
export function zeroBytes(words: Uint32Array): Uint8Array {
  const z = new Uint8Array(words.length);
  for (let x = 0; x < words.length; x++) {
    const v = words[x];
    // most words have no zero byte: one test rejects them
    if (((v - 0x01010101) & ~v & 0x80808080) !== 0) z[x] = +((v & 0xff) === 0) + +((v & 0xff00) === 0) + +((v & 0xff0000) === 0) + +(v >>> 24 === 0);
  }
  return z;
}

/** What the sliding pass reads: one buffer's aligned bytes and words, page classes, zero bytes per word. */
export interface SieveInput {
  bytes: Uint8Array;
  words: Uint32Array;
  cls: Uint8Array;
  zeros: Uint8Array;
}

/** Most zero bytes a prime of `len` bytes is allowed (one prime in 10^9 has more). */
export function maxZeroBytes(len: number): number {
  return len >> 4;
}

/** First window start (word index) past the windows a page of this class skips, or -1 when it skips none. */
export function pageSkip(cls: Uint8Array, w: number, len: number, everywhere: boolean): number {
  const g = (w * 4) / PAGE;
  const c = cls[g];
  if (c === FILL || (c === NOISE && !everywhere)) return w + (c === NOISE && cls[g + 1] === NOISE ? PAGE >> 2 : ((PAGE - len) >> 2) + 1);
  return -1;
}

/** The sieve on the window at word w in one order: word sums by significance mod 3, then the small primes. */
export function sieveAt(words: Uint32Array, w: number, nw: number, order: Order): boolean {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  const swap = order === 'be';
  const reversed = order !== 'le'; // most significant word first
  const step = reversed ? -1 : 1;
  let c = 0;
  for (let k = 0, idx = reversed ? w + nw - 1 : w; k < nw; k++, idx += step) {
    let v = words[idx];
    if (swap) v = (((v & 255) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
    if (c === 0) a0 += v;
    else if (c === 1) a1 += v;
    else a2 += v;
    c = c === 2 ? 0 : c + 1;
  }
  return !sieved(a0, a1, a2);
}

/** A prime's bytes look random (~100 distinct values in 128); tagged heap words that pass the sieve do not. */
export function diverse(bytes: Uint8Array, i: number, len: number, stamp: Uint32Array, id: number): boolean {
  let distinct = 0;
  for (let k = i; k < i + len; k++) if (stamp[bytes[k]] !== id) ((stamp[bytes[k]] = id), distinct++);
  return distinct >= len >> 1;
}

/**
 * The sliding pass for primes of nw words: window starts, per order (le, be, java), ascending,
 * that pass every filter short of the division. Windows in fill pages are skipped, and those
 * wholly in noise pages unless `everywhere`. A window needs: an odd last byte, a top byte >= 0x80
 * and top 16 bits >= minTop16 (p > n / 2^k), no zero word and at most len/16 zero bytes (kept
 * rolling, so each window costs O(1) until it passes them), no small prime factor, byte diversity,
 * and no factor among the primes of moreSieved.
 */
export function sieveWindows(input: SieveInput, nw: number, minTop16: number, everywhere: boolean): [number[], number[], number[]] {
  const { bytes, words, cls, zeros } = input;
  const L = nw * 4;
  const out: [number[], number[], number[]] = [[], [], []];
  const lastWord = words.length - nw;
  if (lastWord < 0) return out;
  const maxZeros = maxZeroBytes(L);
  const tops = ORDERS.map((o) => [posOf(o, L, 0), posOf(o, L, 1), posOf(o, L, L - 1)]);
  const stamp = new Uint32Array(256);
  let stampId = 0;
  // rolling state of window `at`: zero bytes in it, last zero word at or before its end
  let at = -2;
  let zb = 0;
  let lastZero = -1;
  for (let w = 0; w <= lastWord; w++) {
    if ((w & ((PAGE >> 2) - 1)) === 0) {
      const next = pageSkip(cls, w, L, everywhere);
      if (next >= 0) {
        w = next - 1;
        continue;
      }
    }
    if (w === at + 1) {
      const x = w + nw - 1;
      const zx = zeros[x];
      zb += zx - zeros[w - 1];
      if (zx === 4) lastZero = x;
    } else {
      zb = 0;
      lastZero = -1;
      for (let x = w; x < w + nw; x++) {
        zb += zeros[x];
        if (zeros[x] === 4) lastZero = x;
      }
    }
    at = w;
    if (lastZero >= w || zb > maxZeros) continue;
    const i = w * 4;
    let divers = 0; // 0 unknown, 1 yes, 2 no
    for (let o = 0; o < 3; o++) {
      const [msb, msb2, lsb] = tops[o];
      if ((bytes[i + lsb] & 1) === 0) continue;
      const top = bytes[i + msb];
      if (top < 0x80 || ((top << 8) | bytes[i + msb2]) < minTop16) continue;
      if (!sieveAt(words, w, nw, ORDERS[o])) continue;
      if (divers === 0) divers = diverse(bytes, i, L, stamp, ++stampId) ? 1 : 2;
      if (divers === 1 && !moreSieved(words, w, nw, ORDERS[o])) out[o].push(w);
    }
  }
  return out;
}

/** The same filters on one window in one order (anchored windows, tried one by one). */
export function windowPasses(input: SieveInput, w: number, nw: number, order: Order, minTop16: number, stamp: Uint32Array, stampId: number): boolean {
  const { bytes, words, zeros } = input;
  const L = nw * 4;
  const i = w * 4;
  if ((bytes[i + posOf(order, L, L - 1)] & 1) === 0) return false;
  const top = bytes[i + posOf(order, L, 0)];
  if (top < 0x80 || ((top << 8) | bytes[i + posOf(order, L, 1)]) < minTop16) return false;
  let zb = 0;
  for (let x = w; x < w + nw; x++) {
    if (zeros[x] === 4) return false;
    zb += zeros[x];
  }
  if (zb > maxZeroBytes(L)) return false;
  return sieveAt(words, w, nw, order) && diverse(bytes, i, L, stamp, stampId) && !moreSieved(words, w, nw, order);
}

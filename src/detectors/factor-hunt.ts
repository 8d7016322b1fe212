// The search for a prime factor of a known RSA modulus stored in memory: OpenSSL/Go limbs
// (little-endian), big-endian (DER, raw), Java int[] (big-endian words, each little-endian).
import { bitLength } from '../codec/asn1.js';
import { PAGE, uniformPage } from '../views/uniform.js';

// Small primes r with 2^96 = 1 (mod r): p mod r follows from three sums of the prime's 32-bit
// words, grouped by word significance mod 3 (2^(32k) mod r depends on k mod 3 only). Grouped into
// moduli below 2^26: one float remainder per sum and group, then int32 arithmetic. (3, 5, 17 and
// 257 divide 2^16 - 1 and are sieved before, from the sum of 16-bit halves.)
const SIEVE_GROUPS = [[7, 13, 97, 241], [673, 65537]].map((primes) => ({
  m: primes.reduce((a, b) => a * b, 1),
  primes: primes.map((r) => ({ r, w: [0, 1, 2].map((c) => Number((2n ** BigInt(32 * c)) % BigInt(r))) })),
}));

/** True when the number with these word sums (by significance mod 3) has a small prime factor. */
function sieved(a0: number, a1: number, a2: number): boolean {
  for (const g of SIEVE_GROUPS) {
    const x0 = a0 % g.m;
    const x1 = a1 % g.m;
    const x2 = a2 % g.m;
    for (const { r, w } of g.primes) if (((x0 % r) * w[0] + (x1 % r) * w[1] + (x2 % r) * w[2]) % r === 0) return true;
  }
  return false;
}

type Order = 'be' | 'le' | 'java';
const ORDERS: Order[] = ['le', 'be', 'java'];

export interface RsaTarget {
  n: bigint;
  /** Prime length in bytes. */
  len: number;
  /** Lower bound of the prime's top 16 bits: p > n / 2^k. */
  top16: number;
  /** Lowest top byte a prime of the expected bit length has. */
  topMin: number;
  /**
   * Every window, noise pages included (keys the user named). Otherwise (keys seen in the dump)
   * windows lying wholly in noise pages are tried only next to a structure word or after a DER
   * INTEGER header: each candidate there ends in a big-number division.
   */
  everywhere?: boolean;
}

export function targetOf(n: bigint, everywhere = true): RsaTarget | null {
  const nBits = bitLength(n);
  if (nBits < 256 || nBits % 16 !== 0) return null; // balanced primes of whole bytes only
  const k = nBits / 2;
  const len = k / 8;
  const lower = n >> BigInt(k);
  return { n, len, top16: Number(lower >> BigInt(k - 16)), topMin: 0x80, everywhere };
}

/** Byte index (from the window start) of the big-endian byte k, per storage order. */
function posOf(order: Order, len: number, k: number): number {
  if (order === 'be') return k;
  if (order === 'le') return len - 1 - k;
  return (k & ~3) + 3 - (k & 3); // Java int[]: big-endian words, each little-endian
}

// Page classes: one repeated byte, noise (random, compressed, text: fewer than two structure
// words), or structured (heap, stacks, code, tables).
const FILL = 0;
const NOISE = 1;
const HEAP = 2;

/**
 * A 32-bit word with a zero 16-bit half: sizes, lengths, flags, pointers' high halves, padding.
 * Allocator chunk headers, Java array lengths and BIGNUM tails are such words; a random word is
 * one in 2^15.
 */
function structureWord(v: number): boolean {
  return v < 0x10000 || (v & 0xffff) === 0;
}

/** Class of each whole page of the buffer (a trailing partial page counts as structured). */
function pageClasses(bytes: Buffer, words: Uint32Array): Uint8Array {
  const pages = Math.ceil(bytes.length / PAGE);
  const cls = new Uint8Array(pages);
  for (let g = 0; g < pages; g++) {
    const at = g * PAGE;
    if (at + PAGE > bytes.length) cls[g] = HEAP;
    else if (uniformPage(bytes, at)) cls[g] = FILL;
    else {
      let marks = 0;
      for (let w = at >> 2, end = w + (PAGE >> 2); w < end && marks < 2; w++) if (structureWord(words[w])) marks++;
      cls[g] = marks < 2 ? NOISE : HEAP;
    }
  }
  return cls;
}

/**
 * Window starts (word indices) that the sliding pass skips in noise pages but that lie within
 * 16 bytes after or before a structure word: a chunk header or array length before the prime, a
 * BIGNUM's spare zero limbs or the next chunk's header after it.
 */
function anchoredStarts(words: Uint32Array, cls: Uint8Array, nw: number, lastWord: number): number[] {
  const out = new Set<number>();
  const L = nw * 4;
  for (let g = 0; g < cls.length; g++) {
    if (cls[g] !== NOISE) continue;
    const wa = (g * PAGE) >> 2;
    const wb = Math.min(lastWord, cls[g + 1] === NOISE ? wa + (PAGE >> 2) - 1 : wa + ((PAGE - L) >> 2));
    const from = Math.max(0, wa - 4);
    const to = Math.min(words.length - 1, wb + nw + 3);
    for (let s = from; s <= to; s++) {
      if (!structureWord(words[s])) continue;
      for (let d = 1; d <= 4; d++) {
        if (s + d >= wa && s + d <= wb) out.add(s + d);
        const before = s - nw - d + 1;
        if (before >= wa && before <= wb) out.add(before);
      }
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** DER INTEGER header of a positive integer with `len` content bytes after its leading zero. */
function derIntegerHeader(len: number): Buffer {
  const c = len + 1;
  if (c < 0x80) return Buffer.from([0x02, c, 0x00]);
  if (c < 0x100) return Buffer.from([0x02, 0x81, c, 0x00]);
  return Buffer.from([0x02, 0x82, c >> 8, c & 255, 0x00]);
}

/**
 * Finds prime factors of the targets' moduli (all of one prime length) stored at 4-byte alignment
 * in any of the three orders, in one pass shared by all targets, and big-endian after a DER
 * INTEGER header at any alignment. Filters: odd, top byte, p > n/2^k on the top 16 bits, no zero
 * word, small-prime sieve, byte diversity; then n mod p per target.
 */
export function huntFactors(bytes: Buffer, targets: RsaTarget[], stats?: { divisions: number }): Map<RsaTarget, bigint> {
  const found = new Map<RsaTarget, bigint>();
  if (!targets.length) return found;
  const L = targets[0].len;
  if (L % 4 !== 0 || bytes.length < L + 4) return found;
  const nw = L / 4;
  const everywhere = targets.some((t) => t.everywhere !== false);
  let active = targets.slice();
  let minTop16 = Math.min(...active.map((t) => t.top16));
  const topMin = 0x80;
  const scratch = Buffer.allocUnsafe(L);
  // 32-bit words at 4-byte alignment relative to the buffer (copied once if the buffer is not aligned)
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(bytes.length / 4));
  const lastWord = words.length - nw;
  const cls = pageClasses(bytes, words);
  const anchored = everywhere ? [] : anchoredStarts(words, cls, nw, lastWord);
  const stamp = new Uint32Array(256);
  let stampId = 0;
  const maxZeros = L >> 4;

  /** Divides each active modulus by the candidate; true when no target is left. */
  const divide = (p: bigint, top16: number): boolean => {
    if (stats) stats.divisions++;
    for (const t of active) if (top16 >= t.top16 && t.n % p === 0n) found.set(t, p);
    if (found.size && active.some((t) => found.has(t))) {
      active = active.filter((t) => !found.has(t));
      minTop16 = active.length ? Math.min(...active.map((t) => t.top16)) : 0;
    }
    return !active.length;
  };

  // big-endian after a DER INTEGER header, at any byte alignment
  const hdr = derIntegerHeader(L);
  for (let at = bytes.indexOf(hdr); at !== -1 && active.length; at = bytes.indexOf(hdr, at + 1)) {
    const i = at + hdr.length;
    if (i + L > bytes.length || (bytes[i + L - 1] & 1) === 0) continue;
    const top16 = (bytes[i] << 8) | bytes[i + 1];
    if (top16 >= minTop16 && divide(BigInt('0x' + bytes.toString('hex', i, i + L)), top16)) return found;
  }

  for (const order of ORDERS) {
    const msb = posOf(order, L, 0);
    const msb2 = posOf(order, L, 1);
    const lsb = posOf(order, L, L - 1);
    const swap = order === 'be';
    const reversed = order !== 'le'; // most significant word first

    /** The window at word w past the cheap filters: sieve, byte diversity, then the divisions. */
    const candidate = (w: number): void => {
      const i = w * 4;
      const top16 = (bytes[i + msb] << 8) | bytes[i + msb2];
      // sieve on word sums by significance mod 3. A zero word, or more than L/16 zero bytes (one
      // prime in 10^9 has that many; machine code and heap words most often do), ends it early.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      // sum of 16-bit halves: p mod r for r | 2^16 - 1 (3, 5, 17, 257) in int32 arithmetic
      let h = 0;
      let c = 0;
      let k = 0;
      let zeros = 0;
      const step = reversed ? -1 : 1;
      for (let idx = reversed ? w + nw - 1 : w; k < nw; k++, idx += step) {
        let v = words[idx];
        if (v === 0) break;
        if (((v - 0x01010101) & ~v & 0x80808080) !== 0) {
          zeros += +((v & 0xff) === 0) + +((v & 0xff00) === 0) + +((v & 0xff0000) === 0) + +(v >>> 24 === 0);
          if (zeros > maxZeros) break;
        }
        if (swap) v = (((v & 255) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
        h += (v & 0xffff) + (v >>> 16);
        if (c === 0) a0 += v;
        else if (c === 1) a1 += v;
        else a2 += v;
        c = c === 2 ? 0 : c + 1;
      }
      if (k < nw || h % 3 === 0 || h % 5 === 0 || h % 17 === 0 || h % 257 === 0 || sieved(a0, a1, a2)) return;
      // a prime's bytes look random (~100 distinct values in 128); tagged heap words that pass the
      // sieve do not, and each candidate below costs a BigInt division
      stampId++;
      let distinct = 0;
      for (let k = i; k < i + L; k++) if (stamp[bytes[k]] !== stampId) (stamp[bytes[k]] = stampId), distinct++;
      if (distinct < L >> 1) return;
      let hex: string;
      if (order === 'be') hex = bytes.toString('hex', i, i + L);
      else {
        bytes.copy(scratch, 0, i, i + L);
        hex = (order === 'le' ? scratch.reverse() : scratch.swap32()).toString('hex');
      }
      divide(BigInt('0x' + hex), top16);
    };

    for (let w = 0; w <= lastWord && active.length; w++) {
      const i = w * 4;
      if ((i & (PAGE - 1)) === 0) {
        // windows inside a fill page hold one byte value: no prime. Noise pages (keys seen in the
        // dump): windows that end in this page or in the next noise page wait for an anchor.
        const g = i / PAGE;
        const c = cls[g];
        if (c === FILL || (c === NOISE && !everywhere)) {
          w += c === NOISE && cls[g + 1] === NOISE ? (PAGE >> 2) - 1 : (PAGE - L) >> 2;
          continue;
        }
      }
      if ((bytes[i + lsb] & 1) === 0) continue;
      const top = bytes[i + msb];
      if (top < topMin) continue;
      if (((top << 8) | bytes[i + msb2]) < minTop16) continue;
      candidate(w);
    }
    for (const w of anchored) {
      if (!active.length) break;
      const i = w * 4;
      if ((bytes[i + lsb] & 1) === 0 || bytes[i + msb] < topMin || ((bytes[i + msb] << 8) | bytes[i + msb2]) < minTop16) continue;
      candidate(w);
    }
  }
  return found;
}

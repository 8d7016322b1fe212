// The search for a prime factor of a known RSA modulus stored in memory: OpenSSL/Go limbs
// (little-endian), big-endian (DER, raw), Java int[] (big-endian words, each little-endian).
import { bitLength } from '../codec/asn1.js';
import { PAGE, uniformPage } from '../views/uniform.js';
import { FILL, HEAP, NOISE, ORDERS, posOf, sieveWindows, structureWord, windowPasses, zeroBytes } from './factor-sieve.js';
import type { Order, SieveInput } from './factor-sieve.js';
import { filterWindowsKernel, sieveWindowsKernel, uploadSieveInput, windowHexKernel } from './factor-sieve-kernel.js';

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

/**
 * Class of each whole page of the buffer (a trailing partial page counts as structured), and the
 * one structure word a noise page may hold (-1: none).
 */
export function pageClasses(bytes: Uint8Array, words: Uint32Array): { cls: Uint8Array; mark: Int32Array } {
  const pages = Math.ceil(bytes.length / PAGE);
  const cls = new Uint8Array(pages);
  const mark = new Int32Array(pages).fill(-1);
  for (let g = 0; g < pages; g++) {
    const at = g * PAGE;
    if (at + PAGE > bytes.length) cls[g] = HEAP;
    else if (uniformPage(bytes, at)) cls[g] = FILL;
    else {
      let marks = 0;
      for (let w = at >> 2, end = w + (PAGE >> 2); w < end && marks < 2; w++) if (structureWord(words[w])) (marks++, (mark[g] = w));
      cls[g] = marks < 2 ? NOISE : HEAP;
    }
  }
  return { cls, mark };
}

/**
 * Window starts (word indices) that the sliding pass skips in noise pages but that lie within
 * 16 bytes after or before a structure word: a chunk header or array length before the prime, a
 * BIGNUM's spare zero limbs or the next chunk's header after it.
 */
function anchoredStarts(input: HuntBuffer, nw: number, lastWord: number): Int32Array {
  const { words, cls, mark } = input;
  const out: number[] = [];
  const L = nw * 4;
  const W = PAGE >> 2;
  for (let g = 0; g < cls.length; g++) {
    if (cls[g] !== NOISE) continue;
    const wa = g * W;
    const wb = Math.min(lastWord, cls[g + 1] === NOISE ? wa + W - 1 : wa + ((PAGE - L) >> 2));
    const from = Math.max(0, wa - 4);
    const to = Math.min(words.length - 1, wb + nw + 3);
    const visit = (s: number): void => {
      for (let d = 1; d <= 4; d++) {
        if (s + d >= wa && s + d <= wb) out.push(s + d);
        const before = s - nw - d + 1;
        if (before >= wa && before <= wb) out.push(before);
      }
    };
    for (let s = from; s <= to;) {
      const pg = (s / W) | 0;
      if (cls[pg] === NOISE && pg < cls.length) {
        // a noise page's structure word is known from its classification
        if (mark[pg] >= s && mark[pg] <= to) visit(mark[pg]);
        s = (pg + 1) * W;
        continue;
      }
      if (structureWord(words[s])) visit(s);
      s++;
    }
  }
  const sorted = Int32Array.from(out).sort();
  let n = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[n++] = sorted[k];
  return sorted.subarray(0, n);
}

/** "0x" and the hex digits of the window at word w read in `order`, most significant first (`scratch`: L bytes). */
export function windowHex(bytes: Buffer, w: number, L: number, order: Order, scratch: Buffer): string {
  const i = w * 4;
  if (order === 'be') return '0x' + bytes.toString('hex', i, i + L);
  bytes.copy(scratch, 0, i, i + L);
  return '0x' + (order === 'le' ? scratch.reverse() : scratch.swap32()).toString('hex');
}

/** DER INTEGER header of a positive integer with `len` content bytes after its leading zero. */
function derIntegerHeader(len: number): Buffer {
  const c = len + 1;
  if (c < 0x80) return Buffer.from([0x02, c, 0x00]);
  if (c < 0x100) return Buffer.from([0x02, 0x81, c, 0x00]);
  return Buffer.from([0x02, 0x82, c >> 8, c & 255, 0x00]);
}

/** One buffer made ready for the hunts of every prime length: aligned words, page classes, zero bytes per word. */
export interface HuntBuffer extends SieveInput {
  bytes: Buffer;
  /** The structure word of each noise page, -1 where none. */
  mark: Int32Array;
}

export function prepareHunt(bytes: Buffer): HuntBuffer {
  // 32-bit words at 4-byte alignment relative to the buffer (copied once if the buffer is not aligned)
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(bytes.length / 4));
  const input: HuntBuffer = { bytes: aligned, words, cls: new Uint8Array(0), mark: new Int32Array(Math.ceil(aligned.length / PAGE)), zeros: new Uint8Array(0) };
  // the kernel classifies the pages where it counts zero bytes; without it, the reference does both
  if (!uploadSieveInput(input, input.mark)) Object.assign(input, pageClasses(aligned, words), { zeros: zeroBytes(words) });
  return input;
}

/**
 * Finds prime factors of the targets' moduli (all of one prime length) stored at 4-byte alignment
 * in any of the three orders, in one pass shared by all targets, and big-endian after a DER
 * INTEGER header at any alignment. Filters: odd, top byte, p > n/2^k on the top 16 bits, no zero
 * word, at most L/16 zero bytes, small-prime sieve, byte diversity, more small primes; then n mod p
 * per target.
 */
export function huntFactors(buf: Buffer | HuntBuffer, targets: RsaTarget[], stats?: { divisions: number }): Map<RsaTarget, bigint> {
  const found = new Map<RsaTarget, bigint>();
  if (!targets.length) return found;
  const L = targets[0].len;
  const input = buf instanceof Uint8Array ? prepareHunt(buf) : buf;
  const bytes = input.bytes;
  if (L % 4 !== 0 || bytes.length < L + 4) return found;
  const nw = L / 4;
  const everywhere = targets.some((t) => t.everywhere !== false);
  let active = targets.slice();
  let minTop16 = Math.min(...active.map((t) => t.top16));
  const scratch = Buffer.allocUnsafe(L);

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

  // every window at once, all three orders: candidates that reach a division, in the order they are tried
  const main = sieveWindowsKernel(input, nw, minTop16, everywhere) ?? sieveWindows(input, nw, minTop16, everywhere);
  // windows next to structure words in noise pages, through the same filters
  const stamp = new Uint32Array(256);
  let stampId = 0;
  const starts = everywhere ? new Int32Array(0) : anchoredStarts(input, nw, input.words.length - nw);
  const anchored = filterWindowsKernel(input, starts, nw, minTop16) ?? ORDERS.map((order) => Array.from(starts).filter((w) => windowPasses(input, w, nw, order, minTop16, stamp, ++stampId)));
  // the candidates' text for BigInt, written in WebAssembly where it runs
  const hexOf = windowHexKernel(input, nw);
  for (let o = 0; o < ORDERS.length && active.length; o++) {
    const order = ORDERS[o];
    const msb = posOf(order, L, 0);
    const msb2 = posOf(order, L, 1);
    /** Divides by the window at word w (p > n/2^k against the targets still hunted). */
    const tryAt = (w: number): void => {
      const i = w * 4;
      const top16 = (bytes[i + msb] << 8) | bytes[i + msb2];
      if (top16 < minTop16) return;
      divide(BigInt(hexOf ? hexOf(w, o) : windowHex(bytes, w, L, order, scratch)), top16);
    };
    for (let k = 0; k < main[o].length && active.length; k++) tryAt(main[o][k]);
    for (let k = 0; k < anchored[o].length && active.length; k++) tryAt(anchored[o][k]);
  }
  return found;
}

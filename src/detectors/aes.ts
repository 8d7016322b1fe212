// Expanded AES key schedules (as aeskeyfind finds them), encryption and decryption, in the
// standard byte order (AES-NI, most libraries) and in native-u32 order (OpenSSL's C code, Java int[]).
import type { Detection, Detector, Hit, LearnedValue } from '../types.js';
import { findNeedles } from '../codec/bignum.js';
import { objectList } from '../codec/multi-search.js';
import { fp } from '../codec/asn1.js';
import { PAGE, uniformPage } from '../views/uniform.js';
import { fusedKernel, uploadBlock } from './aes-kernel.js';
import { gramSampler } from './gram-kernel.js';

// ---- AES tables -------------------------------------------------------------------------------
const SBOX = new Uint8Array(256);
const MUL = (a: number, b: number): number => {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
    b >>= 1;
  }
  return r & 0xff;
};
{
  // S-box from the multiplicative inverse and the affine map
  const inv = new Uint8Array(256);
  for (let a = 1; a < 256; a++)
    for (let b = 1; b < 256; b++)
      if (MUL(a, b) === 1) {
        inv[a] = b;
        break;
      }
  for (let x = 0; x < 256; x++) {
    let s = inv[x];
    let r = s;
    for (let i = 0; i < 4; i++) {
      s = ((s << 1) | (s >> 7)) & 0xff;
      r ^= s;
    }
    SBOX[x] = r ^ 0x63;
  }
}
const M = (k: number) => Uint8Array.from({ length: 256 }, (_, a) => MUL(a, k));
const M2 = M(2),
  M3 = M(3),
  M9 = M(9),
  M11 = M(11),
  M13 = M(13),
  M14 = M(14);
const RCON = [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/** Words are big-endian u32: byte 0 of the column is the top byte. */
function subWord(w: number): number {
  return ((SBOX[w >>> 24] << 24) | (SBOX[(w >>> 16) & 255] << 16) | (SBOX[(w >>> 8) & 255] << 8) | SBOX[w & 255]) >>> 0;
}
function rotSub(w: number): number {
  return subWord(((w << 8) | (w >>> 24)) >>> 0);
}
function mixColumn(w: number): number {
  const a0 = w >>> 24,
    a1 = (w >>> 16) & 255,
    a2 = (w >>> 8) & 255,
    a3 = w & 255;
  return (((M2[a0] ^ M3[a1] ^ a2 ^ a3) << 24) | ((a0 ^ M2[a1] ^ M3[a2] ^ a3) << 16) | ((a0 ^ a1 ^ M2[a2] ^ M3[a3]) << 8) | (M3[a0] ^ a1 ^ a2 ^ M2[a3])) >>> 0;
}
function invMixColumn(w: number): number {
  const a0 = w >>> 24,
    a1 = (w >>> 16) & 255,
    a2 = (w >>> 8) & 255,
    a3 = w & 255;
  return (
    (((M14[a0] ^ M11[a1] ^ M13[a2] ^ M9[a3]) << 24) | ((M9[a0] ^ M14[a1] ^ M11[a2] ^ M13[a3]) << 16) | ((M13[a0] ^ M9[a1] ^ M14[a2] ^ M11[a3]) << 8) | (M11[a0] ^ M13[a1] ^ M9[a2] ^ M14[a3])) >>> 0
  );
}

/** FIPS-197 key expansion into `w` (4 * (nk + 7) words); key words big-endian. */
function expandInto(key: ArrayLike<number>, nk: number, w: Uint32Array): void {
  const total = 4 * (nk + 7);
  for (let i = 0; i < nk; i++) w[i] = key[i] >>> 0;
  for (let i = nk; i < total; i++) {
    let t = w[i - 1];
    if (i % nk === 0) t = (rotSub(t) ^ (RCON[i / nk] << 24)) >>> 0;
    else if (nk > 6 && i % nk === 4) t = subWord(t);
    w[i] = (w[i - nk] ^ t) >>> 0;
  }
}

/** FIPS-197 key expansion; key words big-endian. */
export function expandKey(key: Uint32Array | number[]): Uint32Array {
  const w = new Uint32Array(4 * (key.length + 7));
  expandInto(key, key.length, w);
  return w;
}

/** The equivalent-inverse-cipher schedule of the `total` words of `enc`, into `d`. */
function decryptInto(enc: Uint32Array, total: number, d: Uint32Array): void {
  const nr = total / 4 - 1;
  for (let r = 0; r <= nr; r++) {
    for (let c = 0; c < 4; c++) {
      const v = enc[4 * (nr - r) + c];
      d[4 * r + c] = r === 0 || r === nr ? v : invMixColumn(v);
    }
  }
}

/** The equivalent-inverse-cipher schedule: rounds reversed, InvMixColumns on the middle rounds. */
export function decryptSchedule(enc: Uint32Array): Uint32Array {
  const d = new Uint32Array(enc.length);
  decryptInto(enc, enc.length, d);
  return d;
}

// ---- scanning ---------------------------------------------------------------------------------
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
function bswap(x: number): number {
  return (((x & 255) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** Most flipped bits a whole schedule may carry and still count (memory decay, as aeskeyfind). */
const MAX_BIT_ERRORS = 24;

interface ScheduleFound {
  /** Byte offsets in the scanned buffer. */
  start: number;
  end: number;
  bits: 128 | 192 | 256;
  decrypt: boolean;
  /** Native-u32 (OpenSSL C / Java) word order rather than standard byte order. */
  swapped: boolean;
  /** The cipher key, standard byte order. */
  key: Buffer;
  bitErrors: number;
}

const ALLOW = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

function isAllowlistedKey(key: Buffer): boolean {
  if (key.equals(ALLOW.subarray(0, key.length))) return true;
  for (let i = 1; i < key.length; i++) if (key[i] !== key[0]) return false;
  return true; // a key of one repeated byte is a fill pattern
}

/** Reads word j of a phase view as a schedule word. */
type View = Int32Array;

/** Word i of a phase view as a schedule word: big-endian in standard byte order, as stored when swapped. */
function rd(v: View, i: number, swap: boolean): number {
  return swap ? v[i] >>> 0 : bswap(v[i]);
}

function errorsAgainst(v: View, s: number, expected: Uint32Array, count: number, swap: boolean, limit: number): number {
  let err = 0;
  for (let i = 0; i < count; i++) {
    err += popcount((rd(v, s + i, swap) ^ expected[i]) >>> 0);
    if (err > limit) return err;
  }
  return err;
}

function keyBytes(words: Uint32Array, nk: number): Buffer {
  const b = Buffer.allocUnsafe(nk * 4);
  for (let i = 0; i < nk; i++) b.writeUInt32BE(words[i] >>> 0, i * 4);
  return b;
}

// Scratch of the schedule checks (one thread, never re-entered): a candidate allocates nothing
// until it is a schedule.
const KEY = new Uint32Array(8);
const EXPANDED = new Uint32Array(60);
const INVERSE = new Uint32Array(60);

/** Tries an encryption schedule of nk key words starting at word s: its bit errors, key in KEY; -1 if none. */
function tryEnc(v: View, s: number, nk: number, swap: boolean): number {
  const total = 4 * (nk + 7);
  if (s < 0 || s + total > v.length) return -1;
  let nonzero = 0;
  for (let i = 0; i < nk; i++) nonzero |= v[s + i];
  if (!nonzero) return -1;
  // first expansion word, tolerant to a couple of flips
  const w = (rd(v, s, swap) ^ rotSub(rd(v, s + nk - 1, swap)) ^ (RCON[1] << 24)) >>> 0;
  if (popcount((w ^ rd(v, s + nk, swap)) >>> 0) > 4) return -1;
  for (let i = 0; i < nk; i++) KEY[i] = rd(v, s + i, swap);
  expandInto(KEY, nk, EXPANDED);
  const errors = errorsAgainst(v, s, EXPANDED, total, swap, MAX_BIT_ERRORS);
  return errors <= MAX_BIT_ERRORS ? errors : -1;
}

/** Word distance back from the last round key to the one holding the first expansion word, per nk. */
const FIRST_EXPANDED_BACK = [0, 0, 0, 0, 4, 0, 2, 0, 8];

/** Tries a decryption schedule of nk key words starting at word s: its bit errors, key in KEY; -1 if none. */
function tryDec(v: View, s: number, nk: number, swap: boolean): number {
  const total = 4 * (nk + 7);
  if (s < 0 || s + total > v.length) return -1;
  const last = s + total - 4;
  for (let i = 0; i < 4; i++) KEY[i] = rd(v, last + i, swap);
  if (!(KEY[0] | KEY[1] | KEY[2] | KEY[3])) return -1;
  // key words 4.. come from the previous round keys, un-InvMixColumn-ed
  for (let i = 4; i < nk; i++) KEY[i] = mixColumn(rd(v, last - 4 + (i - 4), swap));
  const w = (KEY[0] ^ rotSub(KEY[nk - 1]) ^ (RCON[1] << 24)) >>> 0;
  if (popcount((w ^ mixColumn(rd(v, last - FIRST_EXPANDED_BACK[nk], swap))) >>> 0) > 4) return -1;
  expandInto(KEY, nk, EXPANDED);
  decryptInto(EXPANDED, total, INVERSE);
  const errors = errorsAgainst(v, s, INVERSE, total, swap, MAX_BIT_ERRORS);
  return errors <= MAX_BIT_ERRORS ? errors : -1;
}

interface Scan {
  nk: number;
  decrypt: boolean;
  /** Word distance of the XOR partner: w[k] = w[k - nk] ^ w[k - 1] (enc) or dec[u] = dec[u + d] ^ dec[u - 1]. */
  back: number;
  fwd: number;
  stride: number;
  /** Distance at which the relation holds again (confirmation before the start search). */
  period: number;
}

// XOR relations hold byte-wise, so they do not care about the word byte order.
// Stride 7 visits every residue of the relation's period (4, 6 or 8 words) within a schedule,
// and each schedule holds 30+ words where the relation is true, so it is hit several times.
const SCANS: Scan[] = [
  { nk: 4, decrypt: false, back: 4, fwd: 0, stride: 7, period: 4 },
  { nk: 6, decrypt: false, back: 6, fwd: 0, stride: 7, period: 6 },
  { nk: 8, decrypt: false, back: 8, fwd: 0, stride: 7, period: 8 },
  { nk: 4, decrypt: true, back: 0, fwd: 4, stride: 7, period: 4 },
  // AES-192 decryption: dec[u] = dec[u+2] ^ dec[u-1] holds on 5 of every 12 words
  { nk: 6, decrypt: true, back: 0, fwd: 2, stride: 7, period: 12 },
  { nk: 8, decrypt: true, back: 0, fwd: 8, stride: 7, period: 8 },
];

/** The schedule tried at word s, or null (a schedule of an allowlisted key counts as none). */
function tryAt(v: View, s: number, sc: Scan, swap: boolean, base: number): ScheduleFound | null {
  const errors = sc.decrypt ? tryDec(v, s, sc.nk, swap) : tryEnc(v, s, sc.nk, swap);
  if (errors < 0) return null;
  const key = keyBytes(KEY, sc.nk);
  if (isAllowlistedKey(key)) return null;
  const total = 4 * (sc.nk + 7);
  return { start: base + 4 * s, end: base + 4 * (s + total), bits: (sc.nk * 32) as 128 | 192 | 256, decrypt: sc.decrypt, swapped: swap, key, bitErrors: errors };
}

/** Full check around a relation hit at word j: confirm, then find the schedule's start. */
function locate(v: View, j: number, sc: Scan, base: number): ScheduleFound | null {
  const n = v.length;
  const d = sc.back || sc.fwd;
  const off = sc.back ? -d : d;
  // confirm with the same column one key-length away before searching for the start
  const j2 = j + sc.period;
  const ok2 = j2 + d < n && (v[j2] ^ v[j2 - 1] ^ v[j2 + off]) === 0;
  const j3 = j - sc.period;
  const ok3 = j3 - d >= 1 && (v[j3] ^ v[j3 - 1] ^ v[j3 + off]) === 0;
  if (!ok2 && !ok3) return null;
  const total = 4 * (sc.nk + 7);
  for (let s = Math.max(0, j - total + 1); s <= j - 1; s++) {
    const hit = tryAt(v, s, sc, false, base) ?? tryAt(v, s, sc, true, base);
    if (hit !== null) return hit;
  }
  return null;
}

/** Relation partner offset per scan: w[j] ^ w[j-1] ^ w[j + OFF[i]] == 0 (negative: enc, positive: dec). */
const OFF = SCANS.map((sc) => (sc.back ? -sc.back : sc.fwd));
const STRIDE = 7;
if (SCANS.some((sc) => sc.stride !== STRIDE)) throw new Error('aes: the fused relation pass needs one stride');
/** Candidate positions per scan, reused across calls (the fused pass fills them). */
const CANDS: number[][] = SCANS.map(() => []);
/** Last relation position per scan in the current phase, reused. */
const HIS = new Int32Array(SCANS.length);

/**
 * One phase of a block: how many words, where the WebAssembly pass has them (byte offset of word 0
 * in the uploaded block; -1 without it), and the words themselves, copied into an aligned buffer
 * on first use. One instance, reset per phase: a stable shape and no closure per phase.
 */
class PhaseWords {
  n = 0;
  at = -1;
  private from = 0;
  // fields start with values of the types they keep (chunks are Buffers): the map never changes
  private bytes: Uint8Array = Buffer.alloc(0);
  private v = new Int32Array(0);
  private copied = false;

  reset(bytes: Uint8Array, from: number, n: number, at: number): void {
    this.bytes = bytes;
    this.from = from;
    this.n = n;
    this.at = at;
    this.copied = false;
  }

  view(): View {
    if (!this.copied) {
      SCRATCH.set(this.bytes.subarray(this.from, this.from + this.n * 4));
      this.v = new Int32Array(SCRATCH.buffer, 0, this.n);
      this.copied = true;
    }
    return this.v;
  }
}

/**
 * Scans relation positions j in [from, to) of one phase view; the view extends ±MARGIN words around.
 * `skips` lists [start, end) ranges of j that read only uniform bytes: never a candidate there.
 */
function scanRange(words: PhaseWords, from: number, to: number, base: number, skips: number[], out: ScheduleFound[]): void {
  const n = words.n;
  let end = to;
  for (let i = 0; i < SCANS.length; i++) {
    const sc = SCANS[i];
    const hi = Math.min(to, n - sc.fwd - (sc.back || sc.fwd)) | 0;
    HIS[i] = hi;
    if (hi < end) end = hi;
  }
  // scans start at max(from, back, 1): only from >= 8 gives all six the same grid
  if (from < 8) {
    const v = words.view();
    for (let i = 0; i < SCANS.length; i++) scanOne(v, SCANS[i], Math.max(from, SCANS[i].back, 1) | 0, HIS[i], base, skips, out);
    return;
  }
  const grid = (from + Math.ceil((end - from) / STRIDE) * STRIDE) | 0;
  if (words.at < 0 || !fusedKernel(words.at, from | 0, end, skips, CANDS)) fusedCandidates(words.view(), from | 0, end, skips);
  for (let i = 0; i < SCANS.length; i++) replay(words, i, from, grid, base, skips, out);
}

/** Scan i's candidates in its own order (a hit moves its j off the shared grid), then its positions past the grid. */
function replay(words: PhaseWords, i: number, from: number, grid: number, base: number, skips: number[], out: ScheduleFound[]): void {
  const sc = SCANS[i];
  const cands = CANDS[i];
  let j = from;
  let onGrid = true;
  for (let q = 0; q < cands.length; q++) {
    const c = cands[q];
    if (c < j) continue;
    const hit = locate(words.view(), c, sc, base);
    if (hit !== null) {
      out.push(hit);
      j = Math.max(c + STRIDE, (hit.end - base) / 4);
      if ((j - from) % STRIDE !== 0) {
        onGrid = false;
        break;
      }
    } else j = c + STRIDE;
  }
  // the grid's last position is at or past every scan's end unless the view ends first
  const rest = (onGrid ? Math.max(j, grid) : j) | 0;
  if (rest < HIS[i]) scanOne(words.view(), sc, rest, HIS[i], base, skips, out);
}

/**
 * One load of w[j], w[j-1] per grid position j = from, from + 7, ... < end for all six relations:
 * fills `cands`, one ascending list per scan (the reference of the WebAssembly pass in aes-kernel.ts).
 */
export function fusedCandidates(v: View, from: number, end: number, skips: number[], cands: number[][] = CANDS): void {
  for (const c of cands) c.length = 0;
  const [c0, c1, c2, c3, c4, c5] = cands;
  const [o0, o1, o2, o3, o4, o5] = OFF;
  let j = from;
  let r = 0;
  while (j < end) {
    while (r < skips.length && skips[r + 1] <= j) r += 2;
    if (r < skips.length && j >= skips[r]) {
      j = (j + Math.ceil((skips[r + 1] - j) / STRIDE) * STRIDE) | 0;
      continue;
    }
    const stop = r < skips.length ? Math.min(end, skips[r]) : end;
    for (; j < stop; j += STRIDE) {
      const a = v[j];
      const b = v[j - 1];
      if ((a | b) === 0) continue;
      const x = a ^ b;
      if (x === v[j + o0]) c0.push(j);
      if (x === v[j + o1]) c1.push(j);
      if (x === v[j + o2]) c2.push(j);
      if (x === v[j + o3]) c3.push(j);
      if (x === v[j + o4]) c4.push(j);
      if (x === v[j + o5]) c5.push(j);
    }
  }
}

/** One scan's relation positions from j (on its stride) to hi. */
function scanOne(v: View, sc: Scan, j: number, hi: number, base: number, skips: number[], out: ScheduleFound[]): void {
  const d = sc.back || sc.fwd;
  const off = sc.back ? -d : d;
  const stride = sc.stride;
  let r = 0;
  while (j < hi) {
    while (r < skips.length && skips[r + 1] <= j) r += 2;
    // inside a uniform range: step over it on the same stride, so the positions tried stay the same
    if (r < skips.length && j >= skips[r]) {
      j = (j + Math.ceil((skips[r + 1] - j) / stride) * stride) | 0;
      continue;
    }
    const stop = r < skips.length ? Math.min(hi, skips[r]) : hi;
    j = nextCandidate(v, j, stop, off, stride);
    if (j >= stop) continue;
    const hit = locate(v, j, sc, base);
    if (hit) {
      out.push(hit);
      j = Math.max(j + stride, (hit.end - base) / 4);
    } else j += stride;
  }
}

/** Hot loop: the next word j (stepping by `stride`) where w[j] ^ w[j-1] ^ w[j+off] == 0 on non-zero data; the first j >= hi if none. */
function nextCandidate(v: View, j: number, hi: number, off: number, stride: number): number {
  while (j < hi) {
    const a = v[j];
    const b = v[j - 1];
    if ((a ^ b ^ v[j + off]) === 0 && (a | b) !== 0) return j;
    j += stride;
  }
  return j;
}

/** Bytes kept clear of a uniform page's edges: the relation reads words up to 8 away from j. */
const EDGE = 40;

/** Fills `out` with the byte ranges [start, end) in [lo, hi) where every relation read stays inside a uniform page. */
function uniformRanges(bytes: Uint8Array, lo: number, hi: number, out: number[]): void {
  out.length = 0;
  for (let p = Math.ceil(lo / PAGE) * PAGE; p + PAGE <= hi; p += PAGE) {
    // pages are not merged: across two fills (zero, then 0xff) the relation can hold
    if (uniformPage(bytes, p, hi)) out.push(p + EDGE, p + PAGE - EDGE);
  }
}

const BLOCK = 1 << 16;
const MARGIN = 256;
/** The aligned copy of one phase's words (one thread: shared by every call). */
const SCRATCH = new Uint8Array(BLOCK + 2 * MARGIN + 4);
const PHASE = new PhaseWords();
const RANGES: number[] = [];
const SKIPS: number[] = [];
/** Every call's hits, one list (whose elements kind is objects from the start: no deopt at its first hit). */
const FOUND = objectList<ScheduleFound>();

/** The relation positions of block [bs, bs + BLOCK), at all four byte phases. */
function scanBlock(bytes: Uint8Array, bs: number, out: ScheduleFound[]): void {
  const lo = Math.max(0, bs - MARGIN);
  const hi = Math.min(bytes.length, bs + BLOCK + MARGIN);
  uniformRanges(bytes, lo, hi, RANGES);
  // the WebAssembly pass reads the block at all four phases from one copy
  const uploaded = uploadBlock(bytes, lo, hi);
  for (let phase = 0; phase < 4; phase++) {
    const from = lo + phase;
    const nw = (hi - from) >> 2;
    if (nw < 44) continue;
    // relation positions owned by this block: byte offsets [bs, bs + BLOCK); ceil(x / 4) as
    // floor((x + 3) / 4) in integers (no -0 or double in the arrays: their shape stays one)
    const j0 = Math.max(0, (bs - from + 3) >> 2);
    const j1 = (bs + BLOCK - from + 3) >> 2;
    // j reads bytes from + 4j - 32 .. from + 4j + 36: inside [a, b) for from + 4j in [a + 40, b - 40)
    SKIPS.length = 0;
    for (let r = 0; r < RANGES.length; r++) SKIPS.push((RANGES[r] - from + 3) >> 2);
    PHASE.reset(bytes, from, nw, uploaded ? from - lo : -1);
    scanRange(PHASE, j0, j1, from, SKIPS, out);
  }
}

/**
 * All AES schedules in `bytes`, at every byte alignment. Works block by block so that the five
 * relation scans of the four alignments read a block from memory once, not twenty times.
 */
export function findSchedules(bytes: Uint8Array): ScheduleFound[] {
  if (bytes.length < 176) return [];
  FOUND.length = 0;
  for (let bs = 0; bs < bytes.length; bs += BLOCK) scanBlock(bytes, bs, FOUND);
  const out = FOUND.slice();
  FOUND.length = 0;
  // a schedule can be reached from two blocks' relation positions
  const seen = new Set<string>();
  return out
    .filter((f) => {
      const k = `${f.start}:${f.bits}:${f.decrypt}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((x, y) => x.start - y.start);
}

export const aesDetector: Detector = {
  id: 'aes-schedule',
  name: 'AES key schedules',
  description: 'Expanded AES-128/192/256 encryption and decryption schedules, standard and native-u32 (Java/OpenSSL C) word order, tolerating flipped bits; the raw key elsewhere too',
  kind: 'binary',
  maxSpan: 4 * 60,
  detect(bytes: Buffer): Detection {
    const hits: Hit[] = [];
    const keys = new Map<string, Buffer>();
    for (const f of findSchedules(bytes)) {
      const kind = `AES-${f.bits} ${f.decrypt ? 'decryption' : 'encryption'} key schedule (${f.swapped ? 'native u32 words' : 'standard byte order'}${f.bitErrors ? `, ${f.bitErrors} flipped bits` : ''})`;
      hits.push({ start: f.start, end: f.end, ruleId: 'aes-schedule', encoding: 'binary', secret: f.key, note: kind });
      keys.set(f.key.toString('hex'), f.key);
    }
    // the pipeline's second pass then finds copies of the key in every other chunk too
    const learned: LearnedValue[] = [...keys.values()].map((key) => ({ kind: 'aes-key', label: `AES-${key.length * 8} key sha256:${fp(key)}`, key }));
    // the raw key wherever else it lies (a cipher context keeps a copy, so do key buffers)
    for (const key of keys.values()) {
      const swapped = Buffer.from(key);
      swapped.swap32();
      const needles = [{ bytes: key, encoding: 'binary' as const, form: 'raw' }];
      if (!swapped.equals(key)) needles.push({ bytes: swapped, encoding: 'binary' as const, form: 'native u32 words' });
      hits.push(...findNeedles(bytes, needles, 'aes-key', key, `AES-${key.length * 8} key`, gramSampler));
    }
    return { hits, learned };
  },
};

// Keyword prefilter: one pass over a buffer finds every occurrence of every (case-insensitive)
// keyword, so rule regexes only run near their keywords and adding rules does not add passes.
// A byte pair table and a small hashed set of 3-byte prefixes, read eight bytes per step, rule out
// most positions; the rest are looked up in an exact table of prefixes, so the cost does not grow
// with the number of keywords. Uniform pages (zero fill) are stepped over whole.
import { PAGE, uniformPage } from '../views/uniform.js';
import { LITTLE_ENDIAN } from '../views/bytes.js';
import { prefilterFind, type PrefilterTables } from './prefilter-kernel.js';
import { KERNEL_MIN, PREFIX_SLOTS } from './text-kernel.js';

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;

/** A lower-case keyword byte and its upper-case twin. */
function cases(c: number): number[] {
  return c >= 97 && c <= 122 ? [c, c - 32] : [c];
}

const NO_WORDS = new Int32Array(0);
// the prefix table has PREFIX_SLOTS slots: at most half full, so a probe ends after a step or two
const prefixSlot = (h: number) => Math.imul(h, 0x9e3779b1) >>> 20;

interface KeywordHits {
  /** Keyword id per occurrence, parallel to `pos`. */
  kw: number[];
  /** Byte offset of each occurrence (ascending). */
  pos: number[];
}

export class KeywordIndex {
  readonly keywords: string[];
  private readonly bytes: Uint8Array[];
  /** Per raw byte pair (first byte low, every case variant): 1 if it opens a keyword, 2 if it is a keyword's 2nd+3rd byte. */
  private readonly pair = new Uint8Array(65536);
  /** 2^18-bit hashed set of keyword first-3-byte words (bytes OR 0x20): small enough to stay in cache. */
  private readonly folded = new Int32Array(1 << 13);
  /** Open-addressed table of lower-cased first-3-byte prefixes (-1: empty slot) and where their keyword ids lie in `ids`. */
  private readonly slotKey = new Int32Array(PREFIX_SLOTS).fill(-1);
  private readonly slotFirst = new Int32Array(PREFIX_SLOTS);
  private readonly slotCount = new Int32Array(PREFIX_SLOTS);
  private readonly ids: Int32Array;
  /** Longest keyword: one starting that far before a uniform page's end lies wholly inside it. */
  private readonly maxLen: number;
  /** Byte values a keyword is made of alone (case-folded): their uniform pages are not skipped. */
  private readonly uniformKeyword = new Uint8Array(256);
  /** The same tables laid out for the WebAssembly loop, made on its first use. */
  private tables?: PrefilterTables;

  constructor(keywords: string[]) {
    this.keywords = [...new Set(keywords.map((k) => k.toLowerCase()))];
    this.bytes = this.keywords.map((k) => Buffer.from(k, 'latin1'));
    this.bytes.forEach((b, id) => {
      if (b.length < 3) throw new Error(`keyword shorter than 3 bytes: ${this.keywords[id]}`);
      for (const x of cases(b[0])) for (const y of cases(b[1])) this.pair[x | (y << 8)] |= 1;
      for (const x of cases(b[1])) for (const y of cases(b[2])) this.pair[x | (y << 8)] |= 2;
      const f = Math.imul(b[0] | 0x20 | ((b[1] | 0x20) << 8) | ((b[2] | 0x20) << 16), 0x9e3779b1) >>> 14;
      this.folded[f >>> 5] |= 1 << (f & 31);
      if (b.every((c) => c === b[0])) for (const x of cases(b[0])) this.uniformKeyword[x] = 1;
    });
    this.maxLen = Math.max(3, ...this.bytes.map((b) => b.length));
    const buckets = new Map<number, number[]>();
    this.bytes.forEach((b, id) => {
      const h = (b[0] << 16) | (b[1] << 8) | b[2];
      buckets.set(h, [...(buckets.get(h) ?? []), id]);
    });
    if (buckets.size > PREFIX_SLOTS / 2) throw new Error(`more than ${PREFIX_SLOTS / 2} keyword prefixes`);
    this.ids = Int32Array.from([...buckets.values()].flat());
    let first = 0;
    for (const [h, list] of buckets) {
      let slot = prefixSlot(h);
      while (this.slotKey[slot] !== -1) slot = (slot + 1) & (PREFIX_SLOTS - 1);
      this.slotKey[slot] = h;
      this.slotFirst[slot] = first;
      this.slotCount[slot] = list.length;
      first += list.length;
    }
  }

  id(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }

  /**
   * All keyword occurrences in buf[0, end). The loop takes 8 bytes (two word loads) per step and
   * covers the 8 starts [i-1, i+7): the four even byte pairs are looked up first (every keyword's
   * 1st+2nd or 2nd+3rd byte is an even pair), most binary memory fails all four; then the eight
   * 3-byte windows, case-folded by OR 0x20, are tested against a small hashed set. Only starts that
   * pass both are checked exactly.
   */
  scan(buf: Uint8Array, end = buf.length, kernel = true): KeywordHits {
    const kw: number[] = [];
    const pos: number[] = [];
    const off = (4 - (buf.byteOffset & 3)) & 3;
    const n = end > off ? (end - off) >> 2 : 0;
    // big-endian hosts get no words: every start is then tried one by one
    const words = n >= 5 && LITTLE_ENDIAN ? new Int32Array(buf.buffer, buf.byteOffset + off, n) : NO_WORDS;
    // steps need a word on each side; the starts outside [lo - 1, hi - 1) are tried one by one
    let lo = off + 8;
    let hi = off + 4 * (((words.length - 3) & ~1) + 2);
    if (words.length === 0) lo = hi = 0;
    for (let k = 0; k < lo - 1; k++) this.tryAt(buf, end, k, kw, pos);
    // a uniform page's steps whose starts keep a whole keyword inside it are skipped (steps meet page
    // starts when the buffer is 8-aligned, as chunk buffers are)
    const skip = (PAGE - this.maxLen) & ~7;
    const ran = kernel && hi - lo >= KERNEL_MIN && prefilterFind((this.tables ??= this.kernelTables()), buf, end, lo, hi, skip, kw, pos);
    if (!ran) this.steps(buf, end, off, words, lo, hi, skip, (start) => this.tryAt(buf, end, start, kw, pos));
    for (let k = Math.max(0, hi - 1); k + 2 < end; k++) this.tryAt(buf, end, k, kw, pos);
    return { kw, pos };
  }

  /**
   * The steps i = lo, lo + 8, ... < hi (the reference of the WebAssembly loop): each passes the starts
   * [i - 1, i + 7) that may open a keyword to `at`, ascending. A uniform page's steps whose starts
   * keep a whole keyword inside it are skipped (steps meet page starts when the buffer is 8-aligned,
   * as chunk buffers are).
   */
  private steps(buf: Uint8Array, end: number, off: number, words: Int32Array, lo: number, hi: number, skip: number, at: (start: number) => void): void {
    const pair = this.pair;
    for (let i = lo; i < hi; i += 8) {
      if ((i & (PAGE - 1)) === 0 && uniformPage(buf, i, end) && this.uniformKeyword[buf[i]] === 0) {
        // the start just before the page is otherwise seen only from the page's first step
        at(i - 1);
        i += skip - 8;
        continue;
      }
      const j = (i - off) >> 2;
      const x0 = words[j];
      const y0 = words[j + 1];
      if ((pair[x0 & 0xffff] | pair[x0 >>> 16] | pair[y0 & 0xffff] | pair[y0 >>> 16]) === 0) continue;
      const p = words[j - 1] | 0x20202020;
      const x = x0 | 0x20202020;
      const y = y0 | 0x20202020;
      const z = words[j + 2] | 0x20202020;
      const m =
        this.maybe((p >>> 24) | ((x & 0xffff) << 8)) |
        (this.maybe(x & 0xffffff) << 1) |
        (this.maybe(x >>> 8) << 2) |
        (this.maybe((x >>> 16) | ((y & 0xff) << 16)) << 3) |
        (this.maybe((x >>> 24) | ((y & 0xffff) << 8)) << 4) |
        (this.maybe(y & 0xffffff) << 5) |
        (this.maybe(y >>> 8) << 6) |
        (this.maybe((y >>> 16) | ((z & 0xff) << 16)) << 7);
      if (m === 0) continue;
      // bit b of m stands for the start i - 1 + b; lowest set bit first keeps starts ascending
      for (let r = m; r !== 0; r &= r - 1) at(i + 30 - Math.clz32(r & -r));
    }
  }

  private kernelTables(): PrefilterTables {
    const kwOff = new Int32Array(this.bytes.length);
    const kwLen = new Int32Array(this.bytes.length);
    this.bytes.forEach((b, id) => {
      kwOff[id] = id > 0 ? kwOff[id - 1] + kwLen[id - 1] : 0;
      kwLen[id] = b.length;
    });
    const { pair, folded, uniformKeyword, slotKey, slotFirst, slotCount, ids } = this;
    return { pair, folded, uniformKeyword, slotKey, slotFirst, slotCount, ids, kwBytes: Buffer.concat(this.bytes), kwOff, kwLen, lower: LOWER, maxBucket: Math.max(...slotCount) };
  }

  /** 1 if some keyword may start with these 3 bytes (first byte low, each OR 0x20), else 0. */
  private maybe(w: number): number {
    const s = Math.imul(w, 0x9e3779b1) >>> 14;
    return (this.folded[s >>> 5] >>> (s & 31)) & 1;
  }

  /** Keywords at `start`, by their first three (lower-cased) bytes. */
  private tryAt(buf: Uint8Array, end: number, start: number, kw: number[], pos: number[]): void {
    if (start + 2 >= end) return;
    const h = (LOWER[buf[start]] << 16) | (LOWER[buf[start + 1]] << 8) | LOWER[buf[start + 2]];
    let slot = prefixSlot(h);
    for (;;) {
      const key = this.slotKey[slot];
      if (key === h) break;
      if (key === -1) return;
      slot = (slot + 1) & (PREFIX_SLOTS - 1);
    }
    const last = this.slotFirst[slot] + this.slotCount[slot];
    for (let j = this.slotFirst[slot]; j < last; j++) {
      const id = this.ids[j];
      const k = this.bytes[id];
      const n = k.length;
      if (start + n > end) continue;
      let x = 3;
      while (x < n && LOWER[buf[start + x]] === k[x]) x++;
      if (x === n) {
        kw.push(id);
        pos.push(start);
      }
    }
  }
}

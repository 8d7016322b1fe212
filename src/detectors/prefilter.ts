// Keyword prefilter: one pass over a buffer finds every occurrence of every (case-insensitive)
// keyword, so rule regexes only run near their keywords and adding rules does not add passes.
// A lower-cased byte pair table lets the scan step two bytes at a time (two pairs per 32-bit word
// load); 3-byte prefixes are then tested against a 2^24-bit set, so the cost does not grow with
// the number of keywords. Uniform pages (zero fill) are stepped over whole.
import { PAGE, uniformPage } from '../views/uniform.js';

/** Word loads give the pair (first byte low) only on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;

/** A lower-case keyword byte and its upper-case twin. */
function cases(c: number): number[] {
  return c >= 97 && c <= 122 ? [c, c - 32] : [c];
}

export interface KeywordHits {
  /** Keyword id per occurrence, parallel to `pos`. */
  kw: number[];
  /** Byte offset of each occurrence (ascending). */
  pos: number[];
}

export class KeywordIndex {
  readonly keywords: string[];
  private readonly bytes: Uint8Array[];
  private readonly bits = new Int32Array(1 << 19);
  /** Per raw byte pair (first byte low, every case variant): 1 if it opens a keyword, 2 if it is a keyword's 2nd+3rd byte. */
  private readonly pair = new Uint8Array(65536);
  private readonly buckets = new Map<number, number[]>();
  /** Longest keyword: one starting that far before a uniform page's end lies wholly inside it. */
  private readonly maxLen: number;
  /** Byte values a keyword is made of alone (case-folded): their uniform pages are not skipped. */
  private readonly uniformKeyword = new Uint8Array(256);

  constructor(keywords: string[]) {
    this.keywords = [...new Set(keywords.map((k) => k.toLowerCase()))];
    this.bytes = this.keywords.map((k) => Buffer.from(k, 'latin1'));
    this.bytes.forEach((b, id) => {
      if (b.length < 3) throw new Error(`keyword shorter than 3 bytes: ${this.keywords[id]}`);
      const h = (b[0] << 16) | (b[1] << 8) | b[2];
      this.bits[h >>> 5] |= 1 << (h & 31);
      for (const x of cases(b[0])) for (const y of cases(b[1])) this.pair[x | (y << 8)] |= 1;
      for (const x of cases(b[1])) for (const y of cases(b[2])) this.pair[x | (y << 8)] |= 2;
      const list = this.buckets.get(h);
      if (list) list.push(id);
      else this.buckets.set(h, [id]);
      if (b.every((c) => c === b[0])) for (const x of cases(b[0])) this.uniformKeyword[x] = 1;
    });
    this.maxLen = Math.max(3, ...this.bytes.map((b) => b.length));
  }

  id(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }

  /**
   * All keyword occurrences in buf[0, end). Every pair at an even offset p is either a keyword's
   * 2nd+3rd byte (a keyword may start at p - 1) or its 1st+2nd (may start at p); pairs that are
   * neither, most of binary memory, rule out both starts with one table lookup.
   */
  scan(buf: Uint8Array, end = buf.length): KeywordHits {
    const kw: number[] = [];
    const pos: number[] = [];
    let from = 0;
    if (LITTLE_ENDIAN && buf.byteOffset % 4 === 0 && end >= 4) {
      from = this.scanWords(buf, end, kw, pos);
    }
    const pair = this.pair;
    // bytes a word load does not cover (unaligned buffers, the tail): pair by pair
    for (let i = from; i + 2 < end; i += 2) {
      const f = pair[buf[i + 1] | (buf[i + 2] << 8)];
      if (f === 0) continue;
      if (f & 2) this.tryAt(buf, end, i, kw, pos);
      if (f & 1) this.tryAt(buf, end, i + 1, kw, pos);
    }
    return { kw, pos };
  }

  /** Word-at-a-time part of scan(): starts up to 4 * words - 2; returns where the pair loop goes on. */
  private scanWords(buf: Uint8Array, end: number, kw: number[], pos: number[]): number {
    const words = new Uint32Array(buf.buffer, buf.byteOffset, end >>> 2);
    const n = words.length;
    const pair = this.pair;
    // words of a uniform page whose starts keep a whole keyword inside the page
    const skip = (PAGE - this.maxLen + 2) >> 2;
    for (let k = 0; k < n; k++) {
      if ((k & ((PAGE >> 2) - 1)) === 0 && uniformPage(buf, 4 * k, end) && this.uniformKeyword[buf[4 * k]] === 0) {
        if (k > 0) this.tryAt(buf, end, 4 * k - 1, kw, pos); // the start before the page is not skipped
        k += skip - 1;
        continue;
      }
      const x = words[k];
      const lo = pair[x & 0xffff];
      const hi = pair[x >>> 16];
      if ((lo | hi) === 0) continue;
      const p = 4 * k;
      if (lo & 2 && p > 0) this.tryAt(buf, end, p - 1, kw, pos);
      if (lo & 1) this.tryAt(buf, end, p, kw, pos);
      if (hi & 2) this.tryAt(buf, end, p + 1, kw, pos);
      if (hi & 1) this.tryAt(buf, end, p + 2, kw, pos);
    }
    // the pair loop's step i covers starts i and i + 1: resume at the first start not covered
    return 4 * n - 1;
  }

  /** Keywords at `start`, by their first three (lower-cased) bytes. */
  private tryAt(buf: Uint8Array, end: number, start: number, kw: number[], pos: number[]): void {
    if (start + 2 >= end) return;
    this.at(buf, end, start, (LOWER[buf[start]] << 16) | (LOWER[buf[start + 1]] << 8) | LOWER[buf[start + 2]], kw, pos);
  }

  /** Verify the keywords whose first three bytes are h at `start`. */
  private at(buf: Uint8Array, end: number, start: number, h: number, kw: number[], pos: number[]): void {
    if ((this.bits[h >>> 5] & (1 << (h & 31))) === 0) return;
    const bucket = this.buckets.get(h)!;
    for (let j = 0; j < bucket.length; j++) {
      const k = this.bytes[bucket[j]];
      const n = k.length;
      if (start + n > end) continue;
      let x = 3;
      while (x < n && LOWER[buf[start + x]] === k[x]) x++;
      if (x === n) {
        kw.push(bucket[j]);
        pos.push(start);
      }
    }
  }
}

// Keyword prefilter: one pass over a buffer finds every occurrence of every (case-insensitive)
// keyword, so rule regexes only run near their keywords and adding rules does not add passes.
// A lower-cased byte pair table lets the scan step two bytes at a time; 3-byte prefixes are then tested against a 2^24-bit set, so the cost does not grow with
// the number of keywords. Uniform pages (zero fill) are stepped over whole.
import { PAGE, uniformPage } from '../views/uniform.js';

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
   * All keyword occurrences in buf[0, end). Step i looks at the pair at i+1..i+2: it is either a
   * keyword's 2nd+3rd byte (a keyword may start at i) or its 1st+2nd (may start at i+1); pairs that
   * are neither, most of binary memory, rule out both starts with one table lookup.
   */
  scan(buf: Uint8Array, end = buf.length): KeywordHits {
    const kw: number[] = [];
    const pos: number[] = [];
    const pair = this.pair;
    // a uniform page's steps whose starts keep a whole keyword inside it are skipped
    const skip = (PAGE - this.maxLen) & ~1;
    for (let page = 0; page + 2 < end; page += PAGE) {
      let i = page;
      if (uniformPage(buf, page, end) && this.uniformKeyword[buf[page]] === 0) i += skip;
      const stop = Math.min(end - 2, page + PAGE);
      for (; i < stop; i += 2) {
        const f = pair[buf[i + 1] | (buf[i + 2] << 8)];
        if (f === 0) continue;
        if (f & 2) this.tryAt(buf, end, i, kw, pos);
        if (f & 1) this.tryAt(buf, end, i + 1, kw, pos);
      }
    }
    return { kw, pos };
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

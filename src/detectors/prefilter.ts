// Keyword prefilter: one pass over a buffer finds every occurrence of every (case-insensitive)
// keyword, so rule regexes only run near their keywords and adding rules does not add passes.
// A lower-cased byte pair table lets the scan step two bytes at a time; 3-byte prefixes are then
// tested against a 2^24-bit set, so the cost does not grow with the number of keywords.

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
  /** Per raw byte pair (every case variant): 1 if it opens a keyword, 2 if it is a keyword's 2nd+3rd byte. */
  private readonly pair = new Uint8Array(65536);
  private readonly buckets = new Map<number, number[]>();

  constructor(keywords: string[]) {
    this.keywords = [...new Set(keywords.map((k) => k.toLowerCase()))];
    this.bytes = this.keywords.map((k) => Buffer.from(k, 'latin1'));
    this.bytes.forEach((b, id) => {
      if (b.length < 3) throw new Error(`keyword shorter than 3 bytes: ${this.keywords[id]}`);
      const h = (b[0] << 16) | (b[1] << 8) | b[2];
      this.bits[h >>> 5] |= 1 << (h & 31);
      for (const x of cases(b[0])) for (const y of cases(b[1])) this.pair[(x << 8) | y] |= 1;
      for (const x of cases(b[1])) for (const y of cases(b[2])) this.pair[(x << 8) | y] |= 2;
      const list = this.buckets.get(h);
      if (list) list.push(id);
      else this.buckets.set(h, [id]);
    });
  }

  id(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }

  /**
   * All keyword occurrences in buf[0, end). Steps two bytes at a time: the pair at i+1..i+2 is
   * either a keyword's 2nd+3rd byte (a keyword may start at i) or its 1st+2nd (may start at i+1);
   * pairs that are neither, most of binary memory, skip both positions with one lookup.
   */
  scan(buf: Uint8Array, end = buf.length): KeywordHits {
    const kw: number[] = [];
    const pos: number[] = [];
    const pair = this.pair;
    for (let i = 0; i + 2 < end; i += 2) {
      // case folding lives in the table, so the common miss costs two byte loads
      const f = pair[(buf[i + 1] << 8) | buf[i + 2]];
      if (f === 0) continue;
      const b1 = LOWER[buf[i + 1]];
      const b2 = LOWER[buf[i + 2]];
      if (f & 2) this.at(buf, end, i, (LOWER[buf[i]] << 16) | (b1 << 8) | b2, kw, pos);
      if (f & 1 && i + 3 < end) this.at(buf, end, i + 1, (b1 << 16) | (b2 << 8) | LOWER[buf[i + 3]], kw, pos);
    }
    return { kw, pos };
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

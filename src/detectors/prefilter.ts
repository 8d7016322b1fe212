// Keyword prefilter: one pass over a buffer finds every occurrence of every (case-insensitive)
// keyword, so rule regexes only run near their keywords and adding rules does not add passes.
// A rolling lower-cased 3-byte prefix is tested against a 2^24-bit set; only set bits look
// further, so the cost per byte is two table loads whatever the number of keywords.

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;

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
  private readonly buckets = new Map<number, number[]>();

  constructor(keywords: string[]) {
    this.keywords = [...new Set(keywords.map((k) => k.toLowerCase()))];
    this.bytes = this.keywords.map((k) => Buffer.from(k, 'latin1'));
    this.bytes.forEach((b, id) => {
      if (b.length < 3) throw new Error(`keyword shorter than 3 bytes: ${this.keywords[id]}`);
      const h = (b[0] << 16) | (b[1] << 8) | b[2];
      this.bits[h >>> 5] |= 1 << (h & 31);
      const list = this.buckets.get(h);
      if (list) list.push(id);
      else this.buckets.set(h, [id]);
    });
  }

  id(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }

  /** All keyword occurrences in buf[0, end). */
  scan(buf: Uint8Array, end = buf.length): KeywordHits {
    const kw: number[] = [];
    const pos: number[] = [];
    const bits = this.bits;
    let h = 0;
    if (end >= 2) h = (LOWER[buf[0]] << 8) | LOWER[buf[1]];
    for (let i = 2; i < end; i++) {
      h = ((h << 8) | LOWER[buf[i]]) & 0xffffff;
      if ((bits[h >>> 5] & (1 << (h & 31))) === 0) continue;
      const start = i - 2;
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
    return { kw, pos };
  }
}

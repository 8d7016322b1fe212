// Keyword prefilter: one pass over a buffer finds every occurrence of every (case-insensitive)
// keyword, so rule regexes only run near their keywords and adding rules does not add passes.

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 65 && i <= 90 ? i + 32 : i;

export interface KeywordHits {
  /** Keyword id per occurrence, parallel to `pos`. */
  kw: number[];
  /** Byte offset of each occurrence. */
  pos: number[];
}

export class KeywordIndex {
  readonly keywords: string[];
  private readonly bytes: Uint8Array[];
  /** For each lower-cased leading byte pair: 1 + index into `buckets`, or 0. */
  private readonly head = new Int32Array(65536);
  private readonly buckets: number[][] = [];

  constructor(keywords: string[]) {
    this.keywords = [...new Set(keywords.map((k) => k.toLowerCase()))];
    this.bytes = this.keywords.map((k) => Buffer.from(k, 'latin1'));
    this.bytes.forEach((b, id) => {
      if (b.length < 2) throw new Error(`keyword too short: ${this.keywords[id]}`);
      const h = (b[0] << 8) | b[1];
      if (this.head[h] === 0) {
        this.buckets.push([]);
        this.head[h] = this.buckets.length;
      }
      this.buckets[this.head[h] - 1].push(id);
    });
  }

  id(keyword: string): number {
    return this.keywords.indexOf(keyword.toLowerCase());
  }

  /** All keyword occurrences in buf[0, end). */
  scan(buf: Uint8Array, end = buf.length): KeywordHits {
    const kw: number[] = [];
    const pos: number[] = [];
    const head = this.head;
    const last = end - 1;
    let prev = last > 0 ? LOWER[buf[0]] : 0;
    for (let i = 0; i < last; i++) {
      const next = LOWER[buf[i + 1]];
      const h = head[(prev << 8) | next];
      prev = next;
      if (h === 0) continue;
      const bucket = this.buckets[h - 1];
      for (let j = 0; j < bucket.length; j++) {
        const k = this.bytes[bucket[j]];
        const n = k.length;
        if (i + n > end) continue;
        let ok = true;
        for (let x = 2; x < n; x++) {
          if (LOWER[buf[i + x]] !== k[x]) {
            ok = false;
            break;
          }
        }
        if (ok) {
          kw.push(bucket[j]);
          pos.push(i);
        }
      }
    }
    return { kw, pos };
  }
}

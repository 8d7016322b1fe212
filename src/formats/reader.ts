// Bounds-checked, page-cached random access for format parsers. Never reads past `size`.
import type { ReadAt, Span } from '../types.js';
import { mergeSpans } from '../span.js';

/** Thrown (and caught inside formats/) when a structure runs past the end of the file. */
export class Truncated extends Error {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    super(`read of ${length} bytes at 0x${offset.toString(16)} runs past the end of the file`);
  }
}

/** The parsers read the file in pages of this size and keep the last MAX_CACHE_PAGES of them. */
const CACHE_PAGE = 64 * 1024;
const MAX_CACHE_PAGES = 64;

export class Bytes {
  private readonly pages = new Map<number, Buffer>();
  private cur: Buffer = Buffer.alloc(0);
  private curStart = 0;

  constructor(
    private readonly readAt: ReadAt,
    readonly size: number,
    readonly littleEndian = true,
  ) {}

  /** True when [offset, offset+length) lies inside the file. */
  has(offset: number, length: number): boolean {
    return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= this.size;
  }

  /** Bytes of [offset, offset+length); throws Truncated when out of range. */
  slice(offset: number, length: number): Buffer {
    if (!this.has(offset, length)) throw new Truncated(offset, length);
    const first = Math.floor(offset / CACHE_PAGE);
    const last = Math.floor((offset + Math.max(length, 1) - 1) / CACHE_PAGE);
    if (first === last) {
      const page = this.page(first);
      const at = offset - first * CACHE_PAGE;
      if (at + length > page.length) throw new Truncated(offset, length);
      return page.subarray(at, at + length);
    }
    const got = this.readAt(offset, length);
    if (got.length < length) throw new Truncated(offset, length);
    return got;
  }

  /** Local offset of [offset, offset+length) inside the current page, loading it when needed. */
  private at(offset: number, length: number): number {
    const local = offset - this.curStart;
    if (local >= 0 && local + length <= this.cur.length && offset >= 0) return local;
    const page = Math.floor(offset / CACHE_PAGE);
    if (offset >= 0 && this.has(offset, length) && Math.floor((offset + length - 1) / CACHE_PAGE) === page) {
      this.cur = this.page(page);
      this.curStart = page * CACHE_PAGE;
      if (offset - this.curStart + length <= this.cur.length) return offset - this.curStart;
    }
    this.cur = this.slice(offset, length);
    this.curStart = offset;
    return 0;
  }

  u8(offset: number): number {
    const i = this.at(offset, 1);
    return this.cur[i];
  }

  u16(offset: number): number {
    const i = this.at(offset, 2);
    return this.littleEndian ? this.cur.readUInt16LE(i) : this.cur.readUInt16BE(i);
  }

  u32(offset: number): number {
    const i = this.at(offset, 4);
    return this.littleEndian ? this.cur.readUInt32LE(i) : this.cur.readUInt32BE(i);
  }

  u64(offset: number): bigint {
    const i = this.at(offset, 8);
    return this.littleEndian ? this.cur.readBigUInt64LE(i) : this.cur.readBigUInt64BE(i);
  }

  /** A u64 as a number when it is a safe integer, else Infinity (so range checks fail). */
  u64n(offset: number): number {
    const v = this.u64(offset);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Infinity;
  }

  private page(index: number): Buffer {
    let p = this.pages.get(index);
    if (p) return p;
    const start = index * CACHE_PAGE;
    p = this.readAt(start, Math.min(CACHE_PAGE, this.size - start));
    if (this.pages.size >= MAX_CACHE_PAGES) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.pages.delete(oldest);
    }
    this.pages.set(index, p);
    return p;
  }
}

/** Collects structural spans; adjacent/overlapping additions in file order merge cheaply. */
export class SpanSet {
  private readonly spans: Span[] = [];

  add(start: number, end: number, size: number): void {
    const s = Math.max(0, start);
    const e = Math.min(size, end);
    if (!(e > s)) return;
    const last = this.spans[this.spans.length - 1];
    if (last && s >= last.start && s <= last.end) {
      if (e > last.end) last.end = e;
      return;
    }
    this.spans.push({ start: s, end: e });
  }

  get count(): number {
    return this.spans.length;
  }

  /** Sorted, merged, half-open spans. */
  result(): Span[] {
    return mergeSpans(this.spans);
  }
}

export const hex = (n: number | bigint): string => '0x' + n.toString(16);

/** Order of two bigints, for sorting. */
export const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Index of the last element whose key is <= v (xs sorted by key), or -1. */
export function lastAtOrBelow<T>(xs: T[], v: bigint, key: (x: T) => bigint): number {
  let lo = 0;
  let hi = xs.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) <= v) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

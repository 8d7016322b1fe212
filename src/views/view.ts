// A text view: one byte per character (latin1), with a map from view offsets back to buffer bytes.
import type { Encoding, Span } from '../types.js';

export interface TextView {
  encoding: Encoding;
  /** One byte per character; for the ascii view this IS the chunk (no copy). */
  buf: Buffer;
  /** Byte span in the original buffer of view characters [start, end). */
  toBytes(start: number, end: number): Span;
}

/** Wide text runs (UTF-16, UTF-32) narrowed to one byte per character. */
export interface NarrowRuns {
  /** Byte offset where each run's first character starts. */
  byteStart: number[];
  /** Offset of each run in the narrowed buffer. */
  viewStart: number[];
  /** Narrowed characters, runs separated by one 0x00 so no match crosses runs. */
  buf: Buffer;
}

/** Map view characters [start, end) of one run back to bytes (`unit` bytes per char). */
export function mapNarrowRun(r: NarrowRuns, start: number, end: number, unit: number): Span {
  let lo = 0;
  let hi = r.viewStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (r.viewStart[mid] <= start) lo = mid;
    else hi = mid - 1;
  }
  const b = r.byteStart[lo] + unit * (start - r.viewStart[lo]);
  return { start: b, end: b + unit * (end - start) };
}

/**
 * Every view is one class whatever its map back to bytes (identity, narrowed runs, decoded escapes),
 * so the scan loops calling toBytes see one shape and one target.
 */
class MappedView implements TextView {
  constructor(
    readonly encoding: Encoding,
    readonly buf: Buffer,
    /** Narrowed runs, `unit` bytes per character; null for the other maps. */
    private readonly runs: NarrowRuns | null,
    private readonly unit: number,
    /** Decoded views: the source bytes [from[i], to[i]) of each character; null for the other maps. */
    private readonly from: Int32Array | null,
    private readonly to: Int32Array | null,
  ) {}

  toBytes(start: number, end: number): Span {
    if (this.runs !== null) return mapNarrowRun(this.runs, start, end, this.unit);
    if (this.from !== null && this.to !== null) return { start: this.from[start], end: this.to[end - 1] };
    return { start, end };
  }
}

/** The chunk itself read as latin1: string index == byte offset. */
export function latin1View(bytes: Buffer): TextView {
  return new MappedView('ascii', bytes, null, 0, null, null);
}

/** Narrowed wide runs read as text, `unit` bytes per character. */
export function narrowView(encoding: Encoding, r: NarrowRuns, unit: number): TextView {
  return new MappedView(encoding, r.buf, r, unit, null, null);
}

/** Decoded text whose character i came from source bytes [from[i], to[i]). */
export function decodedView(buf: Buffer, from: Int32Array, to: Int32Array): TextView {
  return new MappedView('ascii', buf, null, 0, from, to);
}

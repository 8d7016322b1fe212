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

/** The chunk itself read as latin1: string index == byte offset. */
export function latin1View(bytes: Buffer): TextView {
  return {
    encoding: 'ascii',
    buf: bytes,
    toBytes: (start, end) => ({ start, end }),
  };
}

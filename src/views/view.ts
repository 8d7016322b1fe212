// A text view: one byte per character (latin1), with a map from view offsets back to buffer bytes.
import type { Encoding, Span } from '../types.js';

export interface TextView {
  encoding: Encoding;
  /** One byte per character; for the ascii view this IS the chunk (no copy). */
  buf: Buffer;
  /** Byte span in the original buffer of view characters [start, end). */
  toBytes(start: number, end: number): Span;
}

/** The chunk itself read as latin1: string index == byte offset. */
export function latin1View(bytes: Buffer): TextView {
  return {
    encoding: 'ascii',
    buf: bytes,
    toBytes: (start, end) => ({ start, end }),
  };
}

// Fills corpus shapes with fresh random values (node:crypto) and lays them out in a memory-like image,
// remembering where each expected secret went. Values never leave this process except in the image.
import { randomBytes } from 'node:crypto';

/** Random string of n characters from an alphabet. */
export function randomFrom(alphabet, n) {
  const b = randomBytes(n * 2);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[b.readUInt16LE(i * 2) % alphabet.length];
  return s;
}

/** The text of a shape, and the [start, end) character span of its expected secret (if any). */
export function fillShape(parts, alphabets) {
  let text = '';
  let start = -1;
  let end = -1;
  for (const p of parts) {
    const piece = typeof p === 'string' ? p : p.l !== undefined ? p.l : randomFrom(alphabets[p.c], p.n);
    if (typeof p === 'object' && p.s) {
      if (start < 0) start = text.length;
      end = text.length + piece.length;
    }
    text += piece;
  }
  return { text, secret: start < 0 ? undefined : [start, end] };
}

/** Accumulates pieces into one image buffer, returning byte offsets. */
export class ImageBuilder {
  constructor() {
    this.chunks = [];
    this.size = 0;
  }
  /** Appends text (UTF-8) or bytes; returns the byte offset where it starts. */
  push(data) {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const at = this.size;
    this.chunks.push(b);
    this.size += b.length;
    return at;
  }
  /** Appends a filled shape; returns the byte span of its whole text and of its expected secret. */
  pushShape(text, secret) {
    const at = this.push(text);
    const slot = [at, at + Buffer.byteLength(text)];
    if (!secret) return { slot };
    const s = at + Buffer.byteLength(text.slice(0, secret[0]));
    return { slot, secret: [s, s + Buffer.byteLength(text.slice(secret[0], secret[1]))] };
  }
  /** Zero bytes to the next 4 KiB boundary. */
  alignPage() {
    const pad = (4096 - (this.size % 4096)) % 4096;
    if (pad) this.push(Buffer.alloc(pad));
  }
  buffer() {
    return Buffer.concat(this.chunks);
  }
}

// Uniform pages (one byte value throughout: zero fill, 0xff, 0xcc padding) hold no text, no
// keyword and no key: scanners step over them with one native compare instead of a byte loop.

/** A memory page: the unit checked for uniform fill. */
export const PAGE = 4096;

const FILLS: Array<Buffer | undefined> = new Array(256);

/** True when buf[at, at + PAGE) lies inside buf[0, end) and is one repeated byte value. */
export function uniformPage(buf: Uint8Array, at: number, end = buf.length): boolean {
  if (at + PAGE > end) return false;
  const v = buf[at];
  // two probes reject almost every non-uniform page before the native compare
  if (buf[at + PAGE - 1] !== v || buf[at + (PAGE >> 1) + 1] !== v) return false;
  const fill = (FILLS[v] ??= Buffer.alloc(PAGE, v));
  return fill.compare(buf, at, at + PAGE, 0, PAGE) === 0;
}

// The UTF-16 view of a large buffer from the WebAssembly run search (kernels/text-scan.ts): the same
// runs and narrowed characters as utf16Runs in views/utf16.ts, its reference, which runs without it.
import type { NarrowRuns, TextView } from '../views/view.js';
import { PRINTABLE } from '../views/bytes.js';
import { utf16View } from '../views/utf16.js';
import { AT, KERNEL_MIN, resident, textKernel, upload } from './text-kernel.js';

/** The kernel's probe needs two whole characters per run: runs of at least 6 characters (12 bytes). */
const KERNEL_MIN_CHARS = 6;

/** utf16Runs(bytes, minChars, bigEndian) from the kernel, or null without it (or for a small buffer or a short minimum). */
export function utf16RunsKernel(bytes: Uint8Array, minChars = 6, bigEndian = false): NarrowRuns | null {
  const k = bytes.length >= KERNEL_MIN && minChars >= KERNEL_MIN_CHARS ? textKernel() : null;
  if (!k) return null;
  const n = bytes.length;
  // at most one run per 12 bytes (and one cut by the end): two numbers each; characters, and a NUL per run
  const maxRuns = Math.floor(n / 12) + 1;
  const runsAt = AT.input + ((n + 15) & ~15);
  const narrowAt = runsAt + maxRuns * 8;
  upload(k, bytes, narrowAt + (n >> 1) + maxRuns - AT.input - n);
  if (resident.print !== PRINTABLE) {
    new Uint8Array(k.memory.buffer).set(PRINTABLE, AT.print);
    resident.print = PRINTABLE;
  }
  const len = k.utf16Runs(AT.input, n, Math.max(2, minChars * 2), bigEndian ? 1 : 0, AT.print, runsAt, narrowAt);
  const pairs = new Int32Array(k.memory.buffer, runsAt, k.written());
  const byteStart: number[] = [];
  const viewStart: number[] = [];
  let o = 0;
  for (let j = 0; j < pairs.length; j += 2) {
    byteStart.push(pairs[j]);
    viewStart.push(o);
    o += pairs[j + 1] + 1;
  }
  return { byteStart, viewStart, buf: Buffer.from(new Uint8Array(k.memory.buffer, narrowAt, len)) };
}

/** utf16View, its runs from the kernel when it runs. */
export function utf16ViewFast(bytes: Uint8Array, bigEndian = false): TextView {
  return utf16View(bytes, bigEndian, 6, utf16RunsKernel(bytes, 6, bigEndian) ?? undefined);
}

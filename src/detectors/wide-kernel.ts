// The UTF-16 and UTF-32 views of a large buffer from the WebAssembly run searches
// (kernels/text-scan.ts): the same runs as utf16Runs and utf32Stretches in views/, their references,
// which run without them.
import type { NarrowRuns, TextView } from '../views/view.js';
import { PRINTABLE } from '../views/bytes.js';
import { utf16View } from '../views/utf16.js';
import { utf32Views } from '../views/utf32.js';
import { AT, CAP, KERNEL_MIN, resident, textKernel, upload } from './text-kernel.js';
import { drainResumable } from './kernel-load.js';

/** The kernels' probes see runs of at least 6 characters only (UTF-16: two whole characters in a probed word; UTF-32: four probed words). */
const KERNEL_MIN_CHARS = 6;

function printTable(k: NonNullable<ReturnType<typeof textKernel>>): void {
  if (resident.print === PRINTABLE) return;
  new Uint8Array(k.memory.buffer).set(PRINTABLE, AT.print);
  resident.print = PRINTABLE;
}

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
  printTable(k);
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

/** utf32Stretches(bytes, minChars) from the kernel, or null without it (or for a small buffer or a short minimum). */
export function utf32StretchesKernel(bytes: Uint8Array, minChars = 6): number[] | null {
  const k = bytes.length >= KERNEL_MIN && minChars >= KERNEL_MIN_CHARS ? textKernel() : null;
  if (!k) return null;
  upload(k, bytes);
  printTable(k);
  const out: number[] = [];
  drainResumable(
    k,
    AT.out,
    (from) => k.utf32Runs(AT.input, bytes.length, minChars, AT.print, AT.out, CAP, from),
    (v) => out.push(v),
  );
  return out;
}

/** utf32Views, its runs from the kernel when it runs. */
export function utf32ViewsFast(bytes: Uint8Array): ReturnType<typeof utf32Views> {
  return utf32Views(bytes, 6, utf32StretchesKernel(bytes, 6) ?? undefined);
}

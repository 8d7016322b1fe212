// The rules engine's loops over whole views in WebAssembly (kernels/text-scan.ts, built into
// dist/kernels/): one module and one memory, laid out here, so a chunk is copied in once for the
// prefilter, the token-run search and the UTF-16 run search of its latin1 reading.
import { align16, growTo, loadKernel, type KernelExports } from './kernel-load.js';

export interface TextKernel extends KernelExports {
  setKeywords(slotKey: number, slotFirst: number, slotCount: number, ids: number, kwOff: number, kwLen: number, kwBytes: number, lower: number): void;
  find(buf: number, from: number, hi: number, end: number, skip: number, pair: number, folded: number, uniformKeyword: number, out: number, cap: number, need: number): number;
  runs(buf: number, n: number, min: number, cls: number, loTable: number, out: number, cap: number, from: number): number;
  utf16Runs(buf: number, n: number, minBytes: number, bigEndian: number, print: number, runs: number, narrow: number): number;
  utf32Runs(buf: number, n: number, minChars: number, print: number, out: number, cap: number, from: number): number;
}

/** Numbers handed back per call of the resumable loops. */
export const CAP = 1 << 16;
/** Views below this size are scanned in JavaScript: copying them into the kernel costs more than it saves. */
export const KERNEL_MIN = 64 * 1024;

let kernel: TextKernel | null | undefined;

/** The instantiated module (its static area laid out), or null: callers then run their JavaScript reference. */
export function textKernel(): TextKernel | null {
  if (kernel === undefined) {
    kernel = loadKernel<TextKernel>('text-scan');
    if (kernel && kernel.heapBase() > AT.pair) throw new Error('kernels/text-scan.ts: static data overlaps the memory layout');
    if (kernel) growTo(kernel, AT.input);
  }
  return kernel;
}

/** Slots of the keyword prefix table (prefilter.ts). */
export const PREFIX_SLOTS = 4096;
/** Room for keyword ids, offsets, lengths and bytes: an index that needs more runs in JavaScript. */
export const KEYWORD_AREA = 512 * 1024;

/** Where each table, the output list and the input lie in kernel memory. */
export const AT = (() => {
  const k = { pair: 0, folded: 0, uniformKeyword: 0, slotKey: 0, slotFirst: 0, slotCount: 0, lower: 0, keywords: 0, cls: 0, lo: 0, print: 0, out: 0, input: 0 };
  // the module's static data ends well below 1 KiB; the layout starts past it at a fixed place
  let p = 1024;
  const take = (bytes: number) => ((p = align16(p + bytes)), p - align16(bytes));
  k.pair = take(65536);
  k.folded = take(32768);
  k.uniformKeyword = take(256);
  k.slotKey = take(PREFIX_SLOTS * 4);
  k.slotFirst = take(PREFIX_SLOTS * 4);
  k.slotCount = take(PREFIX_SLOTS * 4);
  k.lower = take(256);
  k.keywords = take(KEYWORD_AREA);
  k.cls = take(256);
  k.lo = take(16);
  k.print = take(256);
  k.out = take(CAP * 4);
  k.input = take(0);
  return k;
})();

/** The tables now in each slot (by identity), so each is copied in once. */
export const resident: { prefilter?: object; cls?: Uint8Array; print?: Uint8Array } = {};

// the buffer whose bytes sit at AT.input, trusted only inside withChunk for that same buffer
let scope: Uint8Array | null = null;
let copied: Uint8Array | null = null;

/**
 * Runs fn with `buf` marked as unchanging: the kernels copy it into their memory once, not once per
 * loop. Other buffers are copied in as usual (and replace it).
 */
export function withChunk<T>(buf: Uint8Array, fn: () => T): T {
  scope = buf;
  copied = null;
  try {
    return fn();
  } finally {
    scope = null;
    copied = null;
  }
}

/** Copies buf into kernel memory at AT.input (room for `extra` bytes after it) unless it is the chunk of withChunk and already there. */
export function upload(k: TextKernel, buf: Uint8Array, extra = 0): void {
  growTo(k, AT.input + buf.length + extra);
  if (copied === buf && buf === scope) return;
  new Uint8Array(k.memory.buffer).set(buf, AT.input);
  copied = buf;
}

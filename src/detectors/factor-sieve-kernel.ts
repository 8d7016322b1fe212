// The factor hunt's sliding pass in WebAssembly (kernels/factor-sieve.ts, built into
// dist/kernels/), same output as the JavaScript reference in factor-sieve.ts (run without the module).
import type { SieveInput } from './factor-sieve.js';
import { align16, drainResumable, growTo, loadKernel, type KernelExports } from './kernel-load.js';

interface Exports extends KernelExports {
  pageClasses(bytes: number, nBytes: number, cls: number, mark: number): void;
  zeroBytes(words: number, n: number, out: number): void;
  zeroPrefix(zeros: number, n: number, out: number): void;
  sieveWindows(
    bytes: number,
    nWords: number,
    cls: number,
    pages: number,
    zeros: number,
    prefix: number,
    nw: number,
    minTop16: number,
    everywhere: number,
    stamp: number,
    more: number,
    out: number,
    cap: number,
    from: number,
  ): number;
  hexWindow(bytes: number, w: number, nw: number, o: number, dst: number): void;
  filterWindows(bytes: number, zeros: number, prefix: number, starts: number, count: number, nw: number, minTop16: number, stamp: number, more: number, out: number, cap: number, from: number): number;
}

const STAMP_BYTES = 1024;
/** Candidate windows handed back per call; the pass resumes where it stopped. */
const CAP = 1 << 16;

const instance = (): Exports | null => loadKernel<Exports>('factor-sieve');

/** Whether the WebAssembly pass runs (else the JavaScript reference). */
export function kernelLoaded(): boolean {
  return instance() !== null;
}

// The input whose bytes, page classes and zero counts sit in kernel memory, and where.
let resident: SieveInput | undefined;
let layout = { bytes: 0, zeros: 0, prefix: 0, cls: 0, stamp: 0, out: 0, end: 0 };

/**
 * Copies the input's bytes into kernel memory and counts zero bytes per word there, into
 * input.zeros; with `mark`, classifies the pages there too, into input.cls and mark (pageClasses
 * in factor-hunt.ts is the reference), else copies input.cls in. False without the kernel. The
 * input is a snapshot from here on.
 */
export function uploadSieveInput(input: SieveInput, mark?: Int32Array): boolean {
  const k = instance();
  if (!k) return false;
  const pages = mark ? mark.length : input.cls.length;
  const base = align16(k.heapBase());
  const stamp = base;
  const out = stamp + STAMP_BYTES;
  const bytes = align16(out + CAP * 4);
  const zeros = align16(bytes + input.bytes.length);
  const cls = align16(zeros + input.words.length);
  const marks = align16(cls + pages);
  // the zero weights' prefix sums: one u16 more than words, and 16 bytes that the last step may read
  const prefix = align16(marks + pages * 4);
  const end = align16(prefix + (input.words.length + 1) * 2 + 16);
  growTo(k, end);
  const mem = new Uint8Array(k.memory.buffer);
  mem.set(input.bytes, bytes);
  if (mark) {
    k.pageClasses(bytes, input.bytes.length, cls, marks);
    input.cls = mem.slice(cls, cls + pages);
    mark.set(new Int32Array(k.memory.buffer, marks, pages));
  } else mem.set(input.cls, cls);
  k.zeroBytes(bytes, input.words.length, zeros);
  k.zeroPrefix(zeros, input.words.length, prefix);
  layout = { bytes, zeros, prefix, cls, stamp, out, end };
  input.zeros = mem.slice(zeros, zeros + input.words.length);
  resident = input;
  return true;
}

/**
 * sieveWindows (factor-sieve.ts) in WebAssembly: the same window starts per order, or undefined
 * without the kernel.
 */
export function sieveWindowsKernel(input: SieveInput, nw: number, minTop16: number, everywhere: boolean): [number[], number[], number[]] | undefined {
  const k = instance();
  if (!k) return undefined;
  if (resident !== input) uploadSieveInput(input);
  const out: [number[], number[], number[]] = [[], [], []];
  const nWords = input.words.length;
  // the weights of moreSieved past the resident input
  const more = layout.end;
  growTo(k, more + 40 * nw);
  // each entry: the window's start word << 2 | its order
  drainResumable(
    k,
    layout.out,
    (from) => k.sieveWindows(layout.bytes, nWords, layout.cls, input.cls.length, layout.zeros, layout.prefix, nw, minTop16, everywhere ? 1 : 0, layout.stamp, more, layout.out, CAP, from),
    (v) => out[v & 3].push(v >>> 2),
  );
  return out;
}

/**
 * The windows among `starts` (ascending word indices) that pass windowPasses (factor-sieve.ts), per
 * order, or undefined without the kernel.
 */
export function filterWindowsKernel(input: SieveInput, starts: Int32Array, nw: number, minTop16: number): [number[], number[], number[]] | undefined {
  const k = instance();
  if (!k) return undefined;
  if (resident !== input) uploadSieveInput(input);
  const out: [number[], number[], number[]] = [[], [], []];
  const more = layout.end;
  const at = align16(more + 40 * nw);
  growTo(k, at + starts.length * 4);
  new Int32Array(k.memory.buffer, at, starts.length).set(starts);
  drainResumable(
    k,
    layout.out,
    (from) => k.filterWindows(layout.bytes, layout.zeros, layout.prefix, at, starts.length, nw, minTop16, layout.stamp, more, layout.out, CAP, from),
    (v) => out[v & 3].push(v >>> 2),
  );
  return out;
}

/**
 * The window at word w of the input read in order o (0 le, 1 be, 2 java) as "0x" and hex digits,
 * written by the kernel (windowHex in factor-hunt.ts is the reference), or undefined without it.
 * Valid until the next call into this module that may grow its memory.
 */
export function windowHexKernel(input: SieveInput, nw: number): ((w: number, o: number) => string) | undefined {
  const k = instance();
  if (!k) return undefined;
  if (resident !== input) uploadSieveInput(input);
  // past the weights of moreSieved
  const at = align16(layout.end + 40 * nw);
  const end = at + 2 + 8 * nw;
  growTo(k, end);
  const text = Buffer.from(k.memory.buffer);
  const { bytes } = layout;
  return (w, o) => {
    k.hexWindow(bytes, w, nw, o, at);
    return text.toString('latin1', at, end);
  };
}

// The keyword prefilter's word loop in WebAssembly (kernels/keyword-prefilter.ts, built into
// dist/kernels/), same candidate starts as the JavaScript loop in prefilter.ts, which runs without it.
import { align16, growTo, loadKernel, type KernelExports } from './kernel-load.js';

interface Exports extends KernelExports {
  steps(buf: number, from: number, hi: number, end: number, skip: number, pair: number, folded: number, uniformKeyword: number, out: number, cap: number): number;
}

/** The tables the loop reads: one keyword index's. */
export interface PrefilterTables {
  pair: Uint8Array;
  folded: Int32Array;
  uniformKeyword: Uint8Array;
}

/** Candidate starts handed back per call; the loop resumes where it stopped. */
const CAP = 1 << 16;

let kernel: Exports | null | undefined;

function instance(): Exports | null {
  if (kernel === undefined) kernel = loadKernel<Exports>('keyword-prefilter');
  return kernel;
}

/** Whether the WebAssembly loop runs (else the JavaScript one). */
export function prefilterKernelLoaded(): boolean {
  return instance() !== null;
}

// the tables resident in kernel memory, and where they and the buffer lie
let resident: PrefilterTables | undefined;
let layout = { pair: 0, folded: 0, uniformKeyword: 0, out: 0, buf: 0 };

/**
 * The reference loop's steps i = lo, lo + 8, ... < hi over buf[0, end) in WebAssembly: each
 * candidate start is passed to `at`, ascending; false (nothing called) without the kernel.
 */
export function prefilterSteps(t: PrefilterTables, buf: Uint8Array, end: number, lo: number, hi: number, skip: number, at: (start: number) => void): boolean {
  const k = instance();
  if (!k) return false;
  if (resident !== t) {
    const pair = align16(k.heapBase());
    const folded = align16(pair + t.pair.length);
    const uniformKeyword = align16(folded + t.folded.byteLength);
    const out = align16(uniformKeyword + t.uniformKeyword.length);
    layout = { pair, folded, uniformKeyword, out, buf: align16(out + CAP * 4) };
    growTo(k, layout.buf);
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(t.pair, pair);
    mem.set(new Uint8Array(t.folded.buffer, t.folded.byteOffset, t.folded.byteLength), folded);
    mem.set(t.uniformKeyword, uniformKeyword);
    resident = t;
  }
  // the steps read words and uniform pages inside buf[0, end) only
  growTo(k, layout.buf + end);
  new Uint8Array(k.memory.buffer).set(buf.subarray(0, end), layout.buf);
  for (let from = lo; from >= 0;) {
    from = k.steps(layout.buf, from, hi, end, skip, layout.pair, layout.folded, layout.uniformKeyword, layout.out, CAP);
    const got = new Int32Array(k.memory.buffer, layout.out, k.written());
    for (let j = 0; j < got.length; j++) at(got[j]);
  }
  return true;
}

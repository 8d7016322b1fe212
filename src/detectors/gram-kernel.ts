// The multi-needle searches' sampling loops in WebAssembly (kernels/gram-samples.ts, built into
// dist/kernels/): the GramSampler that codec/multi-search.ts runs instead of its own loops, which
// stay the reference and run without the built module.
import { WORD_FILTER_BYTES, type GramSampler, type SampleSink } from '../codec/multi-search.js';
import { align16, growTo, loadKernel, type KernelExports } from './kernel-load.js';

interface Exports extends KernelExports {
  wordSamples(buf: number, len: number, step: number, slots: number, from: number, out: number, cap: number): number;
  runSamples(buf: number, len: number, bloom: number, from: number, out: number, cap: number): number;
}

/** Samples handed back per call; the loop resumes where it stopped. */
const CAP = 1 << 14;
/** The larger filter (RunIndex: 2^20 bits). */
const FILTER_BYTES = 1 << 17;

const instance = (): Exports | null => loadKernel<Exports>('gram-samples');

/** Whether the WebAssembly loops run (else the JavaScript ones). */
export function gramKernelLoaded(): boolean {
  return instance() !== null;
}

/** Copies the filter and the buffer into kernel memory; returns where they lie, or null without the kernel. */
function upload(hay: Uint8Array, filter: Uint8Array): { k: Exports; filter: number; out: number; buf: number } | null {
  const k = instance();
  if (!k || filter.length > FILTER_BYTES) return null;
  const at = align16(k.heapBase());
  const out = align16(at + FILTER_BYTES);
  const buf = align16(out + CAP * 4);
  // the loops read whole pages and 8-byte grams inside [0, hay.length) only
  growTo(k, buf + hay.length + 16);
  const mem = new Uint8Array(k.memory.buffer);
  mem.set(filter, at);
  mem.set(hay, buf);
  return { k, filter: at, out, buf };
}

/**
 * drainResumable (kernel-load.ts) with each sample handed to the sink's method rather than to a
 * closure made per call: one call target per sink class, no deopt.
 */
function drainToSink(k: Exports, out: number, call: (from: number) => number, sink: SampleSink): void {
  for (let from = 0; from >= 0;) {
    from = call(from);
    const got = new Int32Array(k.memory.buffer, out, k.written());
    for (let j = 0; j < got.length; j++) sink.visit(got[j]);
  }
}

export const gramSampler: GramSampler = {
  words(hay: Uint8Array, step: number, filter: Uint8Array, sink: SampleSink): boolean {
    if (filter.length !== WORD_FILTER_BYTES) return false;
    const m = upload(hay, filter);
    if (!m) return false;
    drainToSink(m.k, m.out, (from) => m.k.wordSamples(m.buf, hay.length, step, m.filter, from, m.out, CAP), sink);
    return true;
  },
  runs(hay: Uint8Array, bloom: Uint8Array, sink: SampleSink): boolean {
    const m = upload(hay, bloom);
    if (!m) return false;
    drainToSink(m.k, m.out, (from) => m.k.runSamples(m.buf, hay.length, m.filter, from, m.out, CAP), sink);
    return true;
  },
};

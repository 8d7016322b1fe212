// The AES scan's fused relation pass in WebAssembly (kernels/aes-relations.ts, built into
// dist/kernels/), same candidates as fusedCandidates in aes.ts, which runs without it. The block
// is copied once into kernel memory and read there at all four byte phases, so the scan copies a
// phase's words into an aligned buffer only when a candidate (or the chunk's edge) needs them.
import { align16, drainResumable, growTo, loadKernel, type KernelExports } from './kernel-load.js';

interface Exports extends KernelExports {
  fused(v: number, from: number, end: number, skips: number, nSkips: number, out: number, cap: number): number;
}

/** Entries handed back per call; the pass resumes where it stopped. */
const CAP = 1 << 14;
/** Skip bounds a block can hold (two per uniform page of a block and its margins). */
const MAX_SKIPS = 256;

const instance = (): Exports | null => loadKernel<Exports>('aes-relations');

/** Whether the WebAssembly pass runs (else the JavaScript reference). */
export function aesKernelLoaded(): boolean {
  return instance() !== null;
}

const layout = { skips: 0, out: 0, block: 0 };

/** Copies bytes[start, end) into kernel memory (the block the next calls read); false without the kernel. */
export function uploadBlock(bytes: Uint8Array, start: number, end: number): boolean {
  const k = instance();
  if (!k) return false;
  if (!layout.block) {
    layout.skips = align16(k.heapBase());
    layout.out = align16(layout.skips + MAX_SKIPS * 4);
    layout.block = align16(layout.out + CAP * 4);
  }
  growTo(k, layout.block + (end - start) + 64);
  new Uint8Array(k.memory.buffer).set(bytes.subarray(start, end), layout.block);
  return true;
}

/**
 * fusedCandidates (aes.ts) on the uploaded block: the words start `at` bytes into it; fills
 * `cands` (one list per relation) and returns true, or false without the kernel or with more
 * skip bounds than kernel memory holds.
 */
export function fusedKernel(at: number, from: number, end: number, skips: number[], cands: number[][]): boolean {
  const k = instance();
  if (!k || !layout.block || skips.length > MAX_SKIPS) return false;
  for (const c of cands) c.length = 0;
  new Int32Array(k.memory.buffer, layout.skips, skips.length).set(skips);
  // each entry: the candidate << 3 | its relation
  drainResumable(
    k,
    layout.out,
    (j) => k.fused(layout.block + at, j, end, layout.skips, skips.length, layout.out, CAP),
    (v) => cands[v & 7].push(v >> 3),
    from,
  );
  return true;
}

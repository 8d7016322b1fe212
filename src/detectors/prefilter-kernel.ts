// The keyword prefilter's word loop in WebAssembly (kernels/keyword-prefilter.ts, built into
// dist/kernels/), same candidate starts as the JavaScript loop in prefilter.ts. Without the built
// module, or with DUMPSCRUB_KERNELS=js, the prefilter runs its JavaScript loop; DUMPSCRUB_KERNELS=wasm
// makes a missing module an error.
import { existsSync, readFileSync } from 'node:fs';

// @types/node 20 does not declare the WebAssembly global: the part used here
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  written(): number;
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

// Where the module lies from this code: the bundled command (dist/cli.js), a module or the bundled
// worker one folder down in dist/, or the sources (tests run src/ against the built dist/).
const PLACES = ['./kernels/', '../kernels/', '../../dist/kernels/'];

function instance(): Exports | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const want = process.env.DUMPSCRUB_KERNELS;
  if (want === 'js') return kernel;
  for (const place of PLACES) {
    const url = new URL(`${place}keyword-prefilter.wasm`, import.meta.url);
    if (!existsSync(url)) continue;
    kernel = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), {}).exports as Exports;
    break;
  }
  if (!kernel && want === 'wasm') throw new Error('DUMPSCRUB_KERNELS=wasm but dist/kernels/keyword-prefilter.wasm is missing: run npm run build');
  return kernel;
}

/** Whether the WebAssembly loop runs (else the JavaScript one). */
export function prefilterKernelLoaded(): boolean {
  return instance() !== null;
}

const align16 = (n: number): number => (n + 15) & ~15;

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
    grow(k, layout.buf);
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(t.pair, pair);
    mem.set(new Uint8Array(t.folded.buffer, t.folded.byteOffset, t.folded.byteLength), folded);
    mem.set(t.uniformKeyword, uniformKeyword);
    resident = t;
  }
  // the steps read words and uniform pages inside buf[0, end) only
  grow(k, layout.buf + end);
  new Uint8Array(k.memory.buffer).set(buf.subarray(0, end), layout.buf);
  for (let from = lo; from >= 0;) {
    from = k.steps(layout.buf, from, hi, end, skip, layout.pair, layout.folded, layout.uniformKeyword, layout.out, CAP);
    const got = new Int32Array(k.memory.buffer, layout.out, k.written());
    for (let j = 0; j < got.length; j++) at(got[j]);
  }
  return true;
}

function grow(k: Exports, need: number): void {
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
}

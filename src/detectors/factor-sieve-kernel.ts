// The factor hunt's sliding pass in WebAssembly (kernels/factor-sieve.ts, built into
// dist/kernels/), same output as the JavaScript reference in factor-sieve.ts. Without the built
// module, or with DUMPSCRUB_KERNELS=js, callers run the reference; DUMPSCRUB_KERNELS=wasm makes a
// missing module an error.
import { existsSync, readFileSync } from 'node:fs';
import type { SieveInput } from './factor-sieve.js';

// @types/node 20 does not declare the WebAssembly global: the part used here
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  written(): number;
  zeroBytes(words: number, n: number, out: number): void;
  sieveWindows(
    bytes: number,
    nWords: number,
    cls: number,
    pages: number,
    zeros: number,
    nw: number,
    minTop16: number,
    everywhere: number,
    stamp: number,
    out: number,
    cap: number,
    from: number,
  ): number;
}

const STAMP_BYTES = 1024;
/** Candidate windows handed back per call; the pass resumes where it stopped. */
const CAP = 1 << 16;

let kernel: Exports | null | undefined;

// Where the module lies from this code: the bundled command (dist/cli.js), a module or the bundled
// worker one folder down in dist/, or the sources (tests run src/ against the built dist/).
const PLACES = ['./kernels/', '../kernels/', '../../dist/kernels/'];

/** The instantiated module, or null. */
function instance(): Exports | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const want = process.env.DUMPSCRUB_KERNELS;
  if (want === 'js') return kernel;
  for (const place of PLACES) {
    const url = new URL(`${place}factor-sieve.wasm`, import.meta.url);
    if (!existsSync(url)) continue;
    kernel = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), {}).exports as Exports;
    break;
  }
  if (!kernel && want === 'wasm') throw new Error('DUMPSCRUB_KERNELS=wasm but dist/kernels/factor-sieve.wasm is missing: run npm run build');
  return kernel;
}

/** Whether the WebAssembly pass runs (else the JavaScript reference). */
export function kernelLoaded(): boolean {
  return instance() !== null;
}

// The input whose bytes, page classes and zero counts sit in kernel memory, and where.
let resident: SieveInput | undefined;
let layout = { bytes: 0, zeros: 0, cls: 0, stamp: 0, out: 0 };

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Copies the input's bytes and page classes into kernel memory and counts zero bytes per word
 * there, into input.zeros; false without the kernel. The input is a snapshot from here on.
 */
export function uploadSieveInput(input: SieveInput): boolean {
  const k = instance();
  if (!k) return false;
  const base = align16(k.heapBase());
  const stamp = base;
  const out = stamp + STAMP_BYTES;
  const bytes = align16(out + CAP * 4);
  const zeros = align16(bytes + input.bytes.length);
  const cls = align16(zeros + input.words.length);
  const need = cls + input.cls.length;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const mem = new Uint8Array(k.memory.buffer);
  mem.set(input.bytes, bytes);
  mem.set(input.cls, cls);
  k.zeroBytes(bytes, input.words.length, zeros);
  layout = { bytes, zeros, cls, stamp, out };
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
  for (let from = 0; from >= 0;) {
    from = k.sieveWindows(layout.bytes, nWords, layout.cls, input.cls.length, layout.zeros, nw, minTop16, everywhere ? 1 : 0, layout.stamp, layout.out, CAP, from);
    const got = new Uint32Array(k.memory.buffer, layout.out, k.written());
    for (let j = 0; j < got.length; j++) out[got[j] & 3].push(got[j] >>> 2);
  }
  return out;
}

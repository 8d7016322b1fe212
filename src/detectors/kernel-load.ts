// Loading a WebAssembly kernel built from kernels/ into dist/kernels/. Without the built module, or
// with DUMPSCRUB_KERNELS=js, callers run their JavaScript reference; DUMPSCRUB_KERNELS=wasm makes a
// missing module an error.
import { existsSync, readFileSync } from 'node:fs';

// @types/node 20 does not declare the WebAssembly global: the part used here
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** What every kernel module exports. */
export interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  written(): number;
}

// Where the modules lie from this code: the bundled command (dist/cli.js), a module or the bundled
// worker one folder down in dist/, or the sources (tests run src/ against the built dist/).
const PLACES = ['./kernels/', '../kernels/', '../../dist/kernels/'];

/** Each kernel instantiated once per thread (null: run the JavaScript reference). */
const loaded = new Map<string, KernelExports | null>();

/** The instantiated kernel `name` (kernels/<name>.ts), or null; the same instance on every call. */
export function loadKernel<T extends KernelExports>(name: string): T | null {
  if (!loaded.has(name)) loaded.set(name, instantiate(name));
  return loaded.get(name) as T | null;
}

function instantiate(name: string): KernelExports | null {
  const want = process.env.DUMPSCRUB_KERNELS;
  if (want === 'js') return null;
  for (const place of PLACES) {
    const url = new URL(`${place}${name}.wasm`, import.meta.url);
    if (existsSync(url)) return new WebAssembly.Instance(new WebAssembly.Module(readFileSync(url)), {}).exports as KernelExports;
  }
  if (want === 'wasm') throw new Error(`DUMPSCRUB_KERNELS=wasm but dist/kernels/${name}.wasm is missing: run npm run build`);
  return null;
}

/**
 * Runs a resumable kernel loop from `start` to its end: `call(from)` fills the output list at `out` (written()
 * numbers), returns where to go on, or a negative number when done; each number goes to `visit`.
 */
export function drainResumable(k: KernelExports, out: number, call: (from: number) => number, visit: (v: number) => void, start = 0): void {
  for (let from = start; from >= 0;) {
    from = call(from);
    const got = new Int32Array(k.memory.buffer, out, k.written());
    for (let j = 0; j < got.length; j++) visit(got[j]);
  }
}

/** Grows kernel memory to at least `need` bytes. */
export function growTo(k: KernelExports, need: number): void {
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
}

export const align16 = (n: number): number => (n + 15) & ~15;

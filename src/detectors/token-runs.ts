// Long runs of one byte class (token characters): what the entropy pass and the token-run rules
// start from. One search per view serves both; in WebAssembly (kernels/token-runs.ts) when the view
// is large, a 16-byte SIMD test per block, else (and as the kernel's reference) a probe loop.
import { align16, growTo, loadKernel, type KernelExports } from './kernel-load.js';

interface Exports extends KernelExports {
  runs(buf: number, n: number, min: number, cls: number, loTable: number, out: number, cap: number, from: number): number;
}

/** Views below this size are searched in JavaScript: copying them into the kernel costs more. */
const KERNEL_MIN = 64 * 1024;
/** Numbers (two per run) handed back per kernel call; the search resumes where it stopped. */
const CAP = 1 << 16;
/** The kernel finds runs of at least this many bytes only (each holds a whole aligned 16-byte block). */
const KERNEL_MIN_RUN = 31;

let kernel: Exports | null | undefined;

function instance(): Exports | null {
  if (kernel === undefined) kernel = loadKernel<Exports>('token-runs');
  return kernel;
}

/** Whether the WebAssembly search runs on large views (else the JavaScript one everywhere). */
export function tokenRunsKernelLoaded(): boolean {
  return instance() !== null;
}

/**
 * Maximal runs [s, e) of at least `min` bytes whose every byte has cls[byte] === 1, ascending, as
 * start, end pairs. Probing one byte in every min - 1 finds each such run (binary data mostly fails
 * the probe), then the run is grown.
 */
export function tokenRunsJs(buf: Uint8Array, cls: Uint8Array, min: number): number[] {
  const out: number[] = [];
  const n = buf.length;
  const step = Math.max(1, min - 1);
  for (let m = 0; m < n; m += step) {
    if (cls[buf[m]] !== 1) continue;
    let s = m;
    while (s > 0 && cls[buf[s - 1]] === 1) s--;
    let e = m + 1;
    while (e < n && cls[buf[e]] === 1) e++;
    if (e - s >= min) out.push(s, e);
    // resume at the first probe past this run
    m = Math.ceil(e / step) * step - step;
  }
  return out;
}

/** A class's membership as the kernel tests it: per low nibble, the bit set of allowed high nibbles (0..7); null if the class holds a byte >= 0x80. */
function nibbleTable(cls: Uint8Array): Uint8Array | null {
  const lo = new Uint8Array(16);
  for (let c = 0; c < 256; c++) {
    if (cls[c] !== 1) continue;
    if (c >= 0x80) return null;
    lo[c & 15] |= 1 << (c >> 4);
  }
  return lo;
}

const tables = new WeakMap<Uint8Array, Uint8Array | null>();
let resident: Uint8Array | undefined;
let layout = { cls: 0, lo: 0, out: 0, buf: 0 };

/** tokenRunsJs, from the kernel when it is built, the view large and the class and minimum fit it. */
export function tokenRuns(buf: Uint8Array, cls: Uint8Array, min: number, useKernel = true): number[] {
  const k = useKernel && buf.length >= KERNEL_MIN && min >= KERNEL_MIN_RUN ? instance() : null;
  if (!tables.has(cls)) tables.set(cls, nibbleTable(cls));
  const lo = tables.get(cls);
  if (!k || !lo) return tokenRunsJs(buf, cls, min);
  if (resident !== cls) {
    const c = align16(k.heapBase());
    layout = { cls: c, lo: c + 256, out: c + 256 + 16, buf: align16(c + 256 + 16 + CAP * 4) };
    growTo(k, layout.buf);
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(cls.subarray(0, 256), layout.cls);
    mem.set(lo, layout.lo);
    resident = cls;
  }
  growTo(k, layout.buf + buf.length);
  new Uint8Array(k.memory.buffer).set(buf, layout.buf);
  const out: number[] = [];
  for (let from = 0; from >= 0;) {
    from = k.runs(layout.buf, buf.length, min, layout.cls, layout.lo, layout.out, CAP, from);
    const got = new Int32Array(k.memory.buffer, layout.out, k.written());
    for (let j = 0; j < got.length; j++) out.push(got[j]);
  }
  return out;
}

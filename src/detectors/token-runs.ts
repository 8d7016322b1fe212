// Long runs of one byte class (token characters): what the entropy pass and the token-run rules
// start from. One search per view serves both; in WebAssembly (kernels/text-scan.ts) when the view
// is large, a 16-byte SIMD test per block, else (and as the kernel's reference) a probe loop.
import { AT, CAP, KERNEL_MIN, resident, textKernel, upload } from './text-kernel.js';
import { drainResumable } from './kernel-load.js';

/** The kernel finds runs of at least this many bytes only (each holds a whole aligned 16-byte block). */
const KERNEL_MIN_RUN = 31;

/** Whether the WebAssembly search runs on large views (else the JavaScript one everywhere). */
export function tokenRunsKernelLoaded(): boolean {
  return textKernel() !== null;
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

/** tokenRunsJs, from the kernel when it is built, the view large and the class and minimum fit it. */
export function tokenRuns(buf: Uint8Array, cls: Uint8Array, min: number, useKernel = true): number[] {
  const k = useKernel && buf.length >= KERNEL_MIN && min >= KERNEL_MIN_RUN ? textKernel() : null;
  if (!tables.has(cls)) tables.set(cls, nibbleTable(cls));
  const lo = tables.get(cls);
  if (!k || !lo) return tokenRunsJs(buf, cls, min);
  upload(k, buf);
  if (resident.cls !== cls) {
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(cls.subarray(0, 256), AT.cls);
    mem.set(lo, AT.lo);
    resident.cls = cls;
  }
  const out: number[] = [];
  drainResumable(
    k,
    AT.out,
    (from) => k.runs(AT.input, buf.length, min, AT.cls, AT.lo, AT.out, CAP, from),
    (v) => out.push(v),
  );
  return out;
}

// Messages between the scan pool and its workers; everything here survives structured clone.
import type { DetectorOptions } from '../detectors/index.js';
import type { DetectContext, Hit, LearnedValue } from '../types.js';

/** How a worker rebuilds the plan's detectors (Detector objects hold functions and cannot be sent). */
export interface DetectorRecipe {
  /** File URL of a module exporting `createDetectors(options)`; default: the built-in registry. */
  module?: string;
  options: DetectorOptions;
  /** Keep only detectors with these ids (e.g. the self-hunt pass). */
  only?: string[];
}

/** What a worker scans with: detectors rebuilt from the recipe, and the context every chunk gets. */
export interface WorkerSetup {
  recipe: DetectorRecipe;
  ctx: DetectContext;
}

/** A chunk to scan: bytes [0, len) of `buf`, hits starting at or after `owned` belong to the next chunk. */
export interface ChunkJob {
  id: number;
  /** The setup (sent before with `configure`) to scan with. */
  setup: number;
  base: number;
  len: number;
  owned: number;
  buf: ArrayBuffer;
}

/** Workers outlive one scan: each scan sends its setup, its chunks, then releases the setup. */
export type ToWorker = ({ type: 'configure'; setup: number } & WorkerSetup) | { type: 'release'; setup: number } | ({ type: 'scan' } & ChunkJob);

export type WorkerReply = { type: 'done'; id: number; hits: Hit[]; learned: LearnedValue[]; buf: ArrayBuffer } | { type: 'error'; id: number; message: string };

/** Structured clone turns Buffer into Uint8Array; give Buffers back their methods without copying. */
function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Deep copy of plain data with every Uint8Array turned back into a Buffer (keys, secrets, digests). */
export function revive<T>(value: T): T {
  if (value instanceof Uint8Array) return asBuffer(value) as T;
  if (Array.isArray(value)) return value.map(revive) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out as T;
  }
  return value;
}

/** A compact copy: cloning a view would copy (or detach) the whole buffer behind it. */
export function compact(u8: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(u8.byteLength);
  out.set(u8);
  return out;
}

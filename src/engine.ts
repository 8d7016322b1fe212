// Chunked scanning: every byte of the input passes every detector, chunk by chunk, with overlap;
// chunks go to a pool of worker threads when the input is large enough and a recipe is given.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DetectContext, Detector, Hit, LearnedValue } from './types.js';
import { LearnedSet } from './keys/learned.js';
import { DetectorError, overlapFor, ownedResult, scanChunk } from './scan/chunk.js';
import type { DetectorRecipe } from './workers/protocol.js';
import { revive } from './workers/protocol.js';
import { ScanPool } from './workers/pool.js';
import { readExactly } from './io/input.js';
import type { InputFile } from './io/input.js';
export { closeScanPools } from './workers/pool.js';

export interface ScanPlan {
  detectors: Detector[];
  ctx: DetectContext;
  chunkSize: number;
  onProgress?: (done: number, total: number) => void;
  /** Worker threads; 0 = one per core; 1 or absent = scan in this thread. */
  jobs?: number;
  /** How a worker rebuilds `detectors`; without it scanning stays in this thread. */
  recipe?: DetectorRecipe;
  /** Worker entry (tests); default: the compiled `workers/scan-worker.js` next to this module. */
  workerUrl?: URL;
  /** Skip the SHA-256 (the self-hunt pass: the write pass re-hashes the input, the verify pass proves the copy). */
  noHash?: boolean;
}

/** How a scan ran (for tests and the benchmark). */
export interface ScanStats {
  workers: number;
  chunks: number;
  /** Most chunks read but not yet scanned at any moment. */
  peakInFlight: number;
  /** Chunk buffers allocated (each chunkSize + overlap bytes). */
  buffers: number;
}

export interface ScanOutput {
  /** Hits with file offsets, deduplicated by (rule, span). */
  hits: Hit[];
  /** SHA-256 (hex) of the bytes read, in order; '' with `noHash`. */
  sha256: string;
  /** What detectors learnt (public keys to self-hunt, private values), one per identity. */
  learned: LearnedValue[];
  stats: ScanStats;
}

/** Chunk buffers in flight never take more than this (plus one per worker), whatever the core count. */
const IN_FLIGHT_BYTES = 256 * 1024 * 1024;

const DEFAULT_WORKER = new URL('./workers/scan-worker.js', import.meta.url);

/** The worker entry exists only as compiled JS (dist/); from sources (vitest) scanning stays in-thread. */
function workerEntry(plan: ScanPlan): URL | undefined {
  const url = plan.workerUrl ?? DEFAULT_WORKER;
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/** Workers the pool holds: --jobs, 0 = one per core. */
function poolSize(plan: ScanPlan): number {
  return plan.jobs === 0 ? availableParallelism() : (plan.jobs ?? 1);
}

/** Workers to use: none for one chunk, jobs=1, or no recipe; never more than chunks. */
export function workersFor(plan: ScanPlan, size: number): number {
  const chunks = Math.ceil(size / plan.chunkSize);
  const jobs = poolSize(plan);
  if (!plan.recipe || jobs <= 1 || chunks < 2) return 0;
  return Math.min(jobs, chunks);
}

/** Largest chunk a worker gets: each worker holds views of its chunk (text, UTF-16 runs), so RSS grows with it. */
const POOL_CHUNK_MAX = 8 * 1024 * 1024;

/** Chunk size with a pool: many workers get smaller chunks, so buffers and per-worker views stay bounded. */
export function poolChunkSize(chunkSize: number, workers: number): number {
  return Math.min(chunkSize, POOL_CHUNK_MAX, Math.max(4 * 1024 * 1024, Math.floor(IN_FLIGHT_BYTES / 2 / workers)));
}

/** At most ~2 chunks per worker, fewer when chunks are big, never fewer than one per worker. */
export function inFlightLimit(workers: number, bufBytes: number): number {
  return Math.max(workers, Math.min(2 * workers, Math.floor(IN_FLIGHT_BYTES / bufBytes)));
}

/** Hits of every chunk, deduplicated by (rule, span), and learnt values, one per identity. */
class ScanResults {
  readonly seen = new Set<string>();
  readonly hits: Hit[] = [];
  readonly learned = new LearnedSet();

  add(h: Hit): void {
    const key = `${h.ruleId}:${h.start}:${h.end}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.hits.push(h);
  }

  output(hash: Hash | undefined, stats: ScanStats): ScanOutput {
    // chunks finish in any order: sort so the result does not depend on scheduling
    this.hits.sort((a, b) => a.start - b.start || a.end - b.end || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    return { hits: this.hits, sha256: hash?.digest('hex') ?? '', learned: this.learned.values(), stats };
  }
}

/** Scan a whole input in chunks of `chunkSize` (+ overlap); a hit belongs to the chunk it starts in. */
export async function scanInput(input: InputFile, plan: ScanPlan): Promise<ScanOutput> {
  const workers = workersFor(plan, input.size);
  const url = workers ? workerEntry(plan) : undefined;
  if (url && plan.recipe) {
    const pool = ScanPool.shared(url, workers, (m) => new DetectorError(m));
    let setup: number | undefined;
    try {
      setup = pool.begin({ recipe: plan.recipe, ctx: plan.ctx });
    } catch (err) {
      // options that cannot cross to a worker (e.g. functions in user rules): scan here instead
      if ((err as Error)?.name !== 'DataCloneError') throw err;
    }
    if (setup !== undefined) {
      try {
        return await scanWithPool(input, plan, pool, setup, workers);
      } finally {
        pool.end(setup);
      }
    }
  }
  return scanInThread(input, plan);
}

async function scanInThread(input: InputFile, plan: ScanPlan): Promise<ScanOutput> {
  const overlap = overlapFor(plan.detectors);
  const size = input.size;
  const hash = plan.noHash ? undefined : createHash('sha256');
  const out = new ScanResults();
  const bufLen = Math.min(plan.chunkSize + overlap, Math.max(size, 1));
  // two buffers: the next chunk is read while this one is scanned
  const bufs = [Buffer.allocUnsafe(bufLen)];
  const wantAt = (base: number) => Math.min(plan.chunkSize + overlap, size - base);
  const readInto = (i: number, base: number) => {
    const p = readExactly(input, (bufs[i & 1] ??= Buffer.allocUnsafe(bufLen)), base, wantAt(base));
    p.catch(() => {}); // awaited below; a scan that throws first leaves it unobserved
    return p;
  };
  let next = size > 0 ? readInto(0, 0) : undefined;
  let chunks = 0;
  for (let base = 0; base < size; base += plan.chunkSize, chunks++) {
    await next;
    const buf = bufs[chunks & 1];
    next = base + plan.chunkSize < size ? readInto(chunks + 1, base + plan.chunkSize) : undefined;
    const want = wantAt(base);
    const owned = Math.min(plan.chunkSize, want);
    hash?.update(buf.subarray(0, owned));
    // a secret or learnt value that views the chunk buffer would be overwritten by a later read
    const found = ownedResult(scanChunk(buf.subarray(0, want), plan.detectors, plan.ctx), base, owned, (b) => (b.buffer === buf.buffer ? Buffer.from(b) : b));
    for (const h of found.hits) out.add(h);
    out.learned.addAll(found.learned);
    plan.onProgress?.(base + owned, size);
  }
  return out.output(hash, { workers: 0, chunks, peakInFlight: chunks ? 1 : 0, buffers: bufs.length });
}

/** Read in order on this thread (hashing as we go), scan on `workers` of the pool, reuse returned buffers. */
async function scanWithPool(input: InputFile, plan: ScanPlan, pool: ScanPool, setup: number, workers: number): Promise<ScanOutput> {
  const overlap = overlapFor(plan.detectors);
  const size = input.size;
  const chunkSize = poolChunkSize(plan.chunkSize, workers);
  const bufBytes = Math.min(chunkSize + overlap, size);
  const limit = inFlightLimit(workers, bufBytes);
  const hash = plan.noHash ? undefined : createHash('sha256');
  const out = new ScanResults();
  const free: ArrayBuffer[] = [];
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let buffers = 0;
  let peak = 0;
  let done = 0;
  let id = 0;
  try {
    for (let base = 0; base < size; base += chunkSize) {
      while (pending.size >= limit && failure === undefined) await Promise.race(pending);
      if (failure !== undefined) break;
      const want = Math.min(chunkSize + overlap, size - base);
      const ab = free.pop() ?? (buffers++, new ArrayBuffer(bufBytes));
      const view = Buffer.from(ab, 0, want);
      await readExactly(input, view, base, want);
      const owned = Math.min(chunkSize, want);
      hash?.update(view.subarray(0, owned));
      id++;
      const job = pool.scan(setup, { base, len: want, owned, buf: ab }).then(
        (r) => {
          for (const h of r.hits) out.add(revive(h));
          out.learned.addAll(revive(r.learned));
          free.push(r.buf);
          done += owned;
          plan.onProgress?.(done, size);
        },
        (err: unknown) => {
          failure ??= err;
        },
      );
      // settled promises leave the set; none of them ever rejects
      const tracked: Promise<void> = job.then(() => void pending.delete(tracked));
      pending.add(tracked);
      peak = Math.max(peak, pending.size);
    }
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
    return out.output(hash, { workers, chunks: id, peakInFlight: peak, buffers });
  } catch (err) {
    // a scan stopped half-way (read error) leaves chunks on the workers: start afresh next time
    await pool.close();
    throw err;
  }
}

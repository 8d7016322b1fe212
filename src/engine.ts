// Chunked scanning: every byte of the input passes every detector, chunk by chunk, with overlap.
import { createHash } from 'node:crypto';
import type { DetectContext, Detector, Hit, KnownKey } from './types.js';
import type { InputFile } from './files.js';
import { IoError } from './files.js';

export interface ScanPlan {
  detectors: Detector[];
  ctx: Omit<DetectContext, 'publicKeys'>;
  chunkSize: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ScanOutput {
  /** Hits with file offsets, deduplicated by (rule, span). */
  hits: Hit[];
  /** SHA-256 (hex) of the bytes read, in order. */
  sha256: string;
  /** Public keys detectors saw (for self-hunt), deduplicated by label. */
  publicKeys: KnownKey[];
}

export class DetectorError extends Error {}

/** Overlap between chunks: the longest hit any detector can report. */
export function overlapFor(detectors: readonly Detector[]): number {
  return detectors.reduce((m, d) => Math.max(m, d.maxSpan), 4096);
}

/** Run every detector over one buffer; spans stay relative to the buffer. */
export function scanChunk(bytes: Buffer, detectors: readonly Detector[], ctx: DetectContext): Hit[] {
  const hits: Hit[] = [];
  for (const d of detectors) {
    let found: Hit[];
    try {
      found = d.detect(bytes, ctx);
    } catch (err) {
      // the error text of a detector could quote the bytes it choked on; keep only its class
      throw new DetectorError(`detector ${d.id} failed (${(err as Error)?.name ?? 'error'})`);
    }
    for (const h of found) hits.push(h);
  }
  return hits;
}

export function keyOfPublicKey(k: KnownKey): string {
  if (k.n !== undefined) return `rsa:${k.n.toString(16)}`;
  if (k.publicKey) return `${k.kind}:${k.curve ?? ''}:${k.publicKey.toString('hex')}`;
  return `label:${k.label}`;
}

/** Scan a whole input in chunks of `chunkSize` (+ overlap); a hit belongs to the chunk it starts in. */
export async function scanInput(input: InputFile, plan: ScanPlan): Promise<ScanOutput> {
  const overlap = overlapFor(plan.detectors);
  const size = input.size;
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const hits: Hit[] = [];
  const keys = new Map<string, KnownKey>();
  const buf = Buffer.allocUnsafe(Math.min(plan.chunkSize + overlap, Math.max(size, 1)));
  for (let base = 0; base < size; base += plan.chunkSize) {
    const want = Math.min(plan.chunkSize + overlap, size - base);
    const got = await input.read(buf, base, want);
    if (got !== want) throw new IoError(`${input.path}: input changed during the run (short read at offset ${base + got})`);
    const owned = Math.min(plan.chunkSize, want);
    hash.update(buf.subarray(0, owned));
    const ctx: DetectContext = { ...plan.ctx, publicKeys: [] };
    for (const h of scanChunk(buf.subarray(0, want), plan.detectors, ctx)) {
      if (h.start >= owned) continue; // the next chunk owns it
      const abs: Hit = { ...h, start: h.start + base, end: h.end + base };
      const key = `${abs.ruleId}:${abs.start}:${abs.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hits.push(abs);
    }
    for (const k of ctx.publicKeys) keys.set(keyOfPublicKey(k), k);
    plan.onProgress?.(base + owned, size);
  }
  hits.sort((a, b) => a.start - b.start || a.end - b.end);
  return { hits, sha256: hash.digest('hex'), publicKeys: [...keys.values()] };
}

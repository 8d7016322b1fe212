// One chunk through every detector: the step the engine runs in this thread and the worker runs in the pool.
import type { DetectContext, Detection, Detector, Hit, LearnedValue } from '../types.js';
import { mapBuffers } from '../keys/learned.js';

/** A detector threw; the message names the detector and the error class only (never the bytes). */
export class DetectorError extends Error {}

/** Overlap between chunks: the longest hit any detector can report. */
export function overlapFor(detectors: readonly Detector[]): number {
  return detectors.reduce((m, d) => Math.max(m, d.maxSpan), 4096);
}

/** Run every detector over one buffer; spans stay relative to the buffer. */
export function scanChunk(bytes: Buffer, detectors: readonly Detector[], ctx: DetectContext): Required<Detection> {
  const hits: Hit[] = [];
  const learned: LearnedValue[] = [];
  for (const d of detectors) {
    let found: Detection;
    try {
      found = d.detect(bytes, ctx);
    } catch (err) {
      // the error text of a detector could quote the bytes it choked on; keep only its class
      throw new DetectorError(`detector ${d.id} failed (${(err as Error)?.name ?? 'error'})`);
    }
    for (const h of found.hits) hits.push(h);
    if (found.learned) for (const v of found.learned) learned.push(v);
  }
  return { hits, learned };
}

/**
 * What one chunk contributes, in file offsets: a hit belongs to the chunk it starts in (the first
 * `owned` bytes; the rest is overlap the next chunk owns). `keep` copies a buffer that must outlive
 * the chunk (the chunk buffer is reused or sent back).
 */
export function ownedResult(found: Required<Detection>, base: number, owned: number, keep: (b: Buffer) => Buffer): Required<Detection> {
  const hits: Hit[] = [];
  for (const h of found.hits) {
    if (h.start >= owned) continue; // the next chunk owns it
    hits.push({ ...h, start: h.start + base, end: h.end + base, secret: keep(h.secret) });
  }
  return { hits, learned: found.learned.map((v) => mapBuffers(v, keep)) };
}

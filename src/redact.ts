// Same-length redaction: plan fills inside findings, never touching structural bytes, apply per chunk.
import type { Encoding, Finding, Span } from './types.js';
import type { Fill } from './options.js';
import { mergeSpans, subtract } from './span.js';

export interface FillSpan extends Span {
  /** Pattern repeated from the finding's start: '*' for text, '*\0' for UTF-16LE, '*\0\0\0' for UTF-32LE, 0x00 for binary. */
  pattern: Buffer;
  /** Where the pattern's phase is anchored (the finding's start). */
  anchor: number;
}

export function fillPattern(encoding: Encoding, fill: Fill): Buffer {
  const c = fill.text.charCodeAt(0);
  switch (encoding) {
    case 'ascii':
      return Buffer.from([c]);
    case 'utf16le':
      return Buffer.from([c, 0]);
    case 'utf16be':
      return Buffer.from([0, c]);
    case 'utf32le':
      return Buffer.from([c, 0, 0, 0]);
    case 'utf32be':
      return Buffer.from([0, 0, 0, c]);
    case 'binary':
      return Buffer.from([fill.binary]);
  }
}

/** Fill spans sorted by start; structural bytes are cut out so headers stay byte-identical. */
export function planRedaction(findings: readonly Finding[], structural: readonly Span[], fill: Fill): FillSpan[] {
  const holes = mergeSpans(structural);
  const plan: FillSpan[] = [];
  for (const f of findings) {
    const pattern = fillPattern(f.encoding, fill);
    for (const part of subtract(f, holes)) plan.push({ ...part, pattern, anchor: f.start });
  }
  return plan.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Apply the fills that overlap [offset, offset + buf.length) to `buf` in place. */
export function applyRedaction(buf: Buffer, offset: number, plan: readonly FillSpan[]): void {
  const end = offset + buf.length;
  for (let i = firstReaching(plan, offset); i < plan.length; i++) {
    const f = plan[i];
    if (f.start >= end) break;
    if (f.end <= offset) continue;
    const from = Math.max(f.start, offset);
    const to = Math.min(f.end, end);
    const p = f.pattern;
    if (p.length === 1) buf.fill(p[0], from - offset, to - offset);
    else for (let x = from; x < to; x++) buf[x - offset] = p[(x - f.anchor) % p.length];
  }
}

const reachCache = new WeakMap<readonly FillSpan[], number[]>();

/** First index whose fill, or an earlier one, reaches past `offset` (binary search on running max of ends). */
function firstReaching(plan: readonly FillSpan[], offset: number): number {
  let maxEnd = reachCache.get(plan);
  if (!maxEnd) {
    maxEnd = [];
    let m = -Infinity;
    for (const f of plan) maxEnd.push((m = Math.max(m, f.end)));
    reachCache.set(plan, maxEnd);
  }
  let lo = 0;
  let hi = maxEnd.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (maxEnd[mid] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bytes the plan changes at most (for reports: "redacted N bytes"). */
export function plannedBytes(plan: readonly FillSpan[]): number {
  return mergeSpans(plan).reduce((n, s) => n + s.end - s.start, 0);
}

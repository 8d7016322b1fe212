// Entropy tokens that run into a format's structural bytes (the id of an HPROF UTF8 record sits
// right before its text) are judged again on the payload alone and reported with that span: the
// structure is never redacted, so it must not be what made a name look random.
import type { Hit, Span } from '../types.js';
import { subtract } from '../span.js';
import { judgeText } from './entropy.js';

const UNIT: Record<string, number> = { ascii: 1, utf16le: 2, utf16be: 2 };

/** Index of the first span in sorted, disjoint `spans` that ends after `at`. */
function firstEndingAfter(spans: readonly Span[], at: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid].end <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `hits` with every entropy token that overlaps `structural` (sorted, disjoint) cut to its payload. */
export function entropyOnPayload(hits: Hit[], structural: readonly Span[]): Hit[] {
  if (structural.length === 0) return hits;
  const out: Hit[] = [];
  for (const h of hits) {
    const unit = UNIT[h.encoding];
    const entropy = h.ruleId === 'entropy-token' || h.ruleId === 'entropy-context';
    const k = entropy ? firstEndingAfter(structural, h.start) : structural.length;
    // only plain views, where each char is `unit` bytes of the span
    if (k >= structural.length || structural[k].start >= h.end || unit === undefined || h.end - h.start !== h.secret.length * unit) {
      out.push(h);
      continue;
    }
    let best: Span | undefined;
    for (const p of subtract(h, structural.slice(k, k + 8))) if (!best || p.end - p.start > best.end - best.start) best = p;
    if (!best) continue;
    const from = Math.ceil((best.start - h.start) / unit);
    const to = Math.floor((best.end - h.start) / unit);
    const text = h.secret.subarray(from, Math.max(from, to));
    if (judgeText(text, h.ruleId === 'entropy-token')) out.push({ ...h, start: h.start + from * unit, end: h.start + to * unit, secret: Buffer.from(text) });
  }
  return out;
}

// Half-open byte spans [start, end): merging, overlap, subtraction.
import type { Span } from './types.js';

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Sorted, non-overlapping union of the spans (touching spans are joined). */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Parts of `span` not covered by any of `holes` (holes must be merged: sorted, disjoint). */
export function subtract(span: Span, holes: readonly Span[]): Span[] {
  const out: Span[] = [];
  let cursor = span.start;
  for (const h of holes) {
    if (h.end <= cursor) continue;
    if (h.start >= span.end) break;
    if (h.start > cursor) out.push({ start: cursor, end: Math.min(h.start, span.end) });
    cursor = Math.max(cursor, h.end);
    if (cursor >= span.end) break;
  }
  if (cursor < span.end) out.push({ start: cursor, end: span.end });
  return out;
}

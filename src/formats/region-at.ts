// Innermost-region lookup: smallest containing region wins, ties go to the more specific kind.
import type { Region, RegionKind } from '../types.js';

const RANK: Record<RegionKind, number> = {
  stack: 0,
  heap: 1,
  image: 2,
  'mapped-file': 3,
  registers: 4,
  string: 5,
  note: 6,
  stream: 7,
  memory: 8,
  structure: 9,
  raw: 10,
};

const better = (a: Region, b: Region): boolean => {
  const la = a.end - a.start;
  const lb = b.end - b.start;
  return la !== lb ? la < lb : RANK[a.kind] < RANK[b.kind];
};

interface Index {
  bounds: number[];
  best: (Region | undefined)[];
}

const cache = new WeakMap<Region[], Index>();

/** Elementary segments between all region boundaries, each painted with its best region (best first, DSU skip). */
function build(regions: Region[]): Index {
  const valid = regions.filter((r) => r.end > r.start);
  const bounds = [...new Set(valid.flatMap((r) => [r.start, r.end]))].sort((a, b) => a - b);
  const best: (Region | undefined)[] = new Array(Math.max(0, bounds.length - 1)).fill(undefined);
  const next = Array.from({ length: bounds.length }, (_, i) => i);
  const find = (i: number): number => {
    while (next[i] !== i) {
      next[i] = next[next[i]];
      i = next[i];
    }
    return i;
  };
  const order = [...valid].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  for (const r of order) {
    const hi = lowerBound(bounds, r.end);
    for (let i = find(lowerBound(bounds, r.start)); i < hi; i = find(i)) {
      best[i] = r;
      next[i] = i + 1;
    }
  }
  return { bounds, best };
}

function lowerBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The innermost (most specific) region holding file offset `offset`, or undefined. */
export function regionAt(regions: Region[], offset: number): Region | undefined {
  if (regions.length <= 16) {
    let pick: Region | undefined;
    for (const r of regions) if (offset >= r.start && offset < r.end && (!pick || better(r, pick))) pick = r;
    return pick;
  }
  let idx = cache.get(regions);
  if (!idx) {
    idx = build(regions);
    cache.set(regions, idx);
  }
  const i = lowerBound(idx.bounds, offset + 1) - 1;
  return i >= 0 && i < idx.best.length ? idx.best[i] : undefined;
}

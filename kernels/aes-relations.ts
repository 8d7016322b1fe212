// AssemblyScript: the WebAssembly build of the AES scan's fused relation pass. fusedCandidates in
// src/detectors/aes.ts is the reference; a test holds the two to the same candidates on random and
// adversarial buffers at every offset. Built by `npm run build` into dist/kernels/.

const STRIDE: i32 = 7;
/** Entries one grid position can write (one per relation). */
const PER_STEP: i32 = 6;

let outCount: i32 = 0;

/** First free byte past the module's static data, 16-aligned: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Entries written by the last fused call. */
export function written(): i32 {
  return outCount;
}

// @ts-ignore: decorator
@inline
function word(v: usize, x: i32): i32 {
  return load<i32>(v + (<usize>x << 2));
}

// @ts-ignore: decorator
@inline
function emit(out: usize, v: i32): void {
  store<i32>(out + (<usize>outCount << 2), v);
  outCount++;
}

/**
 * Grid positions j = from, from + 7, ... < end of the 32-bit words at `v` (any byte alignment)
 * where w[j] | w[j-1] != 0 and w[j] ^ w[j-1] == w[j + off] for the six relations (word offsets
 * -4, -6, -8, 4, 2, 8), stepping over the `nSkips` word ranges [start, end) at `skips` on the same
 * grid: writes (j << 3 | relation), ascending, at most `cap`; returns the position to resume from
 * when `out` is full, else -1.
 */
export function fused(v: usize, from: i32, end: i32, skips: usize, nSkips: i32, out: usize, cap: i32): i32 {
  outCount = 0;
  let j = from;
  let r = 0;
  while (j < end) {
    while (r < nSkips && load<i32>(skips + (<usize>(r + 1) << 2)) <= j) r += 2;
    if (r < nSkips && j >= load<i32>(skips + (<usize>r << 2))) {
      const e = load<i32>(skips + (<usize>(r + 1) << 2));
      j += ((e - j + STRIDE - 1) / STRIDE) * STRIDE;
      continue;
    }
    const stop = r < nSkips ? min(end, load<i32>(skips + (<usize>r << 2))) : end;
    for (; j < stop; j += STRIDE) {
      const a = word(v, j);
      const b = word(v, j - 1);
      if ((a | b) == 0) continue;
      const x = a ^ b;
      // one compare of all six partners is false on nearly every position
      if (x != word(v, j - 4) && x != word(v, j - 6) && x != word(v, j - 8) && x != word(v, j + 4) && x != word(v, j + 2) && x != word(v, j + 8)) continue;
      if (outCount + PER_STEP > cap) return j;
      const t = j << 3;
      if (x == word(v, j - 4)) emit(out, t);
      if (x == word(v, j - 6)) emit(out, t | 1);
      if (x == word(v, j - 8)) emit(out, t | 2);
      if (x == word(v, j + 4)) emit(out, t | 3);
      if (x == word(v, j + 2)) emit(out, t | 4);
      if (x == word(v, j + 8)) emit(out, t | 5);
    }
  }
  return -1;
}

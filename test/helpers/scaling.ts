// Timing without a wall-clock budget: work is compared with a reference measured in the same process
// at the same moment, so a slow or loaded machine scales both sides alike.

/** Best of `reps` runs, in ms: the minimum is the run least disturbed by GC and other processes. */
export function bestMs(work: () => void, reps = 3): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    work();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/**
 * A fixed piece of CPU work (a table lookup per byte over 4 MiB), timed now: the unit other timings
 * are measured in, so a budget follows the machine's speed and load instead of the wall clock.
 */
export function referenceMs(): number {
  const bytes = Buffer.alloc(4 << 20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const table = new Uint8Array(256).map((_, i) => i & 7);
  let sink = 0;
  const ms = bestMs(() => {
    for (let i = 0; i < bytes.length; i++) sink += table[bytes[i]];
  }, 5);
  return ms + (sink < 0 ? 1 : 0);
}

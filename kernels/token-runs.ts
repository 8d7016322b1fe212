// AssemblyScript: the WebAssembly build of the long token-run search. The JavaScript in
// src/detectors/token-runs.ts is the reference; a test holds the two to the same runs on random and
// adversarial buffers at every offset. Built by `npm run build` into dist/kernels/.

let outCount: i32 = 0;

/** First free byte past the module's static data, 16-aligned: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Numbers (start, end pairs) written by the last runs call. */
export function written(): i32 {
  return outCount;
}

/**
 * Maximal runs [s, e) of at least `min` (>= 31) bytes of one class in buf[0, n), from the block at
 * `from` on. Such a run holds a whole 16-byte block at a multiple of 16, so each block is tested in
 * one SIMD step (member: lo-nibble table of allowed hi nibbles 0..7, `cls` the byte table) and only
 * blocks wholly in the class are grown. Writes start, end pairs ascending; stops before a run that
 * could overflow `cap` and returns the block to resume at, or -1 when done.
 */
export function runs(buf: usize, n: i32, min: i32, cls: usize, loTable: usize, out: usize, cap: i32, from: i32): i32 {
  const lo = v128.load(loTable);
  const hiBits = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);
  const nibble = i8x16.splat(15);
  let count: i32 = 0;
  for (let i = from; i + 16 <= n; i += 16) {
    const v = v128.load(buf + <usize>i);
    const allowed = i8x16.swizzle(lo, v128.and(v, nibble));
    const bit = i8x16.swizzle(hiBits, i8x16.shr_u(v, 4));
    if (!i8x16.all_true(v128.and(allowed, bit))) continue;
    if (count + 2 > cap) {
      outCount = count;
      return i;
    }
    let s = i;
    while (s > 0 && load<u8>(cls + <usize>load<u8>(buf + <usize>(s - 1))) != 0) s--;
    let e = i + 16;
    while (e < n && load<u8>(cls + <usize>load<u8>(buf + <usize>e)) != 0) e++;
    if (e - s >= min) {
      store<i32>(out + (<usize>count << 2), s);
      store<i32>(out + (<usize>count << 2), e, 4);
      count += 2;
    }
    // the next run starts past e: resume at the first block at or after it
    i = ((e + 15) & ~15) - 16;
  }
  outCount = count;
  return -1;
}

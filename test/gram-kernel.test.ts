// The multi-needle searches' sampling loops: the WebAssembly kernel against the JavaScript loops
// (the reference) on random and adversarial buffers at every start offset.
import { describe, expect, it } from 'vitest';
import { RunIndex, WORD_FILTER_BYTES, searchAll } from '../src/codec/multi-search.js';
import type { RunNeedle, Tagged } from '../src/codec/multi-search.js';
import { gramKernelLoaded, gramSampler } from '../src/detectors/gram-kernel.js';
import { uniformPage } from '../src/views/uniform.js';
import { seeded } from '../fixtures/gen/keys.js';

const PAGE = 4096;

function tagged(bytes: Buffer): Tagged {
  return { bytes, encoding: 'binary', ruleId: 'known-key', secret: bytes, note: 'test' };
}

/** Needles of 11 to 200 bytes (sampling steps 8 to 32), some with degenerate grams, and their UTF-16 forms. */
function needleBytes(seed: number): Buffer[] {
  const out: Buffer[] = [];
  for (const len of [11, 12, 16, 19, 24, 31, 35, 64, 128, 200]) {
    const b = seeded(len + 3, seed + len).subarray(0, len);
    out.push(b, Buffer.from(b.toString('hex').slice(0, len), 'utf16le'));
  }
  out.push(Buffer.concat([Buffer.alloc(8), seeded(24, seed)])); // zero fill at its start
  return out;
}

/** Random bytes, uniform pages, needles planted at every residue, and a stretch made of one needle over and over. */
function haystack(len: number, needles: Buffer[], seed: number): Buffer {
  const b = seeded(len, seed);
  const big = len > 128 * 1024;
  if (big) {
    b.fill(0, PAGE, 3 * PAGE);
    b.fill(0xcc, 5 * PAGE, 6 * PAGE);
  }
  let at = big ? 7 * PAGE + 1 : 1;
  for (let k = 0; at + 300 < len - (big ? 64 * 1024 : 0); k++, at += 300 + (k % 13)) needles[k % needles.length].copy(b, at);
  // a stretch of one needle over and over: every sample there passes the filter
  const loop = needles[6];
  for (let i = big ? len - 64 * 1024 : len - 1024; i + loop.length <= len; i += loop.length) loop.copy(b, i);
  return b;
}

const INPUTS: Array<[string, number]> = [
  ['one page', PAGE + 5],
  ['192 KiB', 192 * 1024],
];

describe('multi-needle sampling in WebAssembly', () => {
  it('the WebAssembly kernel is built and loaded (npm run build)', () => {
    expect(gramKernelLoaded()).toBe(true);
  });

  for (const [name, len] of INPUTS) {
    it(`searchAll and RunIndex.search: kernel = reference, ${name}, every start offset`, () => {
      const needles = needleBytes(len);
      const buf = haystack(len, needles, 9);
      const runNeedles: RunNeedle[] = needles.map((b, k) => ({ bytes: b, minRun: Math.min(b.length, 12 + (k % 3) * 4), unit: 1 + (k & 1) }));
      const plain = new RunIndex(runNeedles);
      const fast = new RunIndex(runNeedles, gramSampler);
      let hits = 0;
      for (let off = 0; off < 8; off++) {
        const hay = buf.subarray(off);
        for (const min of [0, 16, 19, 24, 31, 35]) {
          const set = needles.filter((n) => n.length >= min);
          const ref = JSON.stringify(searchAll(hay, set.map(tagged)).map((h) => [h.start, h.end]));
          const ker = JSON.stringify(searchAll(hay, set.map(tagged), gramSampler).map((h) => [h.start, h.end]));
          if (ref !== ker) expect.fail(`searchAll differs: offset ${off}, needles of ${min}+ bytes`);
          hits += ref.length;
        }
        if (JSON.stringify(plain.search(hay)) !== JSON.stringify(fast.search(hay))) expect.fail(`RunIndex differs: offset ${off}`);
      }
      expect(hits).toBeGreaterThan(8 * 6 * 2);
    });
  }

  it('visits every sample the reference loop would when every gram passes, skipping uniform pages, across calls', () => {
    const buf = Buffer.concat([seeded(5 * PAGE, 3), Buffer.alloc(2 * PAGE, 7), seeded(300 * 1024, 4)]);
    for (const off of [0, 3]) {
      const hay = buf.subarray(off);
      for (const step of [8, 12, 16, 20, 28, 32]) {
        // the first sample of a uniform page goes on at the first one that reads past it
        const want: number[] = [];
        for (let i = 0; i <= hay.length - 4; i += step) {
          const p = i - (i % PAGE);
          if (i - p < step && uniformPage(hay, p)) i += Math.ceil((p + PAGE - 3 - i) / step) * step - step;
          else want.push(i);
        }
        const got: number[] = [];
        expect(gramSampler.words(hay, step, new Uint8Array(WORD_FILTER_BYTES).fill(0xff), { visit: (i) => got.push(i) })).toBe(true);
        expect(got.length > 1 << 14 || step > 8).toBe(true);
        if (JSON.stringify(got) !== JSON.stringify(want)) expect.fail(`word samples differ: offset ${off}, step ${step}`);
      }
      const want: number[] = [];
      for (let i = 0; i <= hay.length - 8; i += 8) {
        if ((i & (PAGE - 1)) === 0 && uniformPage(hay, i)) i += PAGE - 8;
        else want.push(i);
      }
      const got: number[] = [];
      expect(gramSampler.runs(hay, new Uint8Array(1 << 17).fill(0xff), { visit: (i) => got.push(i) })).toBe(true);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect.fail(`run samples differ: offset ${off}`);
    }
  });
});

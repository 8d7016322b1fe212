// The keyword prefilter's word loop: the WebAssembly kernel against the JavaScript loop, and both
// against a brute-force search, on random and adversarial buffers at every start offset.
import { describe, expect, it } from 'vitest';
import { KeywordIndex } from '../src/detectors/prefilter.js';
import { prefilterKernelLoaded } from '../src/detectors/prefilter-kernel.js';
import { builtinRules } from '../src/rules/index.js';
import { CONTEXT_KEYWORDS } from '../src/detectors/entropy.js';
import { seeded } from '../fixtures/gen/keys.js';

const PAGE = 4096;
const catalog = new KeywordIndex([...builtinRules.flatMap((r) => r.keywords), ...CONTEXT_KEYWORDS]);
const small = new KeywordIndex(['secret', 'token', 'aaaa', '-----begin ', 'PassWord', 'z----', ':::']);

/** Keywords of the index, written at random offsets and cases over random bytes, across page edges and at the buffer's ends. */
function dense(idx: KeywordIndex, len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  const r = seeded(len, seed + 1);
  let at = 0;
  for (let k = 0; at < len - 16; k++) {
    const word = idx.keywords[(r[k % len] * 257 + r[(k + 1) % len]) % idx.keywords.length];
    const text = k % 3 === 0 ? word.toUpperCase() : word;
    b.write(text, at, 'latin1');
    at += text.length + (r[(k + 2) % len] % 40);
    if (k % 50 === 0) at = (Math.floor(at / PAGE) + 1) * PAGE - (r[k % len] % 12);
  }
  b.write(idx.keywords[0], 0, 'latin1');
  b.write(idx.keywords[1], len - idx.keywords[1].length, 'latin1');
  return b;
}

/** Uniform pages of zero, 0xff, 'a', ':' and '-' (some make a keyword whole) with keywords cut by their edges, and random pages. */
function uniformPages(len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  const fills = [0, 0xff, 0x61, 0x3a, 0x2d, -1];
  for (let p = 0; (p + 1) * PAGE <= len; p++) {
    const v = fills[p % fills.length];
    if (v >= 0) b.fill(v, p * PAGE, (p + 1) * PAGE);
  }
  for (let p = 1; p * PAGE + 8 < len; p += 3) {
    b.write('SeCrEt', p * PAGE - 3, 'latin1');
    b.write('z', p * PAGE - 1, 'latin1');
  }
  return b;
}

const INPUTS: Array<[string, KeywordIndex, Buffer]> = [
  ['random, catalog keywords', catalog, seeded(200 * 1024 + 5, 1)],
  ['dense catalog keywords', catalog, dense(catalog, 150 * 1024 + 3, 2)],
  ['uniform pages, catalog keywords', catalog, uniformPages(160 * 1024, 3)],
  ['uniform pages, keywords of one repeated byte', small, uniformPages(160 * 1024, 4)],
  ['dense keywords of one repeated byte', small, dense(small, 100 * 1024, 5)],
];

function bruteForce(idx: KeywordIndex, buf: Buffer, end: number): string[] {
  const lower = buf.toString('latin1').toLowerCase();
  const want: string[] = [];
  for (const k of idx.keywords) for (let i = lower.indexOf(k); i !== -1 && i + k.length <= end; i = lower.indexOf(k, i + 1)) want.push(`${k}@${i}`);
  return want.sort();
}

describe('keyword prefilter kernel', () => {
  it('the WebAssembly kernel is built and loaded (npm run build)', () => {
    expect(prefilterKernelLoaded()).toBe(true);
  });

  for (const [name, idx, buf] of INPUTS) {
    it(`kernel = JavaScript loop = brute force: ${name}, every start offset`, () => {
      let found = 0;
      for (let off = 0; off < 8; off++) {
        const host = Buffer.alloc(buf.length + 8);
        buf.copy(host, off);
        const b = host.subarray(off, off + buf.length);
        for (const end of [b.length, b.length - 5, 70 * 1024 + 1]) {
          const wasm = idx.scan(b, end, true);
          const js = idx.scan(b, end, false);
          const same = JSON.stringify(wasm) === JSON.stringify(js);
          expect(same, `kernel differs: offset ${off}, end ${end}`).toBe(true);
          if (off < 2) {
            const got = js.kw.map((k, i) => `${idx.keywords[k]}@${js.pos[i]}`).sort();
            expect(JSON.stringify(got) === JSON.stringify(bruteForce(idx, b, end)), `reference differs: offset ${off}, end ${end}`).toBe(true);
          }
          found += js.kw.length;
        }
      }
      if (!name.startsWith('random')) expect(found).toBeGreaterThan(1000);
    });
  }

  it('more candidates than one kernel call hands back: the loop resumes where it stopped', () => {
    // 'aaaa' as a keyword: every start in a long run of 'a' between non-uniform bytes is a candidate
    const idx = new KeywordIndex(['aaaa', 'aab']);
    const b = Buffer.alloc(200 * 1024, 0x61);
    for (let i = 0; i < b.length; i += 1000) b[i] = 0x62;
    const wasm = idx.scan(b, b.length, true);
    expect(wasm.kw.length).toBeGreaterThan(1 << 16);
    expect(JSON.stringify(wasm) === JSON.stringify(idx.scan(b, b.length, false))).toBe(true);
  });
});

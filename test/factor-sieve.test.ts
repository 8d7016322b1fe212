// The factor hunt's sliding pass: the JavaScript reference against the definition window by
// window, and the WebAssembly kernel against the reference, on random and adversarial buffers at
// every start offset.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempDir } from './lead/cli-harness.js';
import { FILL, NOISE, ORDERS, moreSieved, pageSkip, sieveWindows, windowPasses } from '../src/detectors/factor-sieve.js';
import type { Order } from '../src/detectors/factor-sieve.js';
import { filterWindowsKernel, kernelLoaded, sieveWindowsKernel, windowHexKernel } from '../src/detectors/factor-sieve-kernel.js';
import { pageClasses, prepareHunt, windowHex } from '../src/detectors/factor-hunt.js';
import type { HuntBuffer } from '../src/detectors/factor-hunt.js';
import { toJava, toLE } from '../src/codec/bignum.js';
import { beBytes, rsaKey, seeded } from '../fixtures/gen/keys.js';

const PAGE = 4096;
const rsa = rsaKey(2048);
const P = beBytes(rsa.p);

/** Random words whose bytes at 4k and 4k+3 are odd and >= 0x81: every window passes the byte tests in every order. */
function primeLike(len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  for (let i = 0; i < len; i += 4) {
    b[i] |= 0x81;
    if (i + 3 < len) b[i + 3] |= 0x81;
  }
  return b;
}

/** Pages of pointers (zero high halves), code-like bytes, zero fill, 0xff fill and random noise, in turn. */
function mixed(len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  for (let at = 0; at + PAGE <= len; at += PAGE) {
    const kind = (at / PAGE) % 5;
    if (kind === 0) for (let i = at; i < at + PAGE; i += 8) b.writeBigUInt64LE(0x7f0000001000n + BigInt(i * 48), i);
    else if (kind === 1)
      for (let i = at; i < at + PAGE; i += 16) b[i] = 0; // 8 zero bytes per 128: the limit
    else if (kind === 2) b.fill(0, at, at + PAGE);
    else if (kind === 3) b.fill(0xff, at, at + PAGE);
  }
  return b;
}

/** Prime-like words with zero bytes and zero words sprinkled at the rolling window's edges. */
function zeroEdges(len: number, seed: number): Buffer {
  const b = primeLike(len, seed);
  const r = seeded(len / 4, seed + 1);
  for (let w = 0; w < len / 4; w++) {
    if (r[w] < 6) b.writeUInt32LE(0, w * 4);
    else if (r[w] < 40) b[w * 4 + 1 + (r[w] & 1)] = 0;
  }
  return b;
}

/** Real primes in all three orders across page borders, in noise and next to a pointer page. */
function planted(len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  for (let i = 2 * PAGE; i < 3 * PAGE; i += 8) b.writeBigUInt64LE(0x7f0000002000n + BigInt(i), i);
  toLE(P).copy(b, 3 * PAGE - 64);
  P.copy(b, 5 * PAGE - 60);
  toJava(P).copy(b, 2 * PAGE - 128);
  return b;
}

const INPUTS: Array<[string, Buffer]> = [
  ['random', seeded(96 * 1024, 1)],
  ['prime-like (more candidates than one kernel call returns)', primeLike(768 * 1024, 2)],
  ['pages of pointers, code, fills and noise', mixed(80 * 1024, 3)],
  ['zero bytes and zero words at window edges', zeroEdges(64 * 1024, 4)],
  ['primes planted across page borders', planted(40 * 1024 + 6, 5)],
  ['shorter than one window', primeLike(100, 6)],
];

/** The windows the pass tries, and the per-window definition of a candidate on each. */
function byDefinition(input: HuntBuffer, nw: number, minTop16: number, everywhere: boolean): number[][] {
  const out: number[][] = [[], [], []];
  const stamp = new Uint32Array(256);
  let id = 0;
  const lastWord = input.words.length - nw;
  for (let w = 0; w <= lastWord; w++) {
    if (w % (PAGE / 4) === 0) {
      const next = pageSkip(input.cls, w, nw * 4, everywhere);
      if (next >= 0) {
        w = next - 1;
        continue;
      }
    }
    for (let o = 0; o < 3; o++) if (windowPasses(input, w, nw, ORDERS[o], minTop16, stamp, ++id)) out[o].push(w);
  }
  return out;
}

describe('factor sieve', () => {
  it('the WebAssembly kernel is built and loaded (npm run build)', () => {
    expect(kernelLoaded()).toBe(true);
  });

  for (const [name, buf] of INPUTS) {
    it(`reference = definition and kernel = reference: ${name}, every start offset`, () => {
      let windows = 0;
      for (let off = 0; off < 8; off++) {
        const input = prepareHunt(buf.subarray(off));
        // nw - 1 = 1, 2, 0 (mod 3): each class the window's top word may have; 260 words: above the prefix sums' limit
        for (const [nw, minTop16] of [
          [32, 0xb505],
          [48, 0x8000],
          [8, 0x8000],
          [64, 0x8000],
          [260, 0x8000],
        ]) {
          for (const everywhere of [true, false]) {
            const js = sieveWindows(input, nw, minTop16, everywhere);
            const wasm = sieveWindowsKernel(input, nw, minTop16, everywhere);
            const same = JSON.stringify(wasm) === JSON.stringify(js);
            expect(same, `kernel differs: offset ${off}, ${nw} words, everywhere ${everywhere}`).toBe(true);
            // the definition is slow: every window once per order, on the first three offsets
            if (off < 3 && buf.length <= 128 * 1024) {
              const def = JSON.stringify(byDefinition(input, nw, minTop16, everywhere));
              expect(JSON.stringify(js) === def, `reference differs: offset ${off}, ${nw} words, everywhere ${everywhere}`).toBe(true);
            }
            windows += js[0].length + js[1].length + js[2].length;
          }
        }
      }
      if (buf.length > 1000) expect(windows).toBeGreaterThan(0);
      // the kernel hands back 2^16 candidates per call: the prime-like buffer makes it resume
      if (name.startsWith('prime-like')) expect(sieveWindows(prepareHunt(buf), 32, 0xb505, true).flat().length).toBeGreaterThan(1 << 16);
    });
  }

  it('kernel = reference on given window starts (the anchored windows): runs of consecutive starts and lone ones, every order and start offset', () => {
    let passed = 0;
    for (const [name, buf] of INPUTS) {
      for (let off = 0; off < 4; off++) {
        const input = prepareHunt(buf.subarray(off));
        for (const nw of [32, 48, 64, 260]) {
          const last = input.words.length - nw;
          if (last < 0) continue;
          // runs of 1..8 consecutive starts (the sums roll along them), ascending, from the first window to the last
          const r = seeded(4096, nw + off);
          const starts: number[] = [];
          for (let w = 0, k = 0; w <= last && k < r.length; k++) {
            for (let run = (r[k] & 7) + 1; run > 0 && w <= last; run--) starts.push(w++);
            w += r[k] * 3;
          }
          if (starts[starts.length - 1] !== last) starts.push(last);
          const stamp = new Uint32Array(256);
          let id = 0;
          const ref = ORDERS.map((order) => starts.filter((w) => windowPasses(input, w, nw, order, 0x8000, stamp, ++id)));
          const got = filterWindowsKernel(input, Int32Array.from(starts), nw, 0x8000);
          expect(JSON.stringify(got) === JSON.stringify(ref), `${name}: offset ${off}, ${nw} words`).toBe(true);
          passed += ref.flat().length;
        }
      }
    }
    expect(passed).toBeGreaterThan(1000);
  });

  it('kernel = reference on the text a candidate is parsed from: every window, order and start offset, every byte value', () => {
    let compared = 0;
    for (const nw of [8, 32, 64]) {
      for (let off = 0; off < 4; off++) {
        // every byte value at every position of a window over the first pages
        const buf = Buffer.concat([Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + (i >> 8)) & 255)), seeded(4096, nw)]).subarray(off);
        const input = prepareHunt(buf);
        const hex = windowHexKernel(input, nw)!;
        const scratch = Buffer.alloc(nw * 4);
        for (let w = 0; w + nw <= input.words.length; w++) {
          for (let o = 0; o < 3; o++) {
            if (hex(w, o) !== windowHex(input.bytes, w, nw * 4, ORDERS[o], scratch)) expect.fail(`differs: word ${w}, ${nw} words, order ${ORDERS[o]}, offset ${off}`);
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10000);
    // the reference is the window's value
    const input = prepareHunt(planted(40 * 1024 + 6, 5));
    expect(BigInt(windowHex(input.bytes, (3 * PAGE - 64) / 4, 128, 'le', Buffer.alloc(128))) === rsa.p).toBe(true);
    expect(BigInt(windowHex(input.bytes, (2 * PAGE - 128) / 4, 128, 'java', Buffer.alloc(128))) === rsa.p).toBe(true);
  });

  it('classifies pages in the kernel as the reference does: class and structure mark of every page, every start offset', () => {
    // pages that are uniform but for one byte, hold 0-3 structure words (low or high half zero) at page edges, then a partial page
    const noise = seeded(48 * PAGE, 41);
    const pages: Buffer[] = [];
    for (let g = 0; g < 48; g++) {
      const p = Buffer.alloc(PAGE, g % 3 === 0 ? 0 : 0x41);
      if (g % 2) noise.copy(p, 0, g * PAGE, (g + 1) * PAGE);
      if (g % 4 === 3) p[(g * 97) % PAGE] ^= 0x10;
      for (let k = 0; k < g % 4; k++) p.writeUInt32LE(k % 2 ? 0x1234 : 0xabcd0000, [0, PAGE - 4, 16 * g, 4 * ((g * 31) % 1024)][k]);
      pages.push(p);
    }
    const crafted = Buffer.concat([...pages, Buffer.alloc(777, 7)]);
    let compared = 0;
    for (const buf of [crafted, ...INPUTS.map(([, b]) => b)]) {
      for (let off = 0; off < 8; off++) {
        const input = prepareHunt(buf.subarray(off));
        const ref = pageClasses(input.bytes, input.words);
        const same = Buffer.from(input.cls).equals(Buffer.from(ref.cls)) && Buffer.from(input.mark.buffer).equals(Buffer.from(ref.mark.buffer));
        expect(same, `page classes differ at offset ${off}`).toBe(true);
        compared += ref.cls.length;
      }
    }
    expect(compared).toBeGreaterThan(1000);
    const ref = pageClasses(crafted, new Uint32Array(crafted.buffer, crafted.byteOffset, crafted.length >> 2));
    expect(ref.cls.includes(FILL) && ref.cls.includes(NOISE) && ref.cls.includes(2) && ref.mark.some((m) => m >= 0)).toBe(true);
  });

  it('classifies the adversarial pages as the pass expects (fill, noise and structured all occur)', () => {
    const cls = prepareHunt(mixed(80 * 1024, 3)).cls;
    expect(cls.includes(FILL) && cls.includes(NOISE) && cls.includes(2)).toBe(true);
  });

  it('finds the planted primes in every order among the candidates', () => {
    const input = prepareHunt(planted(40 * 1024 + 6, 5));
    const [le, be, java] = sieveWindowsKernel(input, 32, 0x8000, true)!;
    expect(le.includes((3 * PAGE - 64) / 4) && be.includes((5 * PAGE - 60) / 4) && java.includes((2 * PAGE - 128) / 4)).toBe(true);
  });
});

/** The window's value read in `order`, most significant byte first. */
function windowValue(words: Uint32Array, w: number, nw: number, order: Order): bigint {
  const b = Buffer.from(words.buffer, words.byteOffset + w * 4, nw * 4);
  const be = order === 'be' ? b : order === 'le' ? Buffer.from(b).reverse() : Buffer.from(b).swap32();
  return BigInt('0x' + (be.toString('hex') || '0'));
}

/** The primes below 84 that the sliding pass does not sieve (it takes 3, 5, 7, 13, 17, 97, 241, 257, 673, 65537). */
const MORE = [11, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83].map(BigInt);

describe('more small primes before the division', () => {
  it('moreSieved = divisible by a prime of 11..83 (13 aside), every order and start, random and adversarial windows', () => {
    let divisible = 0;
    let windows = 0;
    const check = (words: Uint32Array, w: number, nw: number, order: Order): void => {
      const want = MORE.some((r) => windowValue(words, w, nw, order) % r === 0n);
      if (moreSieved(words, w, nw, order) !== want) expect.fail(`differs: word ${w}, ${nw} words, order ${order}`);
      divisible += +want;
      windows++;
    };
    for (const nw of [8, 32, 48, 64]) {
      const words = new Uint32Array(seeded(4 * (nw + 64), nw).buffer);
      for (let w = 0; w + nw <= words.length; w++) for (const order of ORDERS) check(words, w, nw, order);
    }
    // multiples of each prime (and of none) stored in each order; all-ones words, the largest sums
    for (const order of ORDERS)
      for (const nw of [32, 64, 4096]) {
        for (const r of [...MORE, 13n, 101n]) {
          const v = (BigInt('0x' + seeded(4 * nw - 4, Number(r) + nw).toString('hex')) | 1n) * r;
          const be = Buffer.from(v.toString(16).padStart(8 * nw, '0'), 'hex');
          const stored = order === 'be' ? be : order === 'le' ? Buffer.from(be).reverse() : Buffer.from(be).swap32();
          check(new Uint32Array(Uint8Array.from(stored).buffer), 0, nw, order);
        }
        check(new Uint32Array(nw).fill(0xffffffff), 0, nw, order);
      }
    expect(divisible > windows / 4 && divisible < windows).toBe(true);
  });
});

describe('factor sieve in the shipped command', () => {
  it('the bundled command and its workers load the kernel and find the prime with it', () => {
    const dir = tempDir();
    try {
      // a public key the scan learns, and its prime after an allocator chunk header deep in noise
      const bg = seeded(2 << 20, 36);
      rsa.spki.copy(bg, 4096 + 40);
      Buffer.concat([Buffer.from([0x91, 0, 0, 0, 0, 0, 0, 0]), toLE(P)]).copy(bg, 1_000_000);
      const file = path.join(dir, 'dump.bin');
      fs.writeFileSync(file, bg);
      for (const jobs of ['1', '2']) {
        // DUMPSCRUB_KERNELS=wasm: a module the build left out is an error, not a quiet fallback
        const r = runCli(['scan', '--jobs', jobs, '--format', 'json', file], { env: { DUMPSCRUB_KERNELS: 'wasm' } });
        expect(r.code, `--jobs ${jobs}: ${r.stderr}`).toBe(1);
        const findings = (JSON.parse(r.stdout.toString('utf8')) as { files: Array<{ findings: Array<{ ruleId: string; start: number }> }> }).files[0].findings;
        expect(
          findings.some((f) => f.ruleId === 'known-key' && f.start === 1_000_008),
          `--jobs ${jobs}`,
        ).toBe(true);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// UTF-16 and UTF-32 runs: the WebAssembly kernels against the JavaScript references (utf16Runs,
// utf32Stretches), the UTF-16 one against a byte-by-byte definition too, on random and adversarial
// buffers at every start offset, LE and BE.
import { describe, expect, it } from 'vitest';
import { utf16Runs } from '../src/views/utf16.js';
import { utf32Stretches, encodeUtf32 } from '../src/views/utf32.js';
import { utf16RunsKernel, utf32StretchesKernel } from '../src/detectors/wide-kernel.js';
import { PRINTABLE } from '../src/views/bytes.js';
import { seeded } from '../fixtures/gen/keys.js';

/** Start and character count of every maximal run of at least `min` characters, both alignments. */
function byDefinition(b: Uint8Array, min: number, bigEndian: boolean): string {
  const [c, z] = bigEndian ? [1, 0] : [0, 1];
  const runs: Array<[number, number]> = [];
  for (const parity of [0, 1]) {
    for (let i = parity; i + 1 < b.length;) {
      let e = i;
      while (e + 1 < b.length && PRINTABLE[b[e + c]] === 1 && b[e + z] === 0) e += 2;
      if ((e - i) / 2 >= min) runs.push([i, (e - i) / 2]);
      i = e === i ? i + 2 : e;
    }
  }
  return JSON.stringify(runs.sort((x, y) => x[0] - y[0]));
}

/** Text of every length around the minimum at both alignments, in both byte orders, among pointers, small integers and zeros. */
function adversarial(len: number, seed: number): Buffer {
  const r = seeded(len, seed);
  const b = Buffer.alloc(len);
  let at = 0;
  for (let k = 0; at + 64 < len; k++) {
    const chars = 3 + (k % 12);
    const text = Buffer.from(Array.from({ length: chars }, (_, i) => String.fromCharCode(0x20 + (r[at + i] % 0x5f))).join(''), 'utf16le');
    if (k % 4 === 1) text.swap16();
    at += k % 3;
    text.copy(b, at);
    at += text.length;
    // what follows: zeros, a pointer, a small integer, a control character, or nothing
    const tail = k % 5;
    if (tail === 1) (b.writeBigUInt64LE(0x7f0000001000n + BigInt(at), at), (at += 8));
    else if (tail === 2) (b.writeUInt32LE(0x41, at), (at += 4));
    else if (tail === 3) (b.writeUInt16LE(0x07, at), (at += 2));
    else if (tail === 4) at += 6;
  }
  return b;
}

const INPUTS: Array<[string, Buffer]> = [
  ['random', seeded(100 * 1024 + 3, 1)],
  ['text of every length around the minimum', adversarial(90 * 1024, 2)],
  ['one run over the whole buffer', Buffer.from('A'.repeat(40 * 1024), 'utf16le')],
  ['zeros', Buffer.alloc(70 * 1024)],
];

describe('UTF-16 run kernel', () => {
  for (const [name, buf] of INPUTS) {
    it(`kernel = reference = definition: ${name}, every start offset, LE and BE`, () => {
      let runs = 0;
      for (let off = 0; off < 8; off++) {
        const b = buf.subarray(off);
        for (const be of [false, true]) {
          for (const min of [6, 9]) {
            const js = utf16Runs(b, min, be);
            const wasm = utf16RunsKernel(b, min, be);
            const same = wasm !== null && JSON.stringify([wasm.byteStart, wasm.viewStart]) === JSON.stringify([js.byteStart, js.viewStart]) && wasm.buf.equals(js.buf);
            expect(same, `kernel differs: offset ${off}, BE ${be}, min ${min}`).toBe(true);
            if (off < 2) {
              const got = JSON.stringify(js.byteStart.map((s, i) => [s, (i + 1 < js.viewStart.length ? js.viewStart[i + 1] : js.buf.length) - js.viewStart[i] - 1]));
              expect(got === byDefinition(b, min, be), `reference differs: offset ${off}, BE ${be}, min ${min}`).toBe(true);
            }
            runs += js.byteStart.length;
          }
        }
      }
      if (name !== 'zeros' && name !== 'random') expect(runs).toBeGreaterThan(0);
    });
  }
});

/** UTF-32 text of 4..10 characters in both byte orders at every alignment, among pointers, small integers, zero and uniform pages. */
function wide32(len: number, seed: number): Buffer {
  const r = seeded(len, seed);
  const b = seeded(len, seed + 1);
  let at = 0;
  for (let k = 0; at + 128 < len; k++) {
    if (k % 37 === 5) {
      // a zero page and a uniform 0x41 page: skipped whole
      const p = (Math.floor(at / 4096) + 1) * 4096;
      if (p + 8192 > len) break;
      b.fill(0, p, p + 4096);
      b.fill(0x41, p + 4096, p + 8192);
      at = p + 8192;
      continue;
    }
    const chars = 4 + (k % 7);
    const text = encodeUtf32(Array.from({ length: chars }, (_, i) => String.fromCharCode(0x21 + (r[at + i] % 0x5e))).join(''), k % 2 === 1);
    at += k % 4;
    const tail = k % 3;
    text.copy(b, at);
    at += text.length;
    if (tail === 0) (b.fill(0, at, at + 4), (at += 4));
    else if (tail === 1) (b.writeUInt32LE(0x5a, at), (at += 4));
    at += r[at] % 24;
  }
  return b;
}

describe('UTF-32 run kernel', () => {
  const inputs: Array<[string, Buffer]> = [
    ['random', seeded(80 * 1024 + 5, 11)],
    ['text in both orders among pointers, zeros and uniform pages', wide32(200 * 1024, 12)],
    ['one run over the whole buffer', encodeUtf32('B'.repeat(20 * 1024), false)],
  ];
  for (const [name, buf] of inputs) {
    it(`kernel = reference: ${name}, every start offset`, () => {
      let found = 0;
      for (let off = 0; off < 8; off++) {
        const b = buf.subarray(off);
        for (const min of [6, 8]) {
          const js = utf32Stretches(b, min);
          const wasm = utf32StretchesKernel(b, min);
          expect(wasm !== null && JSON.stringify(wasm) === JSON.stringify(js), `kernel differs: offset ${off}, min ${min}`).toBe(true);
          found += js.length;
        }
      }
      if (name !== 'random') expect(found).toBeGreaterThan(0);
    });
  }

  it('more stretches than one kernel call hands back: the search resumes where it stopped', () => {
    const one = Buffer.concat([encodeUtf32('abcdef', false), Buffer.alloc(4), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    const b = Buffer.concat(Array.from({ length: 30000 }, () => one));
    const wasm = utf32StretchesKernel(b, 6);
    expect(wasm !== null && wasm.length > 65536).toBe(true);
    expect(JSON.stringify(wasm) === JSON.stringify(utf32Stretches(b, 6))).toBe(true);
  });
});

// UTF-16 runs: the WebAssembly kernel against the JavaScript reference (utf16Runs), and both against
// a byte-by-byte definition, on random and adversarial buffers at every start offset, LE and BE.
import { describe, expect, it } from 'vitest';
import { utf16Runs } from '../src/views/utf16.js';
import { utf16RunsKernel } from '../src/detectors/utf16-kernel.js';
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

// Long token runs: the WebAssembly kernel against the JavaScript probe loop, and both against a
// byte-by-byte definition, on random and adversarial buffers at every start offset.
import { describe, expect, it } from 'vitest';
import { tokenRuns, tokenRunsJs, tokenRunsKernelLoaded } from '../src/detectors/token-runs.js';
import { TOK } from '../src/detectors/entropy.js';
import { seeded } from '../fixtures/gen/keys.js';

const TOKCH = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') TOKCH[c.charCodeAt(0)] = 1;

/** Every maximal run of at least `min` class bytes, one byte at a time. */
function byDefinition(buf: Uint8Array, cls: Uint8Array, min: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < buf.length;) {
    if (cls[buf[i]] !== 1) {
      i++;
      continue;
    }
    let e = i;
    while (e < buf.length && cls[buf[e]] === 1) e++;
    if (e - i >= min) out.push(i, e);
    i = e;
  }
  return out;
}

/** Runs of token characters of every length around the minimums, split by one non-token byte (or by '+', a token byte TOKCH lacks), at the buffer's edges too. */
function edges(len: number, seed: number): Buffer {
  const r = seeded(len, seed);
  const b = Buffer.alloc(len);
  const alpha = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 'latin1');
  let at = 0;
  for (let k = 0; at < len; k++) {
    const runLen = 14 + (k % 60);
    for (let i = 0; i < runLen && at < len; i++, at++) b[at] = alpha[r[at] % alpha.length];
    if (at < len) b[at++] = [0x20, 0x00, 0x2b, 0xff, 0x3d][k % 5];
  }
  return b;
}

/** Base64-like text with 0x80+ bytes and NULs sprinkled: long runs, many resumptions. */
function text(len: number, seed: number): Buffer {
  const r = seeded(len, seed);
  const b = Buffer.from(
    seeded(len, seed + 1)
      .toString('base64')
      .slice(0, len),
    'latin1',
  );
  for (let i = 0; i < len; i++) if (r[i] < 3) b[i] = [0x00, 0x80, 0x2e][r[i]];
  return b;
}

const INPUTS: Array<[string, Buffer]> = [
  ['random', seeded(130 * 1024 + 7, 1)],
  ['runs of every length at the minimums', edges(100 * 1024, 2)],
  ['base64 text with breaks', text(90 * 1024, 3)],
  ['one run over the whole buffer', Buffer.alloc(70 * 1024, 0x41)],
];

describe('token runs', () => {
  it('the WebAssembly kernel is built and loaded (npm run build)', () => {
    expect(tokenRunsKernelLoaded()).toBe(true);
  });

  for (const [name, buf] of INPUTS) {
    it(`kernel = probe loop = definition: ${name}, every start offset`, () => {
      let runs = 0;
      for (let off = 0; off < 16; off++) {
        const b = buf.subarray(off);
        for (const [cls, min] of [
          [TOK, 32],
          [TOK, 31],
          [TOKCH, 35],
          [TOKCH, 64],
          [TOK, 16],
        ] as Array<[Uint8Array, number]>) {
          const wasm = JSON.stringify(tokenRuns(b, cls, min));
          const js = tokenRunsJs(b, cls, min);
          expect(wasm === JSON.stringify(js), `kernel differs: offset ${off}, min ${min}`).toBe(true);
          if (off < 3) expect(JSON.stringify(js) === JSON.stringify(byDefinition(b, cls, min)), `reference differs: offset ${off}, min ${min}`).toBe(true);
          runs += js.length;
        }
      }
      if (name !== 'random') expect(runs).toBeGreaterThan(0);
    });
  }

  it('more runs than one kernel call hands back: the search resumes where it stopped', () => {
    const b = Buffer.alloc(40000 * 33);
    for (let i = 0; i < b.length; i += 33) b.fill(0x61, i, i + 32);
    const wasm = tokenRuns(b, TOK, 32);
    expect(wasm.length).toBe(80000);
    expect(JSON.stringify(wasm) === JSON.stringify(tokenRunsJs(b, TOK, 32))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { bignumNeedles, toJava, toLE } from '../src/codec/bignum.js';
import { base64Phases } from '../src/codec/base64.js';
import { searchAll } from '../src/codec/multi-search.js';
import type { Tagged } from '../src/codec/multi-search.js';
import { seeded } from '../fixtures/gen/keys.js';

describe('big-number encodings', () => {
  it('OpenSSL limbs are the little-endian bytes; Java int[] is big-endian words, each little-endian', () => {
    const be = Buffer.from('0102030405060708090a', 'hex');
    expect(toLE(be).toString('hex')).toBe('0a090807060504030201');
    // padded to whole words at the most significant end: 0000 0102 | 03040506 | 0708090a
    expect(toJava(be).toString('hex')).toBe('02010000' + '06050403' + '0a090807');
  });

  it('finds a number inside longer base64 text at every alignment', () => {
    const v = randomBytes(40);
    for (let shift = 0; shift < 3; shift++) {
      const text = Buffer.concat([randomBytes(shift + 3), v, randomBytes(5)]).toString('base64');
      expect(base64Phases(v, false).some((s) => text.includes(s))).toBe(true);
    }
  });

  it('offers BE, LE, Java and text needles', () => {
    const forms = bignumNeedles(randomBytes(128)).map((n) => n.form);
    for (const f of ['big-endian', 'little-endian limbs', 'Java int[]', 'hex', 'HEX', 'base64', 'hex UTF-16LE']) expect(forms).toContain(f);
  });
});

describe('multi-needle search', () => {
  // the shortest needle sets the sampling step (a multiple of 4, step + 3 <= its length, at most 32): exactly at each bound
  it.each([11, 15, 16, 19, 23, 31, 35])('finds exactly what indexOf finds, for many needles (shortest %i bytes), at every offset, including overlaps', (shortest) => {
    const hay = seeded(1 << 18, 3);
    const needles: Tagged[] = [];
    for (let i = 0; i < 60; i++) {
      const len = shortest + ((i * 37) % 300);
      const b = i % 3 === 0 ? Buffer.from(hay.subarray(i * 3001 + (i % 8), i * 3001 + (i % 8) + len)) : randomBytes(len);
      if (i % 5 === 0) b.fill(0, 0, 6); // zero runs at the start: only non-degenerate grams are indexed
      needles.push({ bytes: b, encoding: 'binary', ruleId: 'r', secret: b, note: String(i) });
    }
    // plant copies, some overlapping, some at the very end
    for (let i = 0; i < needles.length; i += 2) needles[i].bytes.copy(hay, 100_000 + i * 997 + (i % 7));
    needles[1].bytes.copy(hay, hay.length - needles[1].bytes.length);
    // uniform pages are stepped over: a needle whose zero run ends one lies half in it
    hay.fill(0, 8 * 4096, 10 * 4096);
    hay.fill(0xcc, 12 * 4096, 13 * 4096);
    needles[5].bytes.copy(hay, 10 * 4096 - 6);
    needles[10].bytes.copy(hay, 8 * 4096 - 5);
    const expected = new Set<string>();
    for (const n of needles) for (let at = hay.indexOf(n.bytes); at !== -1; at = hay.indexOf(n.bytes, at + 1)) expected.add(`${n.note}@${at}`);
    const got = new Set(searchAll(hay, needles).map((h) => `${h.note}@${h.start}`));
    expect([...got].sort()).toEqual([...expected].sort());
  });
  it('reuses its index for the same needle list only: each haystack gets its own hits, a needle given new bytes is searched anew', () => {
    const needles: Tagged[] = [0, 1, 2].map((i) => {
      const b = seeded(24, 40 + i);
      return { bytes: b, encoding: 'binary', ruleId: 'r', secret: b, note: String(i) };
    });
    const hayOf = (b: Buffer, at: number) => {
      const h = seeded(1 << 14, 7);
      b.copy(h, at);
      return h;
    };
    const notes = (hay: Buffer, list: Tagged[]) => searchAll(hay, list).map((h) => `${h.note}@${h.start}`);
    expect(notes(hayOf(needles[0].bytes, 100), needles)).toEqual(['0@100']);
    expect(notes(hayOf(needles[1].bytes, 333), [...needles])).toEqual(['1@333']);
    const other = seeded(30, 50);
    const changed = [{ ...needles[0], bytes: other, note: 'x' }, needles[1], needles[2]];
    expect(notes(hayOf(other, 1001), changed)).toEqual(['x@1001']);
    needles[2].bytes = seeded(40, 51);
    expect(notes(hayOf(needles[2].bytes, 77), needles)).toEqual(['2@77']);
  });
});

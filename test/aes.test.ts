import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { aesDetector, decryptSchedule, expandKey, findSchedules } from '../src/detectors/aes.js';
import { scheduleBytes } from './helpers/aes-schedule.js';
import type { DetectContext } from '../src/types.js';
import { memoryImage, seeded } from '../fixtures/gen/keys.js';

const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };

function words(key: Buffer): number[] {
  const w: number[] = [];
  for (let i = 0; i < key.length; i += 4) w.push(key.readUInt32BE(i));
  return w;
}

describe('AES key expansion', () => {
  it('matches the FIPS-197 appendix A vectors', () => {
    const w128 = expandKey(words(Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex')));
    expect(w128[43].toString(16)).toBe('b6630ca6');
    const w192 = expandKey(words(Buffer.from('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b', 'hex')));
    expect(w192[51].toString(16).padStart(8, '0')).toBe('01002202');
    const w256 = expandKey(words(Buffer.from('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 'hex')));
    expect(w256[59].toString(16)).toBe('706c631e');
  });
});

describe('AES schedule detector', () => {
  for (const bits of [128, 192, 256] as const) {
    for (const swap of [false, true]) {
      it(`finds an AES-${bits} encryption schedule (${swap ? 'native u32' : 'standard'} order) at an odd offset`, () => {
        const key = randomBytes(bits / 8);
        const sched = scheduleBytes(expandKey(words(key)), swap);
        const bg = seeded(1 << 16, bits + (swap ? 1 : 0));
        const at = 10_001;
        sched.copy(bg, at);
        const found = findSchedules(bg);
        expect(found).toHaveLength(1);
        expect(found[0].start).toBe(at);
        expect(found[0].end).toBe(at + sched.length);
        expect(found[0].key.equals(key)).toBe(true);
        expect(found[0].swapped).toBe(swap);
      });
    }
  }

  for (const bits of [128, 192, 256] as const) {
    it(`finds an AES-${bits} decryption schedule`, () => {
      const key = randomBytes(bits / 8);
      const sched = scheduleBytes(decryptSchedule(expandKey(words(key))), false);
      const bg = seeded(1 << 15, 77);
      sched.copy(bg, 4096);
      const found = findSchedules(bg);
      expect(found.map((f) => [f.start, f.decrypt, f.key.equals(key)])).toEqual([[4096, true, true]]);
    });
  }

  it('tolerates a few flipped bits', () => {
    const key = randomBytes(16);
    const sched = scheduleBytes(expandKey(words(key)), false);
    for (const i of [40, 77, 130, 171]) sched[i] ^= 1 << (i & 7);
    const bg = Buffer.alloc(4096);
    sched.copy(bg, 1024);
    const found = findSchedules(bg);
    expect(found).toHaveLength(1);
    expect(found[0].bitErrors).toBe(4);
  });

  it('reports the schedule and the raw key elsewhere; allowlists the 00 01 02 … test key', () => {
    const key = randomBytes(32);
    const bg = Buffer.alloc(1 << 14);
    scheduleBytes(expandKey(words(key)), false).copy(bg, 100);
    key.copy(bg, 9000);
    scheduleBytes(expandKey(words(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'))), false).copy(bg, 12000);
    const hits = aesDetector.detect(bg, ctx).hits;
    expect(hits.some((h) => h.ruleId === 'aes-schedule' && h.start === 100 && h.end === 340)).toBe(true);
    expect(hits.some((h) => h.ruleId === 'aes-key' && h.start === 9000 && h.end === 9032)).toBe(true);
    expect(hits.some((h) => h.start >= 12000)).toBe(false);
    expect(hits.every((h) => !h.note?.match(/[0-9a-f]{16}/))).toBe(true);
  });

  it('finds nothing in a memory-like image', () => {
    // throughput is measured by `npm run bench`, not here
    const img = memoryImage(32 << 20, 5);
    expect(aesDetector.detect(img, ctx).hits).toHaveLength(0);
  });
});

describe('AES keys across chunks', () => {
  it('hands the key to the self-hunt pass, which finds its copies in another chunk', async () => {
    const { knownKeyDetector } = await import('../src/detectors/known-key.js');
    const key = randomBytes(16);
    const chunk1 = Buffer.alloc(8192);
    scheduleBytes(expandKey(words(key)), false).copy(chunk1, 512);
    const learned = aesDetector.detect(chunk1, ctx).learned ?? [];
    expect(learned).toHaveLength(1);
    expect(learned[0].kind).toBe('aes-key');
    expect(learned[0].label).not.toContain(key.toString('hex'));
    const chunk2 = seeded(8192, 4);
    key.copy(chunk2, 3000);
    const hits = knownKeyDetector.detect(chunk2, { ...ctx, learned }).hits;
    expect(hits.some((h) => h.start === 3000 && h.end === 3016)).toBe(true);
  });
});

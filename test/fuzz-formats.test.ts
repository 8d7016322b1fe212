// Seeded quick fuzz of the format parsers (the long run is scripts/fuzz-formats.mjs).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { detectFormat, regionAt } from '../src/formats/index.js';
import type { FormatInfo } from '../src/types.js';
// @ts-expect-error plain ESM helper without types
import { corpus, runFuzz } from '../fixtures/gen/fuzz.mjs';
// @ts-expect-error plain ESM helper without types
import { mutate } from '../fixtures/gen/mutate.mjs';
// @ts-expect-error plain ESM helper without types
import { hostileElf, hostileMinidump } from '../fixtures/gen/hostile.mjs';
import { violation } from './helpers/formats.js';
import { bestMs, referenceMs } from './helpers/scaling.js';

const check = (info: FormatInfo, size: number): string | undefined => {
  const v = violation(info, size);
  if (v) return v;
  // Lookups over whatever came out must work too.
  for (let o = 0; o < size; o += Math.max(1, size >> 4)) regionAt(info.regions, o);
  return undefined;
};

describe('fuzz: format parsers', () => {
  it('2000 mutated minidumps, ELF cores and HPROFs: no throw, sane output, time in line with the unmutated seeds', () => {
    // the unmutated seeds, parsed as often as the fuzz parses their mutants, timed in the same run
    const seeds = corpus() as { bytes: Buffer }[];
    const rounds = Math.ceil(2000 / seeds.length);
    const seedMs =
      bestMs(() => {
        for (const s of seeds) detectFormat((o, l) => s.bytes.subarray(o, o + l), s.bytes.length);
      }) * rounds;
    const t0 = performance.now();
    const stats = runFuzz({ detectFormat, check, cases: 2000, seed: 20261123, maxMsPerCase: Infinity });
    const ms = performance.now() - t0;
    expect(stats.failures.slice(0, 5)).toEqual([]);
    expect(stats.cases).toBe(2000);
    expect(stats.warned).toBeGreaterThan(500); // mutations are noticed, not silently accepted
    // mutants are the seeds' size (about 1x here): a parser that loops on one costs many times the seeds' time
    expect(ms / Math.max(seedMs, 1)).toBeLessThan(20);
  });

  it('hostile headers: huge counts, directory loops, RVAs past the end', () => {
    const hdr = Buffer.alloc(64);
    hdr.write('MDMP', 0);
    hdr.writeUInt32LE(0xa793, 4);
    hdr.writeUInt32LE(0xffffffff, 8); // streams
    hdr.writeUInt32LE(0, 12); // directory overlaps the header
    const i = detectFormat((o, l) => hdr.subarray(o, o + l), hdr.length);
    expect(violation(i, hdr.length)).toBeUndefined();
    expect(i.warnings.some((w) => /stream directory truncated at 0x/.test(w))).toBe(true);
    // A MemoryList that claims 2^32-1 ranges.
    const md = Buffer.alloc(80);
    md.write('MDMP', 0);
    md.writeUInt32LE(0xa793, 4);
    md.writeUInt32LE(1, 8);
    md.writeUInt32LE(32, 12);
    md.writeUInt32LE(5, 32);
    md.writeUInt32LE(40, 36);
    md.writeUInt32LE(44, 40);
    md.writeUInt32LE(0xffffffff, 44);
    const j = detectFormat((o, l) => md.subarray(o, o + l), md.length);
    expect(violation(j, md.length)).toBeUndefined();
    expect(j.warnings.some((w) => /MemoryList claims 4294967295 entries/.test(w))).toBe(true);
    // A reader that throws is a raw fallback, not a crash.
    const k = detectFormat(() => {
      throw new Error('EIO');
    }, 100);
    expect(k.format).toBe('raw');
    expect(k.warnings[0]).toMatch(/EIO/);
  });

  it('worst-case overlaps and counts stay within the work budget', () => {
    const unit = referenceMs();
    for (const [name, buf] of [
      ['elf', hostileElf(20000, 40000)],
      ['minidump', hostileMinidump(100000, 10000)],
    ] as [string, Buffer][]) {
      let info: FormatInfo | undefined;
      const units = bestMs(() => (info = detectFormat((o, l) => buf.subarray(o, o + l), buf.length)), 1) / unit;
      expect(violation(info!, buf.length), name).toBeUndefined();
      // the parsers' work limit keeps this near 30 reference units; unbounded overlaps take thousands
      expect(units, name).toBeLessThan(400);
      expect(info!.warnings.length, name).toBeGreaterThan(0);
    }
  });

  it('a secret planted in a mutated dump is still found (every byte is scanned raw)', async () => {
    const seeds = corpus() as { name: string; bytes: Buffer }[];
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-plant-'));
    try {
      for (let i = 0; i < 24; i++) {
        const seed = seeds[i % seeds.length];
        const { bytes } = mutate(seed.bytes, 4242 + i) as { bytes: Buffer };
        if (bytes.length < 128) continue;
        const token = randomBytes(18).toString('hex');
        const at = Math.floor((((i * 2654435761) % 997) / 997) * (bytes.length - 80));
        bytes.write(`\0password=${token}\0`, at, 'latin1');
        const file = join(dir, `case-${i}.bin`);
        writeFileSync(file, bytes);
        const r = await scan(file);
        expect(r.verdict, `${seed.name} case ${i}`).toBe('secrets-found');
        expect(
          r.findings.some((f) => f.start <= at + 10 && f.end >= at + 10 + token.length),
          `${seed.name} case ${i}`,
        ).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

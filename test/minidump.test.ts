import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, regionAt } from '../src/formats/index.js';
import type { Region } from '../src/types.js';
// @ts-expect-error plain ESM generator without types
import { makeFullMinidump } from '../fixtures/gen/dumps.mjs';
import { FIXTURES, fixture, hasPython, independentRanges, minidumpFixtures, overlaps, reader, uncovered, violation } from './helpers/formats.js';

const parse = (buf: Buffer) => detectFormat(reader(buf), buf.length);
const memoryRegions = (rs: Region[]) => rs.filter((r) => r.kind === 'memory' || (r.kind === 'heap' && r.label.startsWith('heap/private')));
const MALFORMED = ['invalid-range.dmp', 'invalid-record-count.dmp'];

describe('minidump: shared fixtures', () => {
  for (const name of minidumpFixtures()) {
    it(`parses ${name} within bounds`, () => {
      const buf = fixture(name);
      const info = parse(buf);
      expect(violation(info, buf.length)).toBeUndefined();
      if (MALFORMED.includes(name)) {
        expect(info.warnings.length).toBeGreaterThan(0);
        expect(info.warnings.some((w) => /past the end|truncated/.test(w))).toBe(true);
      } else {
        expect(info.format).toBe('minidump');
        expect(info.warnings).toEqual([]);
        expect(memoryRegions(info.regions).length).toBeGreaterThan(0);
      }
    });
  }

  it.skipIf(!hasPython())('memory ranges match the independent parser; its structure is structural here', () => {
    for (const name of minidumpFixtures()) {
      const info = parse(fixture(name));
      const ind = independentRanges(join(FIXTURES, name));
      const ours = memoryRegions(info.regions).map((r) => [r.start, r.end, '0x' + r.address!.toString(16)]);
      expect(ours.sort(), name).toEqual(ind.memory.sort());
      for (const [s, e] of ind.structure) expect(uncovered({ start: s, end: e }, info.structural), `${name} ${s}-${e}`).toBe(0);
    }
  });

  it('keeps every memory byte and string payload redactable', () => {
    for (const name of minidumpFixtures().filter((n) => !MALFORMED.includes(n))) {
      const info = parse(fixture(name));
      for (const r of info.regions) {
        if (['memory', 'stack', 'heap', 'image', 'string', 'stream'].includes(r.kind)) {
          expect(
            info.structural.some((s) => overlaps(s, r)),
            `${name}: ${r.label}`,
          ).toBe(false);
        }
      }
    }
  });

  it('labels stacks per thread and module images (test.dmp, Windows x86)', () => {
    const buf = fixture('test.dmp');
    const info = parse(buf);
    const stacks = info.regions.filter((r) => r.kind === 'stack').map((r) => r.label);
    expect(stacks.sort()).toEqual(['stack of thread 3060', 'stack of thread 4544']);
    const img = info.regions.find((r) => r.kind === 'image')!;
    expect(img.label).toBe('image of ntdll.dll');
    expect(regionAt(info.regions, img.start)!.label).toBe('image of ntdll.dll');
    const stack = info.regions.find((r) => r.label === 'stack of thread 3060')!;
    expect(regionAt(info.regions, stack.start + 10)!.label).toBe('stack of thread 3060');
    expect(info.regions.filter((r) => r.kind === 'registers').length).toBe(3);
    expect(info.regions.some((r) => r.kind === 'string' && r.label === 'CSD version Service Pack 2')).toBe(true);
  });

  it('handles the old Breakpad-macOS padded list layout', () => {
    const info = parse(fixture('symbolic-crash_macos.dmp'));
    expect(info.regions.filter((r) => r.label.startsWith('module name')).length).toBe(43);
    expect(info.regions.some((r) => r.label === 'image of crash_macos')).toBe(true);
    expect(info.regions.some((r) => r.label === 'stack of thread 775')).toBe(true);
  });

  it('exposes Linux text streams as redactable stream regions', () => {
    const info = parse(fixture('linux-mini.dmp'));
    for (const s of ['LinuxEnviron', 'LinuxCmdLine', 'LinuxMaps', 'LinuxProcStatus']) {
      const r = info.regions.find((x) => x.label === `${s} stream`)!;
      expect(r.kind).toBe('stream');
      expect(info.structural.some((x) => overlaps(x, r))).toBe(false);
    }
    const auxv = info.regions.find((x) => x.label === 'LinuxAuxv stream')!;
    expect(uncovered(auxv, info.structural)).toBe(0);
  });

  it('parses Crashpad annotations and module lists (simple-crashpad.dmp)', () => {
    const info = parse(fixture('simple-crashpad.dmp'));
    expect(info.regions.filter((r) => r.label.startsWith('module name')).length).toBe(40);
    expect(info.regions.some((r) => r.kind === 'stack')).toBe(true);
  });
});

describe('minidump: synthetic full dump (Memory64List)', () => {
  const gen = makeFullMinidump(42);
  const buf: Buffer = gen.bytes;
  const info = parse(buf);

  it('lists every Memory64List range at the right file offset and address', () => {
    expect(info.warnings).toEqual([]);
    const mem = memoryRegions(info.regions).map((r) => ({ start: r.start, end: r.end, address: r.address }));
    expect(mem).toEqual(gen.layout);
  });

  it('labels stacks by virtual address (thread names), the module image and private heap', () => {
    const last = gen.layout[gen.layout.length - 1];
    expect(regionAt(info.regions, last.start + 1)!.label).toBe('stack of thread 101');
    expect(regionAt(info.regions, gen.layout[gen.layout.length - 2].start)!.label).toBe('stack of thread 100 (main)');
    expect(regionAt(info.regions, gen.layout[2].start)!.label).toBe('image of synth.dll');
    expect(regionAt(info.regions, gen.layout[5].start)!.kind).toBe('heap');
    expect(regionAt(info.regions, 2)).toBeUndefined(); // the header is no region: findings there say "raw"
  });

  it('agrees with the independent parser', () => {
    if (!hasPython()) return;
    const dir = mkdtempSync(join(tmpdir(), 'md64-'));
    writeFileSync(join(dir, 'full.dmp'), buf);
    const ind = independentRanges(join(dir, 'full.dmp'));
    expect(ind.memory.map(([s, e]) => [s, e])).toEqual(gen.layout.map((l: { start: number; end: number }) => [l.start, l.end]));
    for (const [s, e] of ind.structure) expect(uncovered({ start: s, end: e }, info.structural)).toBe(0);
  });

  it('keeps thread context flags and CodeView GUIDs structural, registers redactable', () => {
    const regs = info.regions.filter((r) => r.kind === 'registers');
    expect(regs.length).toBe(2);
    for (const r of regs) {
      expect(uncovered({ start: r.start + 0x30, end: r.start + 0x34 }, info.structural)).toBe(0);
      expect(uncovered({ start: r.start + 0x78, end: r.start + 0x400 }, info.structural)).toBe(0x400 - 0x78);
    }
  });

  it('truncated anywhere: warns, never throws, stays in bounds', () => {
    for (let cut = 0; cut < buf.length; cut += 97) {
      const t = buf.subarray(0, cut);
      const i = parse(t);
      expect(violation(i, cut)).toBeUndefined();
      if (cut > 64 && cut < buf.length - 1) expect(i.warnings.length).toBeGreaterThan(0);
    }
  });
});

describe('regionAt', () => {
  it('picks the innermost region, then the more specific kind', () => {
    const rs: Region[] = [
      { start: 0, end: 100, kind: 'memory', label: 'm' },
      { start: 10, end: 50, kind: 'image', label: 'i' },
      { start: 20, end: 30, kind: 'string', label: 's' },
      { start: 10, end: 50, kind: 'stack', label: 'st' },
    ];
    expect(regionAt(rs, 5)!.label).toBe('m');
    expect(regionAt(rs, 15)!.label).toBe('st');
    expect(regionAt(rs, 25)!.label).toBe('s');
    expect(regionAt(rs, 30)!.label).toBe('st');
    expect(regionAt(rs, 100)).toBeUndefined();
    // Large sets go through the segment index and must agree with the linear scan.
    const many: Region[] = [];
    for (let i = 0; i < 500; i++) many.push({ start: i * 7, end: i * 7 + 20 + (i % 13), kind: i % 3 ? 'memory' : 'stack', label: `r${i}` });
    const linear = (o: number) => {
      let best: Region | undefined;
      for (const r of many)
        if (o >= r.start && o < r.end && (!best || r.end - r.start < best.end - best.start || (r.end - r.start === best.end - best.start && r.kind === 'stack' && best.kind !== 'stack'))) best = r;
      return best;
    };
    for (let o = 0; o < 3600; o += 3) expect(regionAt(many, o)?.end! - regionAt(many, o)?.start!, `${o}`).toBe(linear(o) ? linear(o)!.end - linear(o)!.start : NaN);
  });
});

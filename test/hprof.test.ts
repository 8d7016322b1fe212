import { describe, expect, it } from 'vitest';
import { detectFormat, regionAt } from '../src/formats/index.js';
// @ts-expect-error plain ESM generator without types
import { makeHprof } from '../fixtures/gen/dumps.mjs';
import { overlaps, reader, uncovered, violation } from './helpers/formats.js';

const parse = (buf: Buffer) => detectFormat(reader(buf), buf.length);

describe('HPROF', () => {
  const gen = makeHprof(5);
  const buf: Buffer = gen.bytes;
  const info = parse(buf);

  it('asks for the UTF-16BE view and labels primitive arrays', () => {
    expect(info.format).toBe('hprof');
    expect(info.extraViews).toEqual(['utf16be']);
    expect(info.warnings).toEqual([]);
    expect(regionAt(info.regions, gen.layout.chars.start)!.label).toBe('char[27]');
    expect(regionAt(info.regions, gen.layout.latin1.start)!.label).toBe('byte[27]');
    expect(regionAt(info.regions, gen.layout.utf8.start)!.label).toBe('HPROF UTF8 string');
  });

  it('keeps payloads redactable and every record/sub-record header structural', () => {
    for (const k of ['chars', 'latin1', 'utf8'] as const) {
      expect(info.structural.some((s) => overlaps(s, gen.layout[k])), k).toBe(false);
    }
    const payload = info.regions.filter((r) => r.kind === 'string' || r.label.startsWith('int[')).reduce((n, r) => n + r.end - r.start, 0);
    const structural = info.structural.reduce((n, s) => n + s.end - s.start, 0);
    expect(structural + payload).toBe(buf.length); // everything else is structure
    expect(uncovered({ start: 0, end: 31 }, info.structural)).toBe(0);
  });

  it('truncated or corrupted: warns, never throws', () => {
    for (let cut = 0; cut < buf.length; cut += 7) {
      const i = parse(buf.subarray(0, cut));
      expect(violation(i, cut)).toBeUndefined();
    }
    const bad = Buffer.from(buf);
    bad[gen.layout.chars.start - 1] = 0x7f; // unknown primitive type
    const i = parse(bad);
    expect(i.warnings.some((w) => /malformed/.test(w))).toBe(true);
  });
});

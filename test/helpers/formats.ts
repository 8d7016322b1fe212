// Shared helpers for the format tests: buffer readers, invariants, the independent Python parser.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FormatInfo, ReadAt, Span } from '../../src/types.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'minidumps');

export const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
export const minidumpFixtures = (): string[] =>
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.dmp'))
    .sort();

export const reader =
  (buf: Buffer): ReadAt =>
  (o, l) =>
    buf.subarray(o, o + l);

/** Invariants every FormatInfo must satisfy, whatever the input. Returns the first violation. */
export function violation(info: FormatInfo, size: number): string | undefined {
  if (!['minidump', 'elf-core', 'hprof', 'raw'].includes(info.format)) return `format ${info.format}`;
  for (const r of info.regions) {
    if (!(r.start >= 0 && r.end > r.start && r.end <= size)) return `region ${r.start}-${r.end} outside ${size}`;
    if (typeof r.label !== 'string' || r.label.length > 300) return 'bad label';
  }
  let prev = -1;
  for (const s of info.structural) {
    if (!(s.start > prev && s.end > s.start && s.end <= size)) return `structural ${s.start}-${s.end} unsorted/outside`;
    prev = s.end;
  }
  if (info.regions.length > size / 4 + 64) return `${info.regions.length} regions for ${size} bytes`;
  if (!info.warnings.every((w) => typeof w === 'string' && w.length < 400)) return 'bad warning';
  return undefined;
}

export const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

/** Bytes of `s` not covered by the sorted, merged `cover`. */
export function uncovered(s: Span, cover: Span[]): number {
  let missing = s.end - s.start;
  for (const c of cover) {
    const lo = Math.max(s.start, c.start);
    const hi = Math.min(s.end, c.end);
    if (hi > lo) missing -= hi - lo;
  }
  return missing;
}

export interface IndependentRanges {
  format: string;
  memory: [number, number, string][];
  structure: [number, number][];
}

let python: boolean | undefined;
export function hasPython(): boolean {
  if (python === undefined) {
    try {
      execFileSync('python3', ['--version'], { stdio: 'ignore' });
      python = true;
    } catch {
      python = false;
    }
  }
  return python;
}

/** Memory ranges and structure as listed by test/helpers/dumpranges.py (shares no code with src/). */
export function independentRanges(file: string): IndependentRanges {
  const out = execFileSync('python3', [join(import.meta.dirname, 'dumpranges.py'), file], { encoding: 'utf8' });
  return JSON.parse(out) as IndependentRanges;
}

// Accumulates what a parser learns; caps keep memory bounded on hostile input.
import type { FormatInfo, Region, RegionKind } from '../types.js';
import { SpanSet } from './reader.js';

const MAX_REGIONS = 1_000_000;
/** Loop iterations one parse may spend (lists, notes, overlaps): hostile counts cannot make it hang. */
const WORK_LIMIT = 4_000_000;
const MAX_WARNINGS = 200;

export class Collector {
  readonly regions: Region[] = [];
  readonly structural = new SpanSet();
  readonly warnings: string[] = [];
  private regionCapHit = false;
  private work = 0;
  private droppedWarnings = 0;
  /** Labels are cheap next to the bytes they label; a tiny file cannot ask for a million. */
  private readonly maxRegions: number;

  constructor(readonly size: number) {
    this.maxRegions = Math.min(MAX_REGIONS, 256 + Math.floor(size / 64));
  }

  region(start: number, end: number, kind: RegionKind, label: string, address?: bigint): void {
    const s = Math.max(0, start);
    const e = Math.min(this.size, end);
    if (!(e > s)) return;
    if (this.regions.length >= this.maxRegions) {
      if (!this.regionCapHit) this.warn(`more than ${this.maxRegions} regions; later ones are unlabelled (bytes still scanned raw)`);
      this.regionCapHit = true;
      return;
    }
    const r: Region = { start: s, end: e, kind, label: cleanLabel(label) };
    if (address !== undefined) r.address = address;
    this.regions.push(r);
  }

  /** Spends `n` units of the work budget; false (after one warning) once it is exhausted. */
  step(n = 1): boolean {
    if (this.work > WORK_LIMIT) return false;
    this.work += n;
    if (this.work <= WORK_LIMIT) return true;
    this.warn('parse work limit reached (hostile counts?); remaining structure not parsed, bytes still scanned raw');
    return false;
  }

  /** True once no more regions will be kept: label loops can stop early. */
  get full(): boolean {
    return this.regions.length >= this.maxRegions;
  }

  get exhausted(): boolean {
    return this.work > WORK_LIMIT;
  }

  struct(start: number, end: number): void {
    this.structural.add(start, end, this.size);
  }

  warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(cleanLabel(message, 300));
    else this.droppedWarnings++;
  }

  result(format: FormatInfo['format'], extraViews: FormatInfo['extraViews'] = []): FormatInfo {
    const warnings = [...this.warnings];
    if (this.droppedWarnings) warnings.push(`${this.droppedWarnings} further warnings suppressed`);
    return { format, regions: this.regions, structural: this.structural.result(), extraViews, warnings };
  }
}

/** Labels quote dump contents (module, thread, file names): printable, one line, bounded. */
function cleanLabel(label: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = label.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/g, '?');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

// Accumulates what a parser learns; caps keep memory bounded on hostile input.
import type { FormatInfo, Region, RegionKind } from '../types.js';
import { SpanSet } from './reader.js';

export const MAX_REGIONS = 1_000_000;
const MAX_WARNINGS = 200;

export class Collector {
  readonly regions: Region[] = [];
  readonly structural = new SpanSet();
  readonly warnings: string[] = [];
  private regionCapHit = false;
  private droppedWarnings = 0;

  constructor(readonly size: number) {}

  region(start: number, end: number, kind: RegionKind, label: string, address?: bigint): void {
    const s = Math.max(0, start);
    const e = Math.min(this.size, end);
    if (!(e > s)) return;
    if (this.regions.length >= MAX_REGIONS) {
      if (!this.regionCapHit) this.warn(`more than ${MAX_REGIONS} regions; later ones are unlabelled (bytes still scanned raw)`);
      this.regionCapHit = true;
      return;
    }
    const r: Region = { start: s, end: e, kind, label: cleanLabel(label) };
    if (address !== undefined) r.address = address;
    this.regions.push(r);
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
export function cleanLabel(label: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = label.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/g, '?');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

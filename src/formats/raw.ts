// Raw memory image (or anything unrecognised): one region over every byte, no structure.
import type { FormatInfo } from '../types.js';

export function rawFormat(size: number, warnings: string[] = []): FormatInfo {
  return {
    format: 'raw',
    regions: size > 0 ? [{ start: 0, end: size, kind: 'raw', label: 'raw' }] : [],
    structural: [],
    extraViews: [],
    warnings,
  };
}

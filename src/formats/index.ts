// Format detection: a hint for labels and for bytes redaction must not touch. Never throws.
import type { FormatInfo, ReadAt } from '../types.js';
import { parseElfCore } from './elf-core.js';
import { parseHprof } from './hprof.js';
import { MDMP_SIGNATURE, parseMinidump } from './minidump.js';
import { rawFormat } from './raw.js';
import { Bytes } from './reader.js';

export { regionAt } from './region-at.js';
export { rawFormat } from './raw.js';

/** Parses the dump's structure; on any doubt warns and falls back (the pipeline scans every byte anyway). */
export function detectFormat(readAt: ReadAt, size: number): FormatInfo {
  let name = 'raw';
  try {
    if (!Number.isSafeInteger(size) || size < 0) return rawFormat(0, [`invalid file size ${size}`]);
    const b = new Bytes(readAt, size);
    const head = b.slice(0, Math.min(size, 20));
    if (head.length >= 4 && head.readUInt32LE(0) === MDMP_SIGNATURE) {
      name = 'minidump';
      return withRaw(parseMinidump(b), size);
    }
    if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) {
      name = 'ELF core';
      return withRaw(parseElfCore(readAt, size), size);
    }
    if (head.length >= 13 && head.subarray(0, 13).toString('latin1') === 'JAVA PROFILE ') {
      name = 'HPROF';
      return withRaw(parseHprof(readAt, size), size);
    }
    return rawFormat(size);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return rawFormat(size, [`${name} parser failed (${why.slice(0, 200)}); whole file scanned raw`]);
  }
}

/** A parser that found nothing usable degrades to raw, keeping its warnings. */
function withRaw(info: FormatInfo, size: number): FormatInfo {
  if (info.format === 'raw') return info;
  if (info.regions.length === 0 && info.structural.length === 0) return rawFormat(size, info.warnings);
  return info;
}

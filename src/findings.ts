// From hits (which carry secret bytes) to findings (which never do): fingerprint, preview, region.
import { createHash } from 'node:crypto';
import type { Finding, Hit, Region } from './types.js';
import type { Allowlist } from './options.js';

export function fingerprintOf(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/** At most a 4-character prefix of long text secrets (usually a public token prefix), then the length. */
export function maskedPreview(hit: Hit): string {
  const len = hit.secret.length;
  if (hit.encoding === 'binary') return `<${len} bytes>`;
  const text = hit.secret.toString('latin1');
  const prefix = len >= 20 && /^[\x21-\x7e]{4}/.test(text) ? text.slice(0, 4) : '';
  return `${prefix}****(${len} chars)`;
}

/** Returns a function that labels an offset with the most specific region holding it. */
export function regionLabeler(regions: readonly Region[]): (offset: number) => Region | undefined {
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  return (offset) => {
    let best: Region | undefined;
    for (const r of sorted) {
      if (r.start > offset) break;
      if (offset < r.end && (!best || r.end - r.start <= best.end - best.start)) best = r;
    }
    return best;
  };
}

export function toFinding(hit: Hit, region: Region | undefined): Finding {
  const f: Finding = {
    ruleId: hit.ruleId,
    start: hit.start,
    end: hit.end,
    encoding: hit.encoding,
    fingerprint: fingerprintOf(hit.secret),
    preview: maskedPreview(hit),
    region: region?.label ?? 'raw',
  };
  if (region?.address !== undefined) f.address = `0x${(region.address + BigInt(hit.start - region.start)).toString(16)}`;
  if (hit.note) f.note = hit.note;
  return f;
}

/** True when the user's allowlist silences this hit (never used by the verify pass). */
export function isAllowlisted(hit: Hit, allow: Allowlist, regexes: readonly RegExp[]): boolean {
  if (allow.ruleIds.includes(hit.ruleId)) return true;
  if (allow.fingerprints.length && allow.fingerprints.includes(fingerprintOf(hit.secret))) return true;
  if (regexes.length) {
    const text = hit.secret.toString('latin1');
    if (regexes.some((r) => r.test(text))) return true;
  }
  return false;
}

// From hits (which carry secret bytes) to findings (which never do): fingerprint, preview, region.
import { createHash } from 'node:crypto';
import { COPY_PREFIX } from './detectors/copies.js';
import type { Finding, Hit, Region } from './types.js';
import type { Allowlist } from './options.js';
import { builtinRules, type Family } from './rules/index.js';

export function fingerprintOf(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/** A token's public format marker ("ghp_", "xoxb-", "AKIA", "eyJ"), shown to tell findings apart; never secret text. */
const PUBLIC_PREFIX = /^(?:[A-Za-z]{2,6}[_-]|AKIA|ASIA|AIza|eyJ|-----BEGIN)/;

export function maskedPreview(hit: Hit): string {
  const len = hit.secret.length;
  if (hit.encoding === 'binary') return `<${len} bytes>`;
  const prefix = len >= 16 ? (PUBLIC_PREFIX.exec(hit.secret.subarray(0, 16).toString('latin1'))?.[0] ?? '') : '';
  return `${prefix}****(${len} chars)`;
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
  if (allow.ruleIds.includes(hit.ruleId) || allow.ruleIds.includes(originalRule(hit.ruleId))) return true;
  if (allow.fingerprints.length && allow.fingerprints.includes(fingerprintOf(hit.secret))) return true;
  if (regexes.length) {
    const text = hit.secret.toString('latin1');
    if (regexes.some((r) => r.test(text))) return true;
  }
  return false;
}

/** How specific a rule is: an entropy guess < a generic assignment/header rule < a provider or key rule. */
type Specificity = (ruleId: string) => number;

/**
 * One finding per span: identical spans keep the most specific rule (the others are named in the
 * note), and an entropy guess inside a span some rule already explains is dropped. Redaction is
 * unchanged by this: the surviving hits cover every byte the dropped ones did.
 */
export function collapseHits(hits: readonly Hit[], rank: Specificity): Hit[] {
  const bySpan = new Map<string, Hit[]>();
  for (const h of hits) {
    const key = `${h.start}:${h.end}`;
    const list = bySpan.get(key);
    if (list) list.push(h);
    else bySpan.set(key, [h]);
  }
  const kept: Hit[] = [];
  for (const list of bySpan.values()) {
    list.sort((a, b) => rank(b.ruleId) - rank(a.ruleId));
    const [best, ...rest] = list;
    const also = [...new Set(rest.map((h) => h.ruleId))].filter((id) => id !== best.ruleId);
    kept.push(also.length ? { ...best, note: [best.note, `also: ${also.join(', ')}`].filter(Boolean).join('; ') } : best);
  }
  kept.sort((a, b) => a.start - b.start || a.end - b.end);
  // prefix maximum of ends over the explained (non-guess) hits, for an O(log n) containment test
  const explained = kept.filter((h) => rank(h.ruleId) > 0);
  const maxEnd: number[] = [];
  for (const h of explained) maxEnd.push(Math.max(maxEnd[maxEnd.length - 1] ?? -1, h.end));
  return kept.filter((h) => {
    if (rank(h.ruleId) > 0) return true;
    let lo = 0;
    let hi = explained.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (explained[mid].start <= h.start) lo = mid + 1;
      else hi = mid;
    }
    return !(lo > 0 && maxEnd[lo - 1] >= h.end);
  });
}

const GENERIC_FAMILIES = new Set<Family>(['generic', 'http', 'cookies', 'config-file']);
const FAMILY = new Map(builtinRules.map((r) => [r.id, r.family]));

/** The rule that found the value a `copy-of-<rule>` finding is a copy of (the id itself otherwise). */
function originalRule(ruleId: string): string {
  return ruleId.startsWith(COPY_PREFIX) ? ruleId.slice(COPY_PREFIX.length) : ruleId;
}

/** Built-in ranking: entropy guesses 0, generic rules 1, provider/key rules and binary detectors 2; a copy ranks as what found its value. */
export const specificity: Specificity = (id) => {
  const ruleId = originalRule(id);
  if (ruleId.startsWith('entropy')) return 0;
  const family = FAMILY.get(ruleId);
  return family && GENERIC_FAMILIES.has(family) ? 1 : 2;
};

// The values of what the first pass found, as learned values for the copy hunt: each distinct
// value once, a short one with the keyword / assignment prefix it was found behind, none made of a
// repeated pattern.
import { createHash } from 'node:crypto';
import type { Encoding, Hit, LearnedValue } from './types.js';
import { COPY_PREFIX, MIN_BARE } from './detectors/copies.js';
import { specificity } from './findings.js';

/** Reads `length` bytes at `offset` of the input (fewer at its start). */
type ReadBefore = (offset: number, length: number) => Buffer;

const UNIT: Record<Encoding, number> = { ascii: 1, utf16le: 2, utf16be: 2, utf32le: 4, utf32be: 4, binary: 1 };
/** Characters looked at before a short value for its context. */
const CONTEXT_CHARS = 40;

/** Text of `raw` in `encoding` (latin1 code units), NUL for anything that is not one plain character. */
function charsOf(raw: Buffer, encoding: Encoding): string {
  const unit = UNIT[encoding];
  let s = '';
  for (let i = 0; i + unit <= raw.length; i += unit) {
    let c: number;
    if (encoding === 'utf16le') c = raw[i + 1] ? 0 : raw[i];
    else if (encoding === 'utf16be') c = raw[i] ? 0 : raw[i + 1];
    else if (encoding === 'utf32le') c = raw[i + 1] || raw[i + 2] || raw[i + 3] ? 0 : raw[i];
    else if (encoding === 'utf32be') c = raw[i] || raw[i + 1] || raw[i + 2] ? 0 : raw[i + 3];
    else c = raw[i];
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * The prefix a value was found behind: up to 4 separator characters (quotes, blanks, `:`, `=`)
 * and the name before them (`DB_PASSWORD=`, `"password": "`); null without a name of 3+ letters.
 */
export function contextOf(before: string): string | null {
  const m = /([A-Za-z0-9_.-]{3,32})([^A-Za-z0-9_.\x00-\x1f\x7f-\xff-]{1,4})$/.exec(before);
  if (!m || !/[A-Za-z]{3}/.test(m[1])) return null;
  return m[1] + m[2];
}

/**
 * True for a value made of very few byte values, of a short repeated unit (`AAAA…`,
 * `password=password=…`), or, when long, half of it such a unit (`>abcdef0123456789abcdef…`): filler and
 * keyword runs look like that, a secret does not, and hunted such a value's pieces match all along
 * every run of its pattern.
 */
export function patterned(v: Buffer): boolean {
  const seen = new Set<number>();
  for (const b of v) seen.add(b);
  if (seen.size < 6) return true;
  const need = v.length >= 16 ? v.length >> 1 : v.length;
  for (let p = 1; p <= Math.min(MAX_UNIT, v.length >> 1); p++) {
    let run = 0;
    for (let i = p; i < v.length; i++) {
      run = v[i] === v[i - p] ? run + 1 : 0;
      // a stretch of run + p bytes repeats a unit of p, at least twice
      if (run + p >= need && run >= p) return true;
    }
  }
  return false;
}

/** Longest repeated unit looked for; keyword soup repeats words and hex alphabets, not paragraphs. */
const MAX_UNIT = 32;

function fingerprint(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 12);
}

/** Secret values of `hits` (copies excluded), one per value and context. */
export function foundValues(hits: readonly Hit[], read: ReadBefore): LearnedValue[] {
  const out = new Map<string, LearnedValue>();
  for (const h of hits) {
    // entropy guesses are not hunted: a random-looking string a program repeats is not a secret's copy
    if (h.ruleId.startsWith(COPY_PREFIX) || specificity(h.ruleId) === 0 || !h.secret.length) continue;
    const text = h.encoding !== 'binary';
    let context: Buffer | undefined;
    if (patterned(h.secret)) continue;
    if (h.secret.length < MIN_BARE) {
      if (!text) continue;
      const unit = UNIT[h.encoding];
      const from = Math.max(0, h.start - CONTEXT_CHARS * unit);
      const c = contextOf(charsOf(read(from, h.start - from), h.encoding));
      if (!c) continue;
      context = Buffer.from(c, 'latin1');
    }
    const key = `${h.secret.toString('hex')}:${context?.toString('hex') ?? ''}`;
    const old = out.get(key);
    // the same value found by several rules: the smallest rule id names its copies
    if (old && old.kind === 'secret-value' && old.ruleId <= h.ruleId) continue;
    out.set(key, { kind: 'secret-value', label: `${h.ruleId} value sha256:${fingerprint(h.secret)}`, ruleId: h.ruleId, value: h.secret, text, context });
  }
  return [...out.values()];
}

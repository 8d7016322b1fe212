// Copies of found values: once a detector has found a secret, every other copy of its value is a
// literal search away, whatever surrounds it. Each value is searched in every encoding the rules
// know, and as pieces (freed memory loses a copy's first bytes, a buffer boundary cuts its tail).
import type { DetectContext, Detection, Detector, Encoding, Hit, LearnedValue } from '../types.js';
import { RunIndex } from '../codec/multi-search.js';
import { gramSampler } from './gram-kernel.js';
import type { RunNeedle } from '../codec/multi-search.js';
import { base64Phases } from '../codec/base64.js';
import { encodeUtf32 } from '../views/utf32.js';

type SecretValue = Extract<LearnedValue, { kind: 'secret-value' }>;

/** Rule id prefix of a copy: `copy-of-<rule id of the finding whose value it is>`. */
export const COPY_PREFIX = 'copy-of-';

/**
 * Shortest value hunted bare; shorter ones only behind the context they were found with.
 * Measured (eval/suites/copies-shortvalues.mjs, clean gcores of a Node and a Python process, ASCII,
 * UTF-16LE, UTF-32LE and hex views): a value drawn uniformly from its alphabet stays under one
 * chance hit per GiB across 10,000 hunted values from 10 characters (digits), 8 (hex, lower case)
 * or 7 (alphanumeric, base64url, printable). People's passwords are not uniform draws, so 12.
 */
export const MIN_BARE = 12;

/** A piece of a value this long (in value bytes) is a copy; a whole value shorter than this is hunted whole. */
const MIN_FRAGMENT = 16;

/** Longest value hunted: a longer one is hunted by its first MAX_VALUE bytes. */
const MAX_VALUE = 4096;

/**
 * Longest value whose pieces count (text, binary). A key structure (DER, a key blob, a PEM body)
 * holds its public modulus and exponent too: a piece of it can be a certificate's public key, so
 * longer values count whole only (their private components are hunted by the key detectors).
 */
const PIECES_UP_TO = { text: 256, binary: 64 };

/**
 * Needle bytes the copy hunt indexes at most (10 bytes of index each, per scanning thread): about
 * 5000 distinct values of 40 characters. More found values than fit fail the run closed.
 */
export const MAX_HUNT_BYTES = 4 * 1024 * 1024;

/** Whether the hunt of these values fits its cap. */
export function huntFits(size: { needles: number; bytes: number }): boolean {
  return size.bytes <= MAX_HUNT_BYTES;
}

interface Form {
  bytes: Buffer;
  encoding: Encoding;
  /** Encoded bytes per value byte, for the shortest piece that counts. */
  scale: number;
  unit: number;
  /** Encoded length of the context before the value (forms of short values); the hit starts after it. */
  skip: number;
  form: string;
}

const urlEncoded = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const jsonEscaped = (s: string) => JSON.stringify(s).slice(1, -1);

function utf16be(s: string): Buffer {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return b;
}

/** The forms a text (context + value) takes in memory, with the context's encoded length in each. */
function textForms(context: string, value: string, withBinaryForms: boolean): Form[] {
  const whole = context + value;
  const out: Form[] = [];
  const add = (encode: (s: string) => Buffer, encoding: Encoding, scale: number, unit: number, form: string) => {
    out.push({ bytes: encode(whole), encoding, scale, unit, skip: context ? encode(context).length : 0, form });
  };
  add((s) => Buffer.from(s, 'utf8'), 'ascii', 1, 1, 'text');
  add((s) => Buffer.from(s, 'utf16le'), 'utf16le', 2, 2, 'UTF-16LE');
  add(utf16be, 'utf16be', 2, 2, 'UTF-16BE');
  add((s) => encodeUtf32(s, false), 'utf32le', 4, 4, 'UTF-32LE');
  add((s) => encodeUtf32(s, true), 'utf32be', 4, 4, 'UTF-32BE');
  add((s) => Buffer.from(urlEncoded(s), 'latin1'), 'ascii', 1, 1, 'URL-encoded');
  add((s) => Buffer.from(jsonEscaped(s), 'utf8'), 'ascii', 1, 1, 'JSON-escaped');
  if (withBinaryForms) out.push(...binaryForms(Buffer.from(value, 'utf8'), 'ascii'));
  return out;
}

/** Hex and base64 forms of bytes (and the raw bytes themselves for key material). */
function binaryForms(raw: Buffer, rawEncoding: Encoding | null): Form[] {
  const out: Form[] = [];
  if (rawEncoding === 'binary') out.push({ bytes: raw, encoding: 'binary', scale: 1, unit: 1, skip: 0, form: 'raw' });
  out.push({ bytes: Buffer.from(raw.toString('hex'), 'latin1'), encoding: 'ascii', scale: 2, unit: 1, skip: 0, form: 'hex' });
  out.push({ bytes: Buffer.from(raw.toString('hex').toUpperCase(), 'latin1'), encoding: 'ascii', scale: 2, unit: 1, skip: 0, form: 'HEX' });
  for (const url of [false, true]) {
    for (const s of base64Phases(raw, url)) out.push({ bytes: Buffer.from(s, 'latin1'), encoding: 'ascii', scale: 4 / 3, unit: 1, skip: 0, form: url ? 'base64url' : 'base64' });
  }
  return out;
}

/** Every form a found value is hunted in; none for a short value without context. */
export function formsOf(v: SecretValue): Form[] {
  const raw = v.value.subarray(0, MAX_VALUE);
  const short = raw.length < MIN_BARE;
  if (short && !v.context?.length) return [];
  if (!v.text) return binaryForms(raw, 'binary');
  const value = raw.toString('utf8');
  // a short value only with its context; hex or base64 of "context + value" is not a thing programs write
  const forms = short ? textForms(v.context!.toString('latin1'), value, false) : textForms('', value, true);
  const seen = new Set<string>();
  return forms.filter((f) => {
    const k = `${f.encoding}:${f.skip}:${f.bytes.toString('hex')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Needles and needle bytes the hunt of these values would index (to check the caps before building it). */
export function huntSize(values: readonly LearnedValue[]): { needles: number; bytes: number } {
  let needles = 0;
  let bytes = 0;
  for (const v of values) {
    if (v.kind !== 'secret-value') continue;
    for (const f of formsOf(v)) (needles++, (bytes += f.bytes.length));
  }
  return { needles, bytes };
}

interface Plan {
  index: RunIndex;
  forms: Array<Form & { value: SecretValue }>;
}

function planOf(values: SecretValue[]): Plan {
  const forms: Plan['forms'] = [];
  for (const v of values) for (const f of formsOf(v)) forms.push({ ...f, value: v });
  const needles: RunNeedle[] = forms.map((f) => ({
    bytes: f.bytes,
    unit: f.unit,
    // a short value's form counts whole only (its context is what makes it safe), so does a long one; others from a piece
    minRun: f.skip || f.value.value.length > PIECES_UP_TO[f.value.text ? 'text' : 'binary'] ? f.bytes.length : Math.min(f.bytes.length, Math.ceil(MIN_FRAGMENT * f.scale)),
  }));
  return { index: new RunIndex(needles, gramSampler), forms };
}

// one plan per context: chunks of one scan share their context object's learned list
const plans = new WeakMap<readonly LearnedValue[], Plan | null>();

function planFor(learned: readonly LearnedValue[]): Plan | null {
  let p = plans.get(learned);
  if (p === undefined) {
    const values = learned.filter((v): v is SecretValue => v.kind === 'secret-value');
    p = values.length ? planOf(values) : null;
    plans.set(learned, p);
  }
  return p;
}

/** Copies of found values in `bytes`, with the rule id `copy-of-<rule>` and the value as secret (same fingerprint). */
export function copyHits(bytes: Buffer, learned: readonly LearnedValue[]): Hit[] {
  const plan = planFor(learned);
  if (!plan) return [];
  const hits: Hit[] = [];
  for (const r of plan.index.search(bytes)) {
    const f = plan.forms[r.needle];
    // the context is not the secret: the hit is the value part
    const start = f.skip ? r.start + f.skip - r.offset : r.start;
    const whole = r.offset === 0 && r.end - r.start === f.bytes.length;
    hits.push({
      start,
      end: r.end,
      ruleId: COPY_PREFIX + f.value.ruleId,
      encoding: f.encoding,
      secret: f.value.value,
      note: `copy of a value found by ${f.value.ruleId} (${f.form}${whole ? '' : ', piece'})`,
    });
  }
  return outermost(hits);
}

/**
 * Hits not inside a longer one (UTF-16LE text read one byte later is a piece of its UTF-16BE form);
 * copies of one value back to back or overlapping are one finding (a repeated buffer, not thousands).
 */
function outermost(hits: Hit[]): Hit[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Hit[] = [];
  let end = -1;
  for (const h of hits) {
    if (h.end <= end) continue;
    const last = out[out.length - 1];
    if (last && h.start <= last.end && last.secret === h.secret && last.encoding === h.encoding) last.end = h.end;
    else out.push(h);
    end = h.end;
  }
  return out;
}

export const copiesDetector: Detector = {
  id: 'copies',
  name: 'Copies of found values',
  description: 'Every value another detector found, searched across the input in every encoding (text, UTF-16/32, hex, base64, URL, JSON) and as pieces of 16 bytes or more',
  kind: 'binary',
  maxSpan: 4 * MAX_VALUE + 256,
  detect(bytes: Buffer, ctx: DetectContext): Detection {
    return { hits: copyHits(bytes, ctx.learned) };
  },
};

// The rules engine: keyword prefilter -> regex in a window around each keyword -> validators,
// on every text view of the chunk (latin1, UTF-16LE both alignments, UTF-16BE on request, UTF-32LE/BE
// at all four alignments).
import type { Detection, Detector, DetectContext, EntropyLevel, Hit } from '../types.js';
import type { Rule, ValidatorName } from '../rules/schema.js';
import type { TextView } from '../views/view.js';
import { latin1View } from '../views/view.js';
import { utf16ViewFast, utf32ViewsFast } from './wide-kernel.js';
import { withChunk } from './text-kernel.js';
import { escapedView } from '../views/decode.js';
import { KeywordIndex } from './prefilter.js';
import { isPlaceholder, runValidator, shannon } from './validators.js';
import { ALL_T, CONTEXT_KEYWORDS, TOK, entropyAll, entropyNear } from './entropy.js';
import { tokenRuns } from './token-runs.js';

/** Context around a window so look-behinds at its edge see real characters. */
const PAD = 64;
/** Most start positions tried one by one (sticky) per keyword occurrence. */
const STICKY_MAX = 8;

/** One rule as the hot loops read it: a class, so every plan has one shape whatever fields the rule left out. */
class Plan {
  readonly id: string;
  /** The pattern, global, without match indices: a search asks for them only once it found a match (they slow every try). */
  readonly re: RegExp;
  /** Same pattern, sticky: tried only at the start positions a keyword allows. */
  readonly sticky: RegExp | null;
  /** Same pattern, sticky, with match indices: run again where a match was found, for its groups' spans. */
  readonly spans: RegExp;
  /** How far after the keyword a match may end. */
  readonly reach: number;
  /** How far before the keyword a match may start. */
  readonly before: number;
  /** Sticky rules: text read past a start position (longest keyword + reach + PAD). */
  readonly after: number;
  readonly prefixed: boolean;
  readonly hexToken: boolean;
  readonly validators: ValidatorName[];
  readonly checks: ValidatorName[];
  /** Whether minEntropy applies (a flag, not a -1 that makes the comparison's feedback integer until a rule with 3.5 deopts it). */
  readonly checkEntropy: boolean;
  readonly minEntropy: number;
  readonly rejectPlaceholders: boolean;
  /** Token-run rules: the shortest run tried. */
  readonly minRun: number;
  /** Keyword id -> the form it must have where it was found (case, word edges). */
  readonly forms = new Map<number, KeywordForm>();

  constructor(rule: Rule) {
    this.id = rule.id;
    this.re = new RegExp(rule.pattern, 'g' + rule.flags);
    this.spans = new RegExp(rule.pattern, 'dy' + rule.flags);
    this.reach = Math.max(rule.window ?? 0, rule.maxLen);
    this.before = Math.min(rule.before ?? this.reach, this.reach);
    // a few sticky tries per keyword beat a window scan; beyond STICKY_MAX tries, scan the window
    this.sticky = rule.before !== undefined && rule.before <= STICKY_MAX ? new RegExp(rule.pattern, 'y' + rule.flags) : null;
    this.after = Math.max(0, ...rule.keywords.map((k) => k.length)) + this.reach + PAD;
    this.prefixed = rule.prefixed;
    this.hexToken = rule.hexToken;
    this.validators = rule.validators;
    this.checks = rule.checks;
    this.checkEntropy = rule.minEntropy !== undefined;
    this.minEntropy = rule.minEntropy ?? 0;
    this.rejectPlaceholders = rule.rejectPlaceholders;
    this.minRun = rule.minRun;
  }
}

interface KeywordForm {
  /** The keyword as written in the rule, for an exact-case comparison. */
  bytes: Uint8Array;
  exact: boolean;
  word: boolean;
}

interface RulesDetectorOptions {
  entropy: EntropyLevel;
}

export function rulesDetector(rules: Rule[], opts: RulesDetectorOptions): Detector {
  // rules anchored on token runs, not keywords, get their own pass
  const runRules = rules.filter((r) => r.anchor === 'token-runs');
  const runIds = new Set(runRules.map((r) => r.id));
  rules = rules.filter((r) => r.anchor !== 'token-runs');
  const maxLen = Math.max(1024, ...rules.map((r) => r.maxLen));
  // the keyword index is built on the first detect: listing the catalog needs only the id and counts
  let scanView: ScanView | undefined;
  const allRules = [...rules, ...runRules];
  return {
    id: 'rules',
    name: 'Credential rules',
    description: `${allRules.length} keyword-gated token and credential rules on latin1, UTF-16 and UTF-32 views, plus entropy`,
    kind: 'text',
    // UTF-32 quadruples the bytes of the longest match
    maxSpan: 4 * (maxLen + PAD),
    detect(bytes: Buffer, ctx: DetectContext): Detection {
      scanView ??= compileScan(rules, runRules, runIds);
      const mode = ctx?.entropy ?? opts.entropy;
      const hits: Hit[] = [];
      const scan = scanView;
      // the chunk's bytes go into the WebAssembly kernels once for its latin1, UTF-16 and UTF-32 readings
      withChunk(bytes, () => {
        scan(latin1View(bytes), mode, hits);
        // the wide views are read while the chunk is still in the kernels (scanning a view copies it in)
        const u16 = utf16ViewFast(bytes);
        const u16be = ctx?.extraViews?.includes('utf16be') ? utf16ViewFast(bytes, true) : null;
        const u32 = utf32ViewsFast(bytes);
        const escaped = escapedView(bytes);
        if (escaped) scan(escaped, 'off', hits);
        scan(u16, mode, hits);
        if (u16be) scan(u16be, mode, hits);
        scan(u32.le, mode, hits);
        scan(u32.be, mode, hits);
      });
      return { hits: dedupe(hits) };
    },
  };
}

type ScanView = (view: TextView, mode: EntropyLevel, hits: Hit[]) => void;

/** The keyword index and per-rule plans, and the scan of one view with them. */
function compileScan(rules: Rule[], runRules: Rule[], runIds: Set<string>): ScanView {
  const plans = rules.map((rule) => new Plan(rule));
  const runPlans = runRules.map((rule) => new Plan(rule));
  const index = new KeywordIndex([...rules.flatMap((r) => r.keywords), ...CONTEXT_KEYWORDS]);
  rules.forEach((rule, ri) => {
    for (const f of rule.keywordForms) plans[ri].forms.set(index.id(f.keyword), { bytes: Buffer.from(f.keyword, 'latin1'), exact: f.exact, word: f.word });
  });
  const byKeyword: number[][] = index.keywords.map(() => []);
  rules.forEach((rule, ri) => {
    for (const k of rule.keywords) byKeyword[index.id(k)].push(ri);
  });
  // per keyword, beside each of its rules: the form the rule wants it in (null: any)
  const formsByKeyword = byKeyword.map((list, k) => list.map((ri) => plans[ri].forms.get(k) ?? null));
  const isContext = new Uint8Array(index.keywords.length);
  for (const k of CONTEXT_KEYWORDS) isContext[index.id(k)] = 1;
  const kwLen = index.keywords.map((k) => k.length);
  // token runs as long as the entropy pass or any token-run rule needs (token-run rules' characters are token characters)
  const minTokenRun = Math.min(ALL_T.minLen, ...runRules.map((r) => r.minRun));
  const minRun = Math.min(Infinity, ...runRules.map((r) => r.minRun));

  return function scanView(view: TextView, mode: EntropyLevel, hits: Hit[]): void {
    const buf = view.buf;
    const n = buf.length;
    if (n === 0) return;
    const mark = hits.length;
    const { kw, pos } = index.scan(buf);
    // per rule: merged windows [start, end) as a flat list (made in a loop: one elements kind for all)
    const wins: number[][] = [];
    for (let ri = 0; ri < plans.length; ri++) wins.push([]);
    const ctxPos: number[] = [];
    const ctxLen: number[] = [];
    windows(buf, kw, pos, mode !== 'off', isContext, kwLen, byKeyword, formsByKeyword, plans, wins, ctxPos, ctxLen);
    // the text each rule reads: its windows; for a sticky rule, its start ranges with context around
    const reads: number[][] = [];
    const text = new PagedText(buf);
    for (let ri = 0; ri < plans.length; ri++) {
      const c = plans[ri];
      const r = c.sticky !== null && wins[ri].length > 0 ? around(wins[ri], PAD, c.after, n) : wins[ri];
      reads.push(r);
      text.mark(r);
    }
    text.link();
    for (let ri = 0; ri < plans.length; ri++) {
      const w = wins[ri];
      if (w.length === 0) continue;
      const c = plans[ri];
      if (c.sticky !== null) runAnchored(c, c.sticky, view, w, reads[ri], text, hits);
      else for (let j = 0; j < w.length; j += 2) runRule(c, view, text.get(w[j], w[j + 1]), w[j], w[j + 1], n, hits);
    }
    const runs = runPlans.length || mode === 'all' ? tokenRuns(buf, TOK, minTokenRun) : [];
    if (runPlans.length) scanRuns(view, runPlans, minRun, runIds, mark, hits, runs);
    if (mode !== 'off') entropyNear(view, ctxPos, ctxLen, hits);
    if (mode === 'all') entropyAll(view, hits, runs);
  };
}

/**
 * Each keyword occurrence in the form its rules want opens a window for each, merged per rule into
 * wins[rule]; context keywords go to ctxPos and ctxLen when `context`.
 */
function windows(
  buf: Buffer,
  kw: number[],
  pos: number[],
  context: boolean,
  isContext: Uint8Array,
  kwLen: number[],
  byKeyword: number[][],
  formsByKeyword: (KeywordForm | null)[][],
  plans: Plan[],
  wins: number[][],
  ctxPos: number[],
  ctxLen: number[],
): void {
  const n = buf.length;
  for (let i = 0; i < kw.length; i++) {
    const p = pos[i];
    const k = kw[i];
    if (context && isContext[k] === 1) (ctxPos.push(p), ctxLen.push(kwLen[k]));
    const list = byKeyword[k];
    const forms = formsByKeyword[k];
    for (let j = 0; j < list.length; j++) {
      const ri = list[j];
      const c = plans[ri];
      const form = forms[j];
      if (form !== null && !formOk(buf, p, form)) continue;
      const w = wins[ri];
      const last = w.length - 1;
      if (c.sticky !== null) {
        // candidate start positions [p - before, p], merged per rule
        const s0 = Math.max(0, p - c.before);
        if (last >= 0 && s0 <= w[last] + 1) w[last] = Math.max(w[last], p);
        else w.push(s0, p);
        continue;
      }
      const ws = Math.max(0, p - c.before - PAD);
      const we = Math.min(n, p + kwLen[k] + c.reach + PAD);
      if (last >= 0 && ws <= w[last]) w[last] = Math.max(w[last], we);
      else w.push(ws, we);
    }
  }
}

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLower = (c: number) => c >= 97 && c <= 122;
const isLetter = (c: number) => isUpper(c) || isLower(c);

/** Shortest word keyword that may follow a letter when a key name goes on after it (`…server.gotwilio_TOKEN`). */
const GLUED_WORD_MIN = 5;

/**
 * The keyword at buf[p, p + len) has the rule's form: the same case when exact; as a word, it starts
 * one: no letter before it unless the case turns there (camelCase: `apiKeySecret` holds `Secret`).
 * Memory packs strings with no separator, so a long keyword glued after letters still counts when it
 * is written in one case and a key name's joiner follows: `_ - .`, or the capital of a camelCase name
 * after a lower-case keyword. `…/http/server.gocloudflare_TOKEN` and `…EXT_ENCODINGasanaToken` hold
 * their vendor, but `jaws_key` holds no `aws`, `ScrollBar:` no `rollbar`, `CameraKit` no `meraki`.
 */
function formOk(buf: Uint8Array, p: number, f: KeywordForm): boolean {
  const n = f.bytes.length;
  if (f.exact) for (let i = 0; i < n; i++) if (buf[p + i] !== f.bytes[i]) return false;
  if (!f.word || p === 0) return true;
  const first = buf[p];
  const prev = buf[p - 1];
  if (!isLetter(first) || !isLetter(prev) || (isLower(prev) && isUpper(first))) return true;
  if (n < GLUED_WORD_MIN || p + n >= buf.length) return false;
  const next = buf[p + n];
  if (next === 95 || next === 45 || next === 46) return oneCase(buf, p, p + n);
  return isUpper(next) && allLower(buf, p, p + n);
}

/** No upper-case letter in buf[s, e), and at least one lower-case one. */
function allLower(buf: Uint8Array, s: number, e: number): boolean {
  let lower = false;
  for (let i = s; i < e; i++) {
    if (isUpper(buf[i])) return false;
    lower ||= isLower(buf[i]);
  }
  return lower;
}

/** Letters of buf[s, e) are all lower case or all upper case. */
function oneCase(buf: Uint8Array, s: number, e: number): boolean {
  let lower = false;
  let upper = false;
  for (let i = s; i < e; i++) {
    lower ||= isLower(buf[i]);
    upper ||= isUpper(buf[i]);
  }
  return !(lower && upper);
}

/** Token characters of self-identifying tokens: [A-Za-z0-9_-], and + / of a base64 body. */
const TOKCH = new Uint8Array(256);
for (let c = 0; c < 256; c++) TOKCH[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 43 || c === 47 ? 1 : 0;

/**
 * Rules anchored on token runs: each run of at least the rule's minRun token characters, found inside
 * the maximal runs of entropy token characters (`tokRuns`, start and end pairs, each run of at least
 * the smallest minRun listed), and the rule's regex runs over it. A hit overlapping a keyword rule's
 * hit in this view is that rule's alone.
 */
function scanRuns(view: TextView, runPlans: Plan[], minRun: number, runIds: Set<string>, mark: number, hits: Hit[], tokRuns: number[]): void {
  const buf = view.buf;
  const n = buf.length;
  const found: Hit[] = [];
  for (let j = 0; j < tokRuns.length; j += 2) {
    const end = tokRuns[j + 1];
    if (end - tokRuns[j] < minRun) continue;
    for (let s = tokRuns[j]; s < end;) {
      if (TOKCH[buf[s]] === 0) {
        s++;
        continue;
      }
      let e = s + 1;
      while (e < end && TOKCH[buf[e]] === 1) e++;
      if (e - s >= minRun && hasBodyAfterSeparator(buf, s, e)) {
        // a base64 body's = padding is part of the match, so the window's far padding starts after it
        let pad = e;
        while (pad < end && buf[pad] === 61) pad++;
        const ws = Math.max(0, s - PAD);
        const we = Math.min(n, pad + PAD);
        const sub = buf.toString('latin1', ws, we);
        for (const plan of runPlans) if (e - s >= plan.minRun) runRule(plan, view, sub, ws, we, n, found);
      }
      s = e;
    }
  }
  if (found.length === 0) return;
  const others = hits.slice(mark).filter((h) => !runIds.has(h.ruleId));
  for (const h of found) if (!others.some((o) => o.start < h.end && h.start < o.end)) hits.push(h);
}

/** A `_` or `-` (not the run's first two bytes) followed by 32+ alphanumerics (or + /): what a prefixed token needs. */
function hasBodyAfterSeparator(buf: Uint8Array, s: number, e: number): boolean {
  let afterSep = false;
  let alnum = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === 95 || c === 45) {
      afterSep = i >= s + 2;
      alnum = 0;
    } else if (afterSep && ++alnum >= 32) return true;
  }
  return false;
}

/** Ranges [s, e] (inclusive) widened to [s - before, e + after), clamped to [0, n). */
function around(ranges: number[], before: number, after: number, n: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < ranges.length; j += 2) out.push(Math.max(0, ranges[j] - before), Math.min(n, ranges[j + 1] + after));
  return out;
}

/**
 * Text of buf[a, b) for any range marked: each run of 4 KiB pages the ranges touch becomes one
 * latin1 string, made on first use, so dense keyword text costs one conversion and the binary pages
 * between keywords none.
 */
class PagedText {
  private readonly pages: number;
  /** Per page: -1 unread, else the first page of its run. */
  private readonly first: Int32Array;
  private readonly runs = new Map<number, string>();

  constructor(private readonly buf: Buffer) {
    this.pages = (buf.length + 4095) >>> 12;
    this.first = new Int32Array(this.pages).fill(-1);
  }

  /** Marks the pages ranges [s, e) (pairs) touch. */
  mark(r: number[]): void {
    const first = this.first;
    for (let j = 0; j < r.length; j += 2) if (r[j] < r[j + 1]) for (let p = r[j] >>> 12; p <= (r[j + 1] - 1) >>> 12; p++) first[p] = 0;
  }

  /** After marking: each marked page points at the first page of its run. */
  link(): void {
    const first = this.first;
    for (let p = 0; p < this.pages; p++) if (first[p] === 0) first[p] = p > 0 && first[p - 1] >= 0 ? first[p - 1] : p;
  }

  get(a: number, b: number): string {
    if (a >= b) return '';
    const p0 = this.first[a >>> 12];
    let s = this.runs.get(p0);
    if (s === undefined) {
      let p1 = p0;
      while (p1 < this.pages && this.first[p1] === p0) p1++;
      s = this.buf.toString('latin1', p0 << 12, Math.min(this.buf.length, p1 << 12));
      this.runs.set(p0, s);
    }
    return s.slice(a - (p0 << 12), b - (p0 << 12));
  }
}

/**
 * Try a sticky rule at each start position in the merged ranges [s, e] (inclusive); `reads` holds the
 * text around each. Inside an earlier match only a match reaching past that one counts: a greedy
 * body that ran through glued neighbours into the next token's prefix must not hide the rest of that
 * token, while a JWT's second eyJ adds nothing. A match taken from inside another skips to its end,
 * so keywords back to back give two matches per match length, not one per keyword.
 */
function runAnchored(rule: Plan, re: RegExp, view: TextView, ranges: number[], reads: number[], text: PagedText, hits: Hit[]): void {
  let done = -1;
  let skip = -1;
  for (let j = 0; j < ranges.length; j += 2) {
    const a = reads[j];
    const sub = text.get(a, reads[j + 1]);
    for (let q = Math.max(ranges[j], skip); q <= ranges[j + 1]; q++) {
      re.lastIndex = q - a;
      const m = re.exec(sub);
      if (m === null || m[0].length === 0) continue;
      const end = a + m.index + m[0].length;
      if (end <= done) continue;
      const g = secretSpan(rule, sub, m.index);
      const secret = sub.slice(g[0], g[1]);
      if (!accept(rule, secret, view.buf, a + g[0], a + g[1])) continue;
      const span = view.toBytes(a + g[0], a + g[1]);
      hits.push(hitOf(rule, span, view, secret));
      if (q < done) skip = end;
      done = end;
      if (q < skip) q = end - 1;
    }
  }
}

/** Span of the secret (group `secret`, else the whole match) in the match the pattern makes at `at` of `sub`. */
function secretSpan(rule: Plan, sub: string, at: number): [number, number] {
  const re = rule.spans;
  re.lastIndex = at;
  const m = re.exec(sub)!;
  return m.indices!.groups?.secret ?? m.indices![0];
}

/**
 * Run one rule's regex over view text [ws, we) and push validated hits. A prefixed token's greedy tail
 * may run through glued neighbours into the next token's prefix, so after each hit the search goes on
 * from the hit's second character, and a match counts only where it reaches past the last hit.
 */
function runRule(rule: Plan, view: TextView, sub: string, ws: number, we: number, n: number, hits: Hit[]): void {
  const re = rule.re;
  re.lastIndex = 0;
  let done = -1;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sub)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    // a match reaching into the padding belongs to a neighbouring window (or is cut short)
    if ((ws > 0 && ws + m.index < ws + PAD) || (we < n && ws + m.index + m[0].length > we - PAD)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const end = m.index + m[0].length;
    if (end <= done) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const g = secretSpan(rule, sub, m.index);
    const a = ws + g[0];
    const b = ws + g[1];
    const secret = sub.slice(g[0], g[1]);
    if (!accept(rule, secret, view.buf, a, b)) continue;
    hits.push(hitOf(rule, view.toBytes(a, b), view, secret));
    if (rule.prefixed) {
      re.lastIndex = m.index + 1;
      done = end;
    }
  }
}

const HEXCH = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEXCH[c.charCodeAt(0)] = 1;

/**
 * A prefixed match made only of hex digits with more hex digits beside it is a piece of hex text (a
 * DH prime, a digest): its "prefix" (ACCA) is hex too, so nothing sets it apart from its neighbours.
 * So is a match whose hex body runs on into more hex letters and digits than its grammar allows
 * (`vipul-<sha256>.png` holds no 40-hex Pulumi token): a glued number is not a digest's tail, so the
 * run on must hold a letter. Not for rules marked `hexToken` (the hex of a PEM key is hex throughout,
 * and glued to more hex it is still a key).
 */
function insideHexText(rule: Plan, buf: Uint8Array, s: number, e: number): boolean {
  if (rule.hexToken) return false;
  return hexAmongHex(buf, s, e) || hexBodyRunsOn(buf, s, e);
}

function hexAmongHex(buf: Uint8Array, s: number, e: number): boolean {
  if (!(HEXCH[buf[s - 1]] === 1 || HEXCH[buf[e]] === 1)) return false;
  for (let i = s; i < e; i++) if (HEXCH[buf[i]] === 0) return false;
  return true;
}

/** More hex after a match whose last 16 characters are hex, before the match reads as part of a longer hex run. */
const HEX_RUN_ON = 8;

function hexBodyRunsOn(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s < 16 || e + HEX_RUN_ON > buf.length) return false;
  for (let i = e - 16; i < e; i++) if (HEXCH[buf[i]] === 0) return false;
  let letter = false;
  for (let i = e; i < e + HEX_RUN_ON; i++) {
    if (HEXCH[buf[i]] === 0) return false;
    letter ||= buf[i] > 57;
  }
  return letter;
}

/** Validators on the secret; entropy straight from the view's bytes [s, e) (the same characters). */
function accept(rule: Plan, secret: string, buf: Uint8Array, s: number, e: number): boolean {
  if (secret.length === 0) return false;
  if (rule.prefixed && insideHexText(rule, buf, s, e)) return false;
  // cheapest first: keyword-dense text makes many candidates that a validator rejects at once
  for (const v of rule.validators) if (!runValidator(v, secret)) return false;
  if (rule.checkEntropy && shannon(buf, s, e) < rule.minEntropy) return false;
  return !(rule.rejectPlaceholders && (isPlaceholder(secret) || maskedAfter(buf, e)));
}

/** A mask run right after the match (`xoxp-<ids>-####…`): the value's secret part was masked out. */
function maskedAfter(buf: Uint8Array, e: number): boolean {
  let i = e;
  if (buf[i] === 45 || buf[i] === 95) i++;
  const c = buf[i];
  if (c !== 35 && c !== 42) return false;
  for (let k = 1; k < 4; k++) if (buf[i + k] !== c) return false;
  return true;
}

/** A hit; confidence checks that fail leave a note, never drop it. */
function hitOf(rule: Plan, span: { start: number; end: number }, view: TextView, secret: string): Hit {
  const hit: Hit = { start: span.start, end: span.end, ruleId: rule.id, encoding: view.encoding, secret: Buffer.from(secret, 'latin1') };
  const failed = rule.checks.filter((v) => !runValidator(v, secret));
  if (failed.length) hit.note = `low confidence: ${failed.join(', ')} check failed`;
  return hit;
}

function dedupe(hits: Hit[]): Hit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.start}:${h.end}:${h.ruleId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

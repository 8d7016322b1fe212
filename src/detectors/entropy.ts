// Entropy on candidate tokens only (never whole pages): per-alphabet thresholds relative to the
// entropy a random string of the same length and alphabet is expected to have.
import type { Hit } from '../types.js';
import type { TextView } from '../views/view.js';
import { isPlaceholder, shannon } from './validators.js';
import { jvmClassPath, looksLikeIdentifier } from './identifier.js';
import { decodesToPublic, inBundledRoots } from './public-base64.js';
import { armorLines, isArmorLine, isPublicArmor, type ArmorCache } from './armor.js';
import { tokenRuns } from './token-runs.js';

/** Credential words that lower the bar for the token right after them. */
export const CONTEXT_KEYWORDS = ['key', 'secret', 'token', 'passw', 'pwd', 'auth', 'credential', 'bearer', 'signature', 'private', 'session', 'cookie', 'apikey', 'access'];

/** Token characters: base64 and base64url alphabets plus '='. */
export const TOK = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-') TOK[c.charCodeAt(0)] = 1;
const CLASS = new Uint8Array(256); // 1 lower, 2 upper, 4 digit, 8 +/, 16 -_, 32 =
for (let c = 97; c <= 122; c++) CLASS[c] = 1;
for (let c = 65; c <= 90; c++) CLASS[c] = 2;
for (let c = 48; c <= 57; c++) CLASS[c] = 4;
CLASS[43] = CLASS[47] = 8;
CLASS[45] = CLASS[95] = 16;
CLASS[61] = 32;

const expectedCache = new Map<number, number>();
/** Expected Shannon entropy (bits/char) of a uniform random string: length L, alphabet A. */
export function expectedEntropy(L: number, A: number): number {
  const key = L * 1000 + A;
  const hit = expectedCache.get(key);
  if (hit !== undefined) return hit;
  const p = 1 / A;
  let h = 0;
  // E[H] = -A * sum_k P(count = k) (k/L) log2(k/L), count ~ Binomial(L, 1/A)
  let logC = 0;
  for (let k = 1; k <= L; k++) {
    logC += Math.log((L - k + 1) / k);
    const logP = logC + k * Math.log(p) + (L - k) * Math.log(1 - p);
    const q = k / L;
    h -= Math.exp(logP) * q * Math.log2(q);
  }
  const v = A * h;
  expectedCache.set(key, v);
  return v;
}

function classesOf(buf: Uint8Array, s: number, e: number): number {
  let m = 0;
  for (let i = s; i < e; i++) m |= CLASS[buf[i]];
  return m;
}

/** Alphabet size a token's characters suggest: 16 (hex), 62, or 64. */
function alphabetOf(classes: number, buf: Uint8Array, s: number, e: number): number {
  if ((classes & ~(1 | 4)) === 0 || (classes & ~(2 | 4)) === 0) {
    let hex = true;
    for (let i = s; i < e && hex; i++) {
      const c = buf[i] | 0x20;
      hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
    }
    if (hex) return 16;
  }
  return classes & (8 | 16) ? 64 : 62;
}

function twoSlashes(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s + 1; i < Math.min(e, s + 24); i++) if (buf[i] === 47) return true;
  return false;
}

const MANGLE_NEXT = new Uint8Array(256);
for (const c of 'NSTLZKG0123456789') MANGLE_NEXT[c.charCodeAt(0)] = 1;
/** `_Z` + N/S/T/L/Z/K/digit anywhere in the token: an Itanium C++ mangled name. */
function hasMangledPrefix(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i + 2 < e; i++) if (buf[i] === 95 && buf[i + 1] === 90 && MANGLE_NEXT[buf[i + 2]] === 1) return true;
  return false;
}

/**
 * Shape checks that separate random tokens from things with high character entropy that are not
 * random: alphabet tables ("0123456789ABCDEF...", "+/abcd...") have ascending runs, and symbol
 * names (OSSL_CMP_MSG_get0_regInfo, X509_NAME_cmp) switch letter case rarely. A random base62
 * token switches case between about a third of adjacent letters; at least one in eight is required.
 */
function randomShape(buf: Uint8Array, s: number, e: number): boolean {
  let run = 1;
  let switches = 0;
  for (let i = s + 1; i < e; i++) {
    const a = buf[i - 1];
    const b = buf[i];
    if (b === a + 1) {
      if (++run >= 5) return false;
    } else run = 1;
    const ca = CLASS[a] & 3;
    const cb = CLASS[b] & 3;
    if (ca !== 0 && cb !== 0 && ca !== cb) switches++;
  }
  return switches * 8 >= e - s && !snakeIdentifier(buf, s, e);
}

/**
 * C-style identifiers (OSSL_CMP_MSG_get0_regInfo, ucnv_getStandardName_74): two or more '_' and at
 * least two segments that are words (3+ letters of one case, optional digit suffix).
 */
function snakeIdentifier(buf: Uint8Array, s: number, e: number): boolean {
  let underscores = 0;
  let words = 0;
  let seg = s;
  for (let i = s; i <= e; i++) {
    if (i < e && buf[i] !== 95) continue;
    if (i < e) underscores++;
    let j = seg;
    const c0 = CLASS[buf[j]] & 3;
    while (j < i && (CLASS[buf[j]] & 3) === c0 && c0 !== 0) j++;
    const letters = j - seg;
    while (j < i && CLASS[buf[j]] === 4) j++;
    if (letters >= 3 && j === i) words++;
    seg = i + 1;
  }
  return underscores >= 2 && words >= 2;
}

/** Base64 openings of public material: SSH public key blobs, SPKI public keys. */
const PUBLIC_PREFIXES = [
  'AAAAB3NzaC1',
  'AAAAC3NzaC1',
  'AAAAE2VjZHNh',
  'AAAAInNr',
  'MIIBIjAN',
  'MIICIjAN',
  'MIIBojAN',
  'MFkwEwYHKoZIzj0CAQY',
  'MHYwEAYHKoZIzj0CAQY',
  'MIGbMBAGByqGSM49AgEG',
  'MCowBQYDK2Vw',
  'MCowBQYDK2Vu',
].map((p) => Buffer.from(p, 'latin1'));
/** JSON members of a public JWK (n, e, x, y) and certificate chains (x5c). */
const PUBLIC_MEMBERS = ['"n":"', '"e":"', '"x":"', '"y":"', '"x5c":["', '"n": "', '"x": "', '"y": "'].map((p) => Buffer.from(p, 'latin1'));

function startsWith(buf: Uint8Array, s: number, p: Uint8Array): boolean {
  if (s + p.length > buf.length) return false;
  for (let i = 0; i < p.length; i++) if (buf[s + i] !== p[i]) return false;
  return true;
}

/**
 * Public key material is never redacted: SSH/SPKI public key base64, X.509 certificates in base64
 * (MII... with the TBS version field AwIBAgI near the start: x5c, PEM-less cert stores), and the
 * public members of a JWK.
 */
function isPublicMaterial(buf: Uint8Array, s: number, e: number): boolean {
  for (const p of PUBLIC_PREFIXES) if (startsWith(buf, s, p)) return true;
  if (buf[s] === 77 && buf[s + 1] === 73 && buf[s + 2] === 73) {
    for (let i = s + 6; i < Math.min(e - 7, s + 16); i++)
      if (buf[i] === 65 && buf[i + 1] === 119 && buf[i + 2] === 73 && buf[i + 3] === 66 && buf[i + 4] === 65 && buf[i + 5] === 103 && buf[i + 6] === 73) return true;
  }
  for (const p of PUBLIC_MEMBERS) if (s >= p.length && startsWith(buf, s - p.length, p)) return true;
  return false;
}

interface EntropyThresholds {
  /** Bits below the random expectation still accepted. */
  margin: number;
  minLen: number;
}
export const CONTEXT_T: EntropyThresholds = { margin: 0.9, minLen: 16 };
// margins sit ~3 standard deviations below a random string's expected entropy (<0.1% missed)
export const ALL_T: EntropyThresholds = { margin: 0.5, minLen: 32 };
const MAX_TOKEN = 1024;
/** A base64 line (76) plus a little glue. */
const MAX_PUBLIC_FRAGMENT = 100;

/** Judge token buf[s, e) (trailing '=' padding ignored); true if it looks random enough. */
function judge(buf: Uint8Array, s: number, e: number, t: EntropyThresholds, contextFree: boolean): boolean {
  while (e > s && buf[e - 1] === 61) e--;
  const L = e - s;
  if (L < t.minLen || L > MAX_TOKEN) return false;
  const cls = classesOf(buf, s, e);
  if (cls & 32) return false; // '=' inside: key=value text, not a token
  const A = alphabetOf(cls, buf, s, e);
  // paths (/a/b), long options (--flag) and Itanium-mangled C++ symbols (_ZN..., possibly glued to
  // code bytes) are not tokens
  if ((buf[s] === 47 && twoSlashes(buf, s, e)) || (buf[s] === 45 && buf[s + 1] === 45) || hasMangledPrefix(buf, s, e)) return false;
  if (isPublicMaterial(buf, s, e)) return false;
  if (contextFree) {
    // hex digests (build ids, hashes) are everywhere in memory; mixed case + digits required
    if (A === 16 || (cls & 7) !== 7) return false;
    if (!randomShape(buf, s, e) || looksLikeIdentifier(buf, s, e)) return false;
  } else if (jvmClassPath(buf, s, e)) return false;
  else if (A === 16) {
    if (L < 32) return false;
  } else if ((cls & 4) === 0 || (cls & 3) === 0) return false;
  if (shannon(buf, s, e) < expectedEntropy(L, A) - t.margin) return false;
  // certificate text cut out of its PEM (a page, a heap string); longer runs must carry their own
  // MII header, so a secret glued to a line of a certificate is not excused by it
  return !((L <= MAX_PUBLIC_FRAGMENT && decodesToPublic(buf, s, e)) || inBundledRoots(buf, s, e));
}

/** The verdict on a token's text alone: context-free (entropy-token) or after a keyword (entropy-context). */
export function judgeText(text: Buffer, contextFree: boolean): boolean {
  return judge(text, 0, text.length, contextFree ? ALL_T : CONTEXT_T, contextFree);
}

function push(view: TextView, s: number, e: number, ruleId: string, hits: Hit[]): void {
  const str = view.buf.toString('latin1', s, e);
  if (isPlaceholder(str)) return;
  const span = view.toBytes(s, e);
  hits.push({ ...span, ruleId, encoding: view.encoding, secret: Buffer.from(str, 'latin1'), note: 'high-entropy token' });
}

/**
 * A private or unidentified armor block is judged whole: when most of its lines look random, every
 * line goes, so a line made structured by ASN.1 headers cannot stay behind.
 */
function flagArmorBlock(view: TextView, start: number, end: number, hits: Hit[]): void {
  const buf = view.buf;
  const lines = armorLines(buf, start, end);
  const random: boolean[] = [];
  let judged = 0;
  for (let k = 0; k < lines.length; k += 2) {
    const long = lines[k + 1] - lines[k] >= ALL_T.minLen;
    if (long) judged++;
    random.push(long && judge(buf, lines[k], lines[k + 1], ALL_T, true));
  }
  const whole = judged >= 2 && 2 * random.filter(Boolean).length >= judged;
  for (let k = 0; k < lines.length; k += 2) if (random[k >> 1] || (whole && lines[k + 1] - lines[k] >= 4)) push(view, lines[k], lines[k + 1], 'entropy-token', hits);
}

/**
 * Context-free pass: every token run of at least ALL_T.minLen chars. `runs` lists the maximal token
 * runs (start, end pairs, ascending) of at least that length, and maybe shorter ones.
 */
export function entropyAll(view: TextView, hits: Hit[], runs = tokenRuns(view.buf, TOK, ALL_T.minLen)): void {
  const buf = view.buf;
  const armorCache: ArmorCache = { start: 0, end: 0, pub: false };
  let doneBlock = -1;
  for (let j = 0; j < runs.length; j += 2) {
    let s = runs[j];
    const e = runs[j + 1];
    // a JSON/C escape ("\\n", "\\r", "\\t") ends the previous line; its letter is not part of the token
    if (s > 0 && buf[s - 1] === 92 && (buf[s] === 110 || buf[s] === 114 || buf[s] === 116)) s++;
    if (e - s < ALL_T.minLen) continue;
    if (!isArmorLine(buf, s, e)) {
      if (judge(buf, s, e, ALL_T, true)) push(view, s, e, 'entropy-token', hits);
    } else if (!isPublicArmor(buf, s, e, armorCache) && armorCache.start !== doneBlock) {
      doneBlock = armorCache.start;
      flagArmorBlock(view, armorCache.start, armorCache.end, hits);
    }
  }
}

/** True if buf[s, e) is only `$`, `.` or `::`, the joints of qualified names. */
function qualifierOnly(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] !== 36 && buf[i] !== 46 && buf[i] !== 58) return false;
  return e - s <= 2;
}

/** Context pass: the first token within 40 chars after a credential keyword. */
export function entropyNear(view: TextView, positions: number[], kwLens: number[], hits: Hit[]): void {
  const st = new NearState();
  // in batches: a short loop the optimiser compiles once as a function, instead of an on-stack
  // replacement of one long loop per view redone at each deopt
  for (let k = 0; k < positions.length; k += NEAR_BATCH) nearBatch(view, positions, kwLens, k, Math.min(positions.length, k + NEAR_BATCH), st, hits);
}

const NEAR_BATCH = 32;

/** entropyNear's walk, carried from batch to batch. */
class NearState {
  lastEnd = -1;
  // keywords inside one long identifier all skip to its end and read the same token: the stretch is
  // walked once ([skipFrom, skipEnd) holds no '=' and no byte outside TOK), and a token start whose
  // reading found nothing is not read again (what follows depends on the start alone)
  skipFrom = -1;
  skipEnd = -1;
  readAt = -1;
  // [tokFrom, tokEnd): bytes in TOK up to the first one outside it, so keywords in one long run of
  // token characters (keyword soup) find its end once
  tokFrom = -1;
  tokEnd = -1;
  readonly armorCache: ArmorCache = { start: 0, end: 0, pub: false };
}

/** Keywords [from, to) of entropyNear. */
function nearBatch(view: TextView, positions: number[], kwLens: number[], from: number, to: number, st: NearState, hits: Hit[]): void {
  const buf = view.buf;
  const n = buf.length;
  const armorCache = st.armorCache;
  let { lastEnd, skipFrom, skipEnd, readAt, tokFrom, tokEnd } = st;
  for (let k = from; k < to; k++) {
    let i = positions[k] + kwLens[k];
    if (i < lastEnd) continue;
    // skip the rest of the identifier (api_key_id), then separators
    if (i >= skipFrom && i < skipEnd) i = skipEnd;
    else {
      skipFrom = i;
      while (i < n && TOK[buf[i]] === 1 && buf[i] !== 61) i++;
      skipEnd = i;
    }
    if (i === readAt) continue;
    readAt = i;
    const stop = Math.min(n, i + 40);
    const sep = i;
    while (i < stop && TOK[buf[i]] !== 1 && buf[i] >= 0x20 && buf[i] < 0x7f) i++;
    // `KeyStore$Builder`, `KeyFactory.PBEWithMD5AndDES`: the next part of a qualified name, not a value
    if (i > sep && qualifierOnly(buf, sep, i)) continue;
    while (i < stop && buf[i] === 61) i++;
    if (i >= stop) continue;
    // a JSON/C escape's letter belongs to the break, not to the next line
    if (i > 0 && buf[i - 1] === 92 && (buf[i] === 110 || buf[i] === 114 || buf[i] === 116)) i++;
    // the token runs to the first byte outside TOK, at most MAX_TOKEN + 1 chars
    let e = i;
    if (i >= tokFrom && i < tokEnd) e = tokEnd;
    else
      while (e < n && TOK[buf[e]] === 1) {
        if (e === tokFrom) {
          e = tokEnd;
          break;
        }
        e++;
      }
    tokFrom = i;
    tokEnd = e;
    e = Math.min(e, i + MAX_TOKEN + 1);
    // a keyword spelt by chance inside a line of a certificate's base64
    if (isArmorLine(buf, i, e) && isPublicArmor(buf, i, e, armorCache)) continue;
    if (judge(buf, i, e, CONTEXT_T, false)) {
      push(view, i, e, 'entropy-context', hits);
      lastEnd = e;
    }
  }
  st.lastEnd = lastEnd;
  st.skipFrom = skipFrom;
  st.skipEnd = skipEnd;
  st.readAt = readAt;
  st.tokFrom = tokFrom;
  st.tokEnd = tokEnd;
}

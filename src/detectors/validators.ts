// Structure checks run after a regex matched; each is a pure function of the matched text.
import type { ValidatorName } from '../rules/schema.js';
import { base62Crc } from '../rules/template.js';
import { base64Loose } from '../codec/base64.js';

/** ghp_/gho_/ghu_/ghs_/ghr_/npm_: last 6 base62 chars are the CRC32 of the 30 before them. */
function githubChecksumOk(token: string): boolean {
  const body = token.slice(token.indexOf('_') + 1);
  if (body.length !== 36) return false;
  return base62Crc(body.slice(0, 30)) === body.slice(30);
}

/** JWT header must decode to a JSON object carrying `alg`. */
function jwtHeaderOk(token: string): boolean {
  const dot = token.indexOf('.');
  if (dot < 4) return false;
  const text = base64Loose(token.slice(0, dot)).toString('utf8');
  // cheap test first: a failed JSON.parse throws, and exceptions are slow on adversarial input
  if (!text.includes('"alg"')) return false;
  try {
    const h = JSON.parse(text) as unknown;
    return typeof h === 'object' && h !== null && typeof (h as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

const PRIVATE_PEM = /-----BEGIN [A-Z0-9 .]{0,40}PRIVATE KEY/;

/** A base64 run that decodes to a PEM private key (kubeconfig client-key-data, env vars). */
function base64PemOk(s: string): boolean {
  return PRIVATE_PEM.test(base64Loose(s).toString('latin1'));
}

function hexPemOk(s: string): boolean {
  const even = s.length & ~1;
  return PRIVATE_PEM.test(Buffer.from(s.slice(0, even), 'hex').toString('latin1'));
}

/** Basic credentials decode to printable `user:password`. */
function basicAuthOk(s: string): boolean {
  const d = base64Loose(s).toString('latin1');
  const colon = d.indexOf(':');
  return colon >= 0 && colon < d.length - 1 && /^[\x20-\x7e]{3,}$/.test(d);
}

/**
 * The body after a token's last `_`/`-` separator looks random, not like an identifier: a digit,
 * all three character classes, no run of 11+ lower-case letters, not camelCase words, and entropy
 * near that of uniform base62 of its length.
 */
function randomBodyOk(token: string): boolean {
  const cut = Math.max(token.lastIndexOf('_'), token.lastIndexOf('-'));
  // a word glued after the token (`...crypto/tls`) is not judged as part of its body
  const body = token.slice(cut + 1).replace(/[a-z]{4,}$/, '');
  if (body.length < 24) return false;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  let run = 0;
  // upper-case letters that open a word (two lower-case letters follow): most of them in camelCase
  let wordStarts = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c >= 65 && c <= 90 && /^[a-z]{2}/.test(body.slice(i + 1, i + 3))) wordStarts++;
    if (c >= 97 && c <= 122) {
      lower++;
      if (++run >= 11) return false;
      continue;
    }
    run = 0;
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
  }
  if (digits === 0 || upper === 0 || lower === 0) return false;
  if (upper >= 3 && wordStarts >= 0.6 * upper) return false;
  // Itanium-mangled names (`ZN4node6BufferL8NewSlice...`): length-prefixed identifiers
  if (/^Z[NKLSTZ0-9]/.test(body) || (body.match(/[0-9][A-Z][a-z]{3}/g)?.length ?? 0) >= 3) return false;
  // expected entropy of L uniform draws from 62 symbols, with the Miller-Madow small-sample bias
  const expected = Math.log2(62) - 61 / (2 * body.length * Math.LN2);
  return shannon(Buffer.from(body, 'latin1')) >= expected - 0.6;
}

const VALIDATORS: Record<ValidatorName, (s: string) => boolean> = {
  'github-crc32': githubChecksumOk,
  jwt: jwtHeaderOk,
  'base64-pem': base64PemOk,
  'hex-pem': hexPemOk,
  'basic-auth': basicAuthOk,
  'mixed-case': (s) => /[a-z]/.test(s) && /[A-Z]/.test(s),
  'has-digit': (s) => /[0-9]/.test(s),
  // a digit, or long mixed-case: rules out words and identifiers, keeps random letters-only tokens
  'token-like': (s) => /[0-9]/.test(s) || (s.length >= 16 && /[a-z]/.test(s) && /[A-Z]/.test(s)),
  'not-hex-only': (s) => !/^[0-9a-fA-F]+$/.test(s),
  'random-body': randomBodyOk,
  // a URL password that is a $VAR or ${VAR} is a template; a word such as `secret` is a password (weak ones are real)
  'url-password': (s) => !/^\$\{?[A-Za-z_]{1,40}\}?$/.test(s),
};

export function runValidator(name: ValidatorName, secret: string): boolean {
  return VALIDATORS[name](secret);
}

const byteCounts = new Int32Array(256);
/** Shannon entropy in bits per character of bytes [s, e) (one byte per character, as in a view). */
export function shannon(buf: Uint8Array, s = 0, e = buf.length): number {
  const L = e - s;
  for (let i = s; i < e; i++) byteCounts[buf[i]]++;
  let h = 0;
  // visit each byte value once: take its count, then clear it
  for (let i = s; i < e; i++) {
    const n = byteCounts[buf[i]];
    if (n > 0) {
      const p = n / L;
      h -= p * Math.log2(p);
      byteCounts[buf[i]] = 0;
    }
  }
  return h;
}

const TEMPLATE = /^(?:\$\{[^}]{0,80}\}|\$[A-Za-z_][A-Za-z0-9_]{0,60}|\$\([^)]{0,80}\)|%[A-Za-z_][A-Za-z0-9_]{0,60}%|\{\{[^}]{0,80}\}\}|<[^>]{1,80}>|\[[A-Za-z_ -]{1,40}\])$/;
const WORDS = /^(?:null|none|nil|undefined|true|false|string|str|bool|int|object|redacted|hidden|masked|removed|placeholder|your[_-]?[a-z_-]{0,30}|xxx+|\*+|\.\.\.|n\/a|(?:secret|token|api[_-]?key)[=:]?)$/i;

/**
 * Values that cannot be a real credential: all one character (incl. a redacted `*****`), template
 * references (${VAR}, <password>, {{x}}, %VAR%), type names, and vendor documentation keys (EXAMPLE).
 * Default passwords such as "changeme" are NOT placeholders: in a dump they are likely the real value.
 */
export function isPlaceholder(s: string): boolean {
  if (s.length === 0) return true;
  let same = true;
  for (let i = 1; i < s.length; i++) {
    if (s.charCodeAt(i) !== s.charCodeAt(0)) {
      same = false;
      break;
    }
  }
  if (same) return true;
  if (s.includes('EXAMPLE') || /\*{4}/.test(s)) return true;
  return TEMPLATE.test(s) || WORDS.test(s);
}

// Structure checks run after a regex matched; each is a pure function of the matched text.
import type { ValidatorName } from '../rules/schema.js';
import { base62Crc } from '../rules/checksum.js';
import { base64Loose } from '../codec/base64.js';
import { looksLikeIdentifier } from './identifier.js';

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
 * A body that opens as an Itanium-mangled name: `Z`, nested-name codes, then two length-prefixed
 * names in a row (`ZN4node6Buffer…`). One name alone is no proof: `Z` and a digit open 0.4 % of
 * random bodies.
 */
function mangledHead(body: string): boolean {
  const first = /^Z[NKLSTZ]{0,3}([1-9][0-9]?)/.exec(body);
  if (!first) return false;
  const at = first[0].length + Number(first[1]);
  if (at > body.length || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(body.slice(first[0].length, at))) return false;
  return /^[A-Z]{0,3}[1-9][0-9]?[A-Za-z_]/.test(body.slice(at));
}

/**
 * The body after a token's last `_`/`-` separator looks random, not like an identifier: a digit
 * (under 32 characters), upper and lower case, no run of 11+ lower-case letters, not camelCase words, and entropy
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
  // 32 random base62 characters hold no digit one time in 300: then length and the checks below decide
  if ((digits === 0 && body.length < 32) || upper === 0 || lower === 0) return false;
  if (upper >= 3 && wordStarts >= 0.6 * upper) return false;
  if (looksLikeIdentifier(Buffer.from(body, 'latin1'), 0, body.length)) return false;
  // Itanium-mangled names (`ZN4node6BufferL8NewSlice...`): length-prefixed identifiers
  if (mangledHead(body) || (body.match(/[0-9][A-Z][a-z]{3}/g)?.length ?? 0) >= 3) return false;
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
  // user:password, or a value as random as a token (an API key sent as Basic); not a word
  'basic-credential': (s) => basicAuthOk(s) || /[0-9]/.test(s) || (s.length >= 16 && /[a-z]/.test(s) && /[A-Z]/.test(s)),
  'mixed-case': (s) => /[a-z]/.test(s) && /[A-Z]/.test(s),
  'has-digit': (s) => /[0-9]/.test(s),
  // a digit, or long mixed-case: rules out words and identifiers, keeps random letters-only tokens
  'token-like': (s) => /[0-9]/.test(s) || (s.length >= 16 && /[a-z]/.test(s) && /[A-Z]/.test(s)),
  // token-like, or words joined by a symbol no identifier, path or address holds (`development#product`)
  'secret-like': (s) => /[0-9]/.test(s) || (s.length >= 16 && /[a-z]/.test(s) && /[A-Z]/.test(s)) || /[A-Za-z0-9][!#$%&*?^~][A-Za-z0-9]/.test(s),
  'not-hex-only': (s) => !/^[0-9a-fA-F]+$/.test(s),
  // a body of a wider alphabet made only of hex digits is a digest or an id (a 32-hex page id after `ico-`)
  'body-not-hex': (s) => !/^[0-9a-fA-F]+$/.test(s.slice(s.search(/[_-]/) + 1)),
  'random-body': randomBodyOk,
  // upper-case prose holds ASIA and AKIA (`TODAYINASIAASACKOF…`): letters only, half of them vowels; a
  // random key id is that in 1 of 5,000 draws
  'not-upper-text': (s) => !(/^[A-Z]+$/.test(s) && (s.match(/[AEIOU]/g)?.length ?? 0) * 2 >= s.length),
  // a mixed-case value that reads as a program name (CamelCase words) is a name, not a key; hex and
  // lower-case values are left alone (1 in 250 random hex strings holds word-like letter pairs)
  'not-identifier': (s) => !(/[a-z]/.test(s) && /[A-Z]/.test(s) && looksLikeIdentifier(Buffer.from(s, 'latin1'), 0, s.length)),
  'not-reference': (s) => !isReference(s),
  // cmd.exe expands %VAR% but not `$`: a bare `$Name` given to a Windows tool (PsExec) reaches it as
  // the literal password; `$env:X`, `$(…)`, `${…}` and `$x.Password` still refer to a value elsewhere
  'cmd-literal': (s) => (/^("?)\$[A-Za-z_][A-Za-z0-9_]{0,60}\1$/.test(s) || !isPlaceholder(s)) && !/^\$(?:env:|\(|\{)/i.test(s) && !isReference(s),
  // a URL or a lower-case host name under a provider key is where the service is, not a credential
  'not-url': (s) => !/^[A-Za-z][A-Za-z0-9+.-]{1,15}:\/\//.test(s) && !/^(?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,12}$/.test(s),
  // a URL password that is a $VAR or ${VAR} is a template; a word such as `secret` is a password (weak ones are real)
  'url-password': (s) => !/^\$\{?[A-Za-z_]{1,40}\}?$/.test(s),
};

/**
 * An assigned value that refers to one held elsewhere: a substitution (`$(cmd)`, `${VAR}/x`, `#{expr}`), a JSON pointer,
 * a concatenation (` + getPassword() + `), an AWS resource name, or a dotted name whose last part names a credential
 * (`env.DB_PASSWORD`, `process.env.API_TOKEN`, `var.db_password`).
 */
export function isReference(s: string): boolean {
  // a JSON pointer (`#/components/schemas/Token`) refers to a schema, not a value
  if (/^(?:\$\(|\$\{|#\{|#\/[A-Za-z])/.test(s) || /^\s*\+\s/.test(s)) return true;
  // an AWS resource name (`arn:aws:iam::aws:policy/…`, `arn:aws:secretsmanager:…`) names where a value is
  if (/^arn:aws[a-z-]{0,12}:[a-z0-9-]{2,40}:/.test(s)) return true;
  if (NAMES_ELSEWHERE.some((re) => re.test(s))) return true;
  const m = /^[A-Za-z_$][A-Za-z0-9_$]{0,60}(?:\.[A-Za-z_$][A-Za-z0-9_$]{0,60}){1,6}$/.exec(s);
  return m !== null && /(?:pass|pwd|secret|token|key)[A-Za-z0-9_]*$/i.test(s);
}

/** Values that name something held elsewhere, or public, rather than hold a credential. */
const NAMES_ELSEWHERE = [
  // a string closed before the value, then concatenation: `"…_password = "+new Buffer(…)`, PHP `'.$p['pw']`
  /^[+.][ \t]{0,4}(?:new(?![\w$])|\$|[A-Za-z_$][\w$.]{0,60}[ \t]{0,2}[([])/,
  // a base URL variable, then a path (`$REACT_APP_BASE_URL/classroom/#/forgot_password`)
  /^\$[A-Za-z_][A-Za-z0-9_]{0,60}\//,
  // a path says where the password is kept (`/run/secrets/db`, a docs page for `…-password`)
  /^\/[\w.@~-]{1,80}(?:\/[\w.@~-]{1,80}){1,20}\/?$/,
  // a Rails route target (`"cms/sites/passwords#update"`), a CSS id (`"#add-password"`)
  /^[a-z][a-z0-9_]{0,40}(?:\/[a-z][a-z0-9_]{0,40}){1,8}#[a-z_]{1,40}$/,
  /^#[a-z]{1,30}(?:-[a-z]{1,30}){1,6}$/,
  // SOPS ciphertext: the secret is encrypted under a key held elsewhere
  /^ENC\[[A-Z0-9_]{1,20},data:/,
];

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

const TEMPLATE =
  /^(?:&lt;[^&]{1,80}&gt;|\{\d{1,2}\}|\$\{[^}]{0,80}\}|\$[A-Za-z_][A-Za-z0-9_]{0,60}|\$\([^)]{0,80}\)|%[A-Za-z_][A-Za-z0-9_]{0,60}%|\{\{[^}]{0,80}\}\}|<[^>]{1,80}>|\[[A-Za-z_ -]{1,40}\])$/;
const WORDS =
  /^(?:null|none|nil|undefined|true|false|string|str|bool|int|object|redacted|hidden|masked|removed|placeholder|your[_-]?[a-z_-]{0,30}|xxx+|\*+|\.\.\.|n\/a|!0|!1|&[a-z]{2,6}|(?:secret|(?:access[_-]?)?token|api[_-]?key)[=:]?|(?:password|passwd|passphrase|pass|pwd):)$/i;
/**
 * Fillers inside a value: a mask run (`########`, `XXXXXXXX`), `YOUR_TOKEN_HERE`-style words, a
 * `[Redacted]` mark, or an ellipsis that says the value was cut for display (`ops_eyJzaWdu…`).
 */
const FILLER = /([#xX])\1{7}|your[_-]?(?:[a-z]{1,12}[_-])?(?:token|key|secret|password|api)|\[redacted\]|(?:\.\.\.|\u2026)$/i;
/** A credential pair made of role names (`username:password`, `user:pass`, `username:token`). */
const ROLE_PAIR = /^["']?(?:user(?:[_-]?name)?|login|name|email)["']?:["']?(?:pass(?:w(?:or)?d)?|pwd|token|secret|api[_-]?key|key)["']?$/i;

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
  if (TEMPLATE.test(s) || WORDS.test(s) || FILLER.test(s) || ROLE_PAIR.test(s) || mostlyRuns(s) || (s.length >= 20 && ascendingRun(s) >= 8)) return true;
  // quotes spliced around a reference (`"'$DB_PASSWORD'"` in a shell line): the reference inside
  const quoted = /^(["'`])(.{1,200})\1$/.exec(s);
  if (quoted && isPlaceholder(quoted[2])) return true;
  // the part after a token's prefix typed by hand: `xoxp-1234567890`, `GR1348941` then `123123123…`
  const tail = s.slice(Math.max(s.lastIndexOf('-'), s.lastIndexOf('_')) + 1);
  if (tail.length >= 8 && ascendingRun(tail) === tail.length) return true;
  if (periodicRun(s) * 2 >= s.length) return true;
  // the quote taken as opening closed a string: the value starts at the next key (`",rememberMe:`)
  if (/^[,;)}\]]/.test(s)) return true;
  // a value that ran on into the rest of an object literal (`null, cache: null`, `!0,image:!0}`)
  const head = /^([^,;)}\]]{1,40})[,;)}\]]/.exec(s)?.[1];
  if (head !== undefined && (WORDS.test(head) || TEMPLATE.test(head))) return true;
  return escapedText(s);
}

/**
 * Half or more of the value made of `\uXXXX` escapes of letters beyond Latin-1, two or more in a
 * row: a translated message of a .properties or JSON file (`\u30BF\u30A4\u30D7`), not a credential.
 */
function escapedText(s: string): boolean {
  let escaped = 0;
  for (const m of s.matchAll(/(?:\\u(?:0[1-9A-Fa-f]|[1-9A-Fa-f][0-9A-Fa-f])[0-9A-Fa-f]{2}){2,}/g)) escaped += m[0].length;
  return escaped > 0 && escaped * 2 >= s.length;
}

/**
 * Longest run of characters each one above the last (`abcdefgh`, `12345678`, `ABCDEFGHIJKL`): made
 * by hand for documentation; a random token of 20+ chars holds none of 8 (about 1e-11).
 */
function ascendingRun(s: string): number {
  let best = 1;
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    // digits wrap from 9 to 0 (`1234567890`)
    run = d === 1 || (d === -9 && s[i] === '0') ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/**
 * Longest stretch (12+ chars, else 0) of a unit of 2 to 4 characters repeated (`123123123123`,
 * `abababab…`): typed by hand; a random token holds none (1 in 62^9 per place for a unit of 3).
 */
function periodicRun(s: string): number {
  let best = 0;
  for (let p = 2; p <= 4; p++) {
    let run = 0;
    for (let i = p; i < s.length; i++) {
      run = s.charCodeAt(i) === s.charCodeAt(i - p) ? run + 1 : 0;
      if (run + p >= 12 && run + p > best) best = run + p;
    }
  }
  return best;
}

/**
 * Half or more of the value (12+ chars) in runs of 4+ identical chars: a mask or filler
 * (`ghp_xxxx…`, `glc_1111…`, `AKIAXXXX…`); a random token has no run of 4.
 */
function mostlyRuns(s: string): boolean {
  let inRuns = 0;
  let start = 0;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && s.charCodeAt(i) === s.charCodeAt(start)) continue;
    if (i - start >= 4) inRuns += i - start;
    start = i;
  }
  return inRuns >= 12 && inRuns * 2 >= s.length;
}

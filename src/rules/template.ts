// Example templates: «» marks the expected secret, {{gen:arg}} fields are generated, so no
// secret-looking literal is ever committed and the recall test can mint fresh credentials.
import { base62Crc } from './checksum.js';

/** Uniform integer in [0, n). */
type Rng = (n: number) => number;

/** Deterministic generator (mulberry32) seeded by a string, for rule examples. */
export function seededRng(seed: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const ALPHABETS: Record<string, string> = {
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  b62: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  b64u: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  digit: '0123456789',
  alnum: 'abcdefghijklmnopqrstuvwxyz0123456789',
  ALNUM: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  b32: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  bech: 'qpzry9x8gf2tvdw0s3jn54khce6mua7l',
  BECH: 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
  pw: 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!^_.~-',
};
const B62 = ALPHABETS.b62;

function draw(alpha: string, n: number, rng: Rng): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alpha[rng(alpha.length)];
  return s;
}

function checksummed(prefix: string, rng: Rng): string {
  const body = draw(B62, 30, rng);
  return `${prefix}_${body}${base62Crc(body)}`;
}

/** A PEM block whose body is random base64 (structure only, never a usable key). */
function pem(label: string, rng: Rng, nl = '\n'): string {
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) lines.push(draw(ALPHABETS.b64, 64, rng));
  lines.push(draw(ALPHABETS.b64, 20, rng) + '==');
  return `-----BEGIN ${label}-----${nl}${lines.join(nl)}${nl}-----END ${label}-----`;
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

function generate(gen: string, arg: string, rng: Rng): string {
  if (ALPHABETS[gen]) {
    let n = Number(arg);
    let out = draw(ALPHABETS[gen], n, rng);
    // pw: always mix classes so entropy/class checks are meaningful
    if (gen === 'pw' && n >= 4) out = 'Kq7!' + out.slice(4);
    return out;
  }
  switch (gen) {
    case 'uuid': {
      const h = draw(ALPHABETS.hex, 32, rng);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    }
    case 'gh':
      return checksummed(arg, rng);
    case 'pem':
      return pem(arg, rng);
    case 'pemcrlf':
      return pem(arg, rng, '\r\n');
    case 'pemjson':
      return pem(arg, rng, '\\n');
    case 'pemb64':
      return Buffer.from(pem(arg, rng) + '\n').toString('base64');
    case 'pemhex':
      return Buffer.from(pem(arg, rng) + '\n').toString('hex');
    case 'pemurl':
      return encodeURIComponent(pem(arg, rng));
    case 'jwt': {
      const header = b64url(JSON.stringify({ alg: arg || 'HS256', typ: 'JWT' }));
      const payload = b64url(JSON.stringify({ sub: draw(ALPHABETS.alnum, 10, rng), iat: 1700000000 + rng(1e6) }));
      return `${header}.${payload}.${draw(ALPHABETS.b64u, 43, rng)}`;
    }
    case 'basic':
      // {{basic:N}}: an N-char password (registry tokens such as ECR's run to kilobytes)
      return Buffer.from(`${draw(ALPHABETS.lower, 6, rng)}:${generate('pw', arg || '14', rng)}`).toString('base64');
    default:
      // not a generator: literal text such as a {{PLACEHOLDER}} in a negative example
      return `{{${gen}${arg ? ':' + arg : ''}}}`;
  }
}

export interface Expanded {
  text: string;
  /** Expected secret spans (character offsets into text), from «» markers. */
  spans: Array<[number, number]>;
}

const FIELD = /\{\{([A-Za-z0-9]{1,12})(?::([^}]{0,40}))?\}\}/g;

/** Expand generated fields, then strip «» markers and record the spans they enclosed. */
export function expandTemplate(template: string, rng: Rng): Expanded {
  const filled = template.replace(FIELD, (_m, gen: string, arg: string | undefined) => generate(gen, arg ?? '', rng));
  const spans: Array<[number, number]> = [];
  let text = '';
  let open = -1;
  for (const ch of filled) {
    if (ch === '«') open = text.length;
    else if (ch === '»') {
      spans.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  return { text, spans };
}

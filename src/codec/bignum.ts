// Big numbers as runtimes store them, and literal search for every encoding of a known value.
import type { Hit, Encoding } from '../types.js';
import { bigIntToBytes } from './asn1.js';
import { rsaComponents, rsaPrivateDers } from './rsa-math.js';
import { searchAll } from './multi-search.js';
import type { GramSampler, Tagged } from './multi-search.js';
import { base64Phases } from './base64.js';

export interface Needle {
  bytes: Buffer;
  encoding: Encoding;
  /** e.g. "LE limbs", "Java int[]", "hex", "base64url". */
  form: string;
}

/** Little-endian bytes: OpenSSL BIGNUM limbs, Go nat, .NET BigInteger, CNG (CAPI) fields. */
export function toLE(be: Buffer): Buffer {
  return Buffer.from(be).reverse();
}

/** Java BigInteger mag: int[] most significant word first, each int stored little-endian. */
export function toJava(be: Buffer): Buffer {
  const padded = Buffer.alloc(Math.ceil(be.length / 4) * 4);
  be.copy(padded, padded.length - be.length);
  for (let i = 0; i < padded.length; i += 4) {
    const a = padded[i];
    const b = padded[i + 1];
    padded[i] = padded[i + 3];
    padded[i + 1] = padded[i + 2];
    padded[i + 2] = b;
    padded[i + 3] = a;
  }
  return padded;
}

/** Every encoding of a secret byte string: raw, hex, base64(url), and UTF-16LE of the text forms. */
export function textNeedles(raw: Buffer): Needle[] {
  const texts: Array<[string, string]> = [
    [raw.toString('hex'), 'hex'],
    [raw.toString('hex').toUpperCase(), 'HEX'],
  ];
  // the complete encoding with its padding, then the inner parts at every alignment
  texts.push([raw.toString('base64'), 'base64'], [raw.toString('base64url'), 'base64url (JWK)']);
  // inner parts shorter than 16 characters would match by chance
  for (const s of base64Phases(raw, false)) if (s.length >= 16) texts.push([s, 'base64']);
  for (const s of base64Phases(raw, true)) if (s.length >= 16 && /[-_]/.test(s)) texts.push([s, 'base64url']);
  const out: Needle[] = [];
  for (const [s, form] of texts) {
    out.push({ bytes: Buffer.from(s, 'latin1'), encoding: 'ascii', form });
    out.push({ bytes: Buffer.from(s, 'utf16le'), encoding: 'utf16le', form: `${form} UTF-16LE` });
  }
  return out;
}

/** Binary and text encodings of a big number (minimal big-endian input). */
export function bignumNeedles(be: Buffer): Needle[] {
  const out: Needle[] = [
    { bytes: be, encoding: 'binary', form: 'big-endian' },
    { bytes: toLE(be), encoding: 'binary', form: 'little-endian limbs' },
  ];
  const java = toJava(be);
  if (!java.equals(be) && !java.equals(toLE(be))) out.push({ bytes: java, encoding: 'binary', form: 'Java int[]' });
  return out.concat(textNeedles(be));
}

/** Literal occurrences of every needle; spans relative to `bytes` (`sampler`: see searchAll). */
export function findNeedles(bytes: Buffer, needles: Needle[], ruleId: string, secret: Buffer, what: string, sampler?: GramSampler): Hit[] {
  return searchAll(bytes, tag(needles, ruleId, secret, what), sampler);
}

export function tag(needles: Needle[], ruleId: string, secret: Buffer, what: string): Tagged[] {
  return needles.filter((n) => n.bytes.length > 0).map((n) => ({ bytes: n.bytes, encoding: n.encoding, ruleId, secret, note: `${what} (${n.form})` }));
}

/** Private RSA components of a factored key in all encodings. */
function rsaNeedles(n: bigint, e: bigint, p: bigint): Array<{ name: string; value: Buffer; needles: Needle[] }> {
  const c = rsaComponents(n, e, p);
  const out = [];
  for (const [name, v] of Object.entries(c)) {
    const value = bigIntToBytes(v);
    out.push({ name, value, needles: bignumNeedles(value) });
  }
  return out;
}

// Needles of a factored key cost a few modular inverses and DER encodings: memoized (pure).
const rsaMemo = new Map<string, Tagged[]>();

/** Tagged needles for every encoding of every private value of a factored RSA key. */
export function rsaTagged(n: bigint, e: bigint, p: bigint, label: string, ruleId = 'rsa-private-component'): Tagged[] {
  const id = `${ruleId}:${n.toString(36)}:${p.toString(36)}:${label}`;
  const hit = rsaMemo.get(id);
  if (hit) return hit;
  const out: Tagged[] = [];
  for (const comp of rsaNeedles(n, e, p)) out.push(...tag(comp.needles, ruleId, comp.value, `RSA ${comp.name} of ${label}`));
  // the whole key as DER and as base64 / PEM / hex text, so that no public-prefix remnant stays behind
  for (const der of rsaPrivateDers(n, e, p)) {
    out.push(...tag([{ bytes: der, encoding: 'binary', form: 'DER' }, ...derTextNeedles(der)], ruleId, der, `RSA private key DER of ${label}`));
  }
  if (rsaMemo.size > 64) rsaMemo.clear();
  rsaMemo.set(id, out);
  return out;
}

export function scalarTagged(scalar: Buffer, label: string, ruleId = 'ec-private-scalar'): Tagged[] {
  return tag(bignumNeedles(scalar), ruleId, scalar, `private scalar of ${label}`);
}

/** Text forms of a whole DER structure: hex, base64 (any alignment), and PEM bodies (LF and CRLF). */
export function derTextNeedles(der: Buffer): Needle[] {
  const out = textNeedles(der);
  const b64 = der.toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  if (lines.length > 1) {
    // real line breaks, and the escaped ones of a PEM held inside JSON or source text
    for (const [eol, form] of [
      ['\n', 'PEM body'],
      ['\r\n', 'PEM body CRLF'],
      ['\\n', 'PEM body in JSON'],
      ['\\r\\n', 'PEM body CRLF in JSON'],
    ] as const) {
      const body = lines.join(eol);
      out.push({ bytes: Buffer.from(body, 'latin1'), encoding: 'ascii', form }, { bytes: Buffer.from(body, 'utf16le'), encoding: 'utf16le', form: `${form} UTF-16LE` });
    }
  }
  return out;
}

// Hunting the private half of a known public key, and known literal secrets in every encoding.
import { createECDH, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { DetectContext, Detector, Hit, KnownKey } from '../types.js';
import { CURVE_BYTES } from './asn1.js';
import { huntFactors, targetOf } from './factor-hunt.js';
import type { RsaTarget } from './factor-hunt.js';
import { rsaTagged, scalarTagged, textNeedles, findNeedles } from './bignum.js';
import { searchAll } from './multi-search.js';
import type { Tagged } from './multi-search.js';
import { hintOf, pushKey, rsaOf } from '../keys/hint.js';
import type { HuntKey } from '../keys/hint.js';

export { huntFactor } from './factor-hunt.js';

const EC_NAMES: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', secp256k1: 'secp256k1' };
const PKCS8_PREFIX: Record<string, Buffer> = {
  Ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
  X25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
};

/** Public key of a candidate scalar, or null when the scalar is invalid for the curve. */
function publicOf(curve: string, scalar: Buffer): Buffer | null {
  try {
    if (EC_NAMES[curve]) {
      const ecdh = createECDH(EC_NAMES[curve]);
      ecdh.setPrivateKey(scalar);
      return ecdh.getPublicKey();
    }
    const prefix = PKCS8_PREFIX[curve];
    if (!prefix) return null;
    const key = createPrivateKey({ key: Buffer.concat([prefix, scalar]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    return spki.subarray(spki.length - 32);
  } catch {
    return null;
  }
}

/**
 * Finds a private scalar of an EC/OKP key at 8-byte alignment (big- and little-endian). Each
 * candidate costs a scalar multiplication, so only windows with at least 3/4 distinct bytes
 * (what a random scalar has) are tried.
 */
export function huntScalar(bytes: Buffer, key: KnownKey): { scalar: Buffer; start: number } | null {
  const len = key.curve ? CURVE_BYTES[key.curve] : 0;
  if (!len || !key.publicKey) return null;
  const want = key.publicKey;
  const stamp = new Uint32Array(256);
  let stampId = 0;
  const minDistinct = Math.floor(len * 0.75);
  for (let i = 0; i + len <= bytes.length; i += 8) {
    stampId++;
    let distinct = 0;
    for (let k = i; k < i + len; k++) {
      if (stamp[bytes[k]] !== stampId) {
        stamp[bytes[k]] = stampId;
        distinct++;
      }
    }
    if (distinct < minDistinct) continue;
    const be = Buffer.from(bytes.subarray(i, i + len));
    for (const cand of [be, Buffer.from(be).reverse()]) {
      const pub = publicOf(key.curve!, cand);
      if (pub && pub.equals(want)) return { scalar: cand, start: i };
    }
  }
  return null;
}

function hunt(bytes: Buffer, keys: KnownKey[], found: KnownKey[]): Hit[] {
  const hits: Tagged[] = [];
  // RSA keys without a known factor: one shared sliding pass per prime length; a modulus whose
  // factor another key of the list already carries is searched literally only
  const factored = new Set<bigint>();
  for (const k of keys) {
    const r = rsaOf(k);
    const p = hintOf(k)?.p;
    if (k.kind !== 'rsa' || !r || !p) continue;
    if (factored.has(r.n)) continue;
    factored.add(r.n);
    hits.push(...rsaTagged(r.n, r.e, p, k.label, 'known-key'));
  }
  const byLen = new Map<number, Array<{ t: RsaTarget; k: KnownKey }>>();
  for (const k of keys) {
    const r = rsaOf(k);
    if (k.kind !== 'rsa' || !r || hintOf(k)?.p || factored.has(r.n)) continue;
    // keys seen in the dump: noise pages only next to structure (see RsaTarget.everywhere)
    const t = targetOf(r.n, !(k as HuntKey).fromDump);
    if (!t) continue;
    const list = byLen.get(t.len) ?? [];
    list.push({ t, k });
    byLen.set(t.len, list);
  }
  for (const list of byLen.values()) {
    const res = huntFactors(bytes, list.map((x) => x.t));
    for (const { t, k } of list) {
      const p = res.get(t);
      if (!p) continue;
      pushKey(found, { ...k, privateHint: { p } });
      hits.push(...rsaTagged(t.n, rsaOf(k)!.e, p, k.label, 'known-key'));
    }
  }
  for (const k of keys) {
    if ((k.kind !== 'ec' && k.kind !== 'okp') || !k.curve) continue;
    let scalar = hintOf(k)?.scalar;
    // a scalar hunt costs a point multiplication per candidate: only for keys the user named
    if (!scalar && (k as HuntKey).fromDump) continue;
    if (!scalar) {
      const f = huntScalar(bytes, k);
      if (!f) continue;
      scalar = f.scalar;
      pushKey(found, { ...k, privateHint: { scalar } });
    }
    hits.push(...scalarTagged(scalar, k.label, 'known-key'));
  }
  return hits.length ? searchAll(bytes, hits) : [];
}

export const knownKeyDetector: Detector = {
  id: 'known-key',
  name: 'Private half of a known public key',
  description: 'Finds the RSA primes (then d, dp, dq, qinv in every encoding) or the EC/Ed25519 scalar of public keys given with --known-key or found in the dump (certificates, SPKI, private structures)',
  kind: 'binary',
  maxSpan: 32768, // a whole RSA-8192 key as UTF-16LE base64
  detect(bytes: Buffer, ctx: DetectContext): Hit[] {
    return hunt(bytes, ctx.knownKeys, ctx.publicKeys);
  },
};

/** Every encoding of a literal secret: raw, UTF-16LE, hex, HEX, base64, base64url (and their UTF-16LE). */
export function secretHits(bytes: Buffer, secret: Buffer): Hit[] {
  const needles = [
    { bytes: secret, encoding: 'binary' as const, form: 'raw' },
    { bytes: Buffer.from(secret.toString('utf8'), 'utf16le'), encoding: 'utf16le' as const, form: 'UTF-16LE' },
    ...textNeedles(secret),
  ];
  if (secret.length < 8) return findNeedles(bytes, needles.slice(0, 2), 'known-secret', secret, 'known secret');
  return findNeedles(bytes, needles, 'known-secret', secret, 'known secret');
}

export const knownSecretDetector: Detector = {
  id: 'known-secret',
  name: 'Known literal secrets',
  description: 'Secrets given with --known-secret, raw, UTF-16LE, hex, base64 and base64url',
  kind: 'binary',
  maxSpan: 8192,
  detect(bytes: Buffer, ctx: DetectContext): Hit[] {
    const hits: Hit[] = [];
    for (const s of ctx.knownSecrets) if (s.length) for (const h of secretHits(bytes, s)) hits.push(h);
    return hits;
  },
};

// Token bytes for digest matching: printable ASCII minus quotes, brackets and separators.
const TOKEN = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) TOKEN[c] = 1;
for (const c of '"\'`,;()[]{}<>\\') TOKEN[c.charCodeAt(0)] = 0;

/**
 * Secrets known only by their SHA-256 (--known-secret sha256:<hex>): every printable token of
 * 6..512 bytes is hashed, and so is its tail after each '=' or ':' (key=value, user:password).
 */
export function knownDigestDetector(digests: Buffer[]): Detector {
  const want = new Set(digests.map((d) => d.toString('hex')));
  return {
    id: 'known-secret-digest',
    name: 'Known secrets by SHA-256',
    description: 'Printable tokens whose SHA-256 equals a digest given with --known-secret sha256:<hex>',
    kind: 'text',
    maxSpan: 512,
    detect(bytes: Buffer): Hit[] {
      const hits: Hit[] = [];
      if (!want.size) return hits;
      const n = bytes.length;
      let i = 0;
      while (i < n) {
        if (!TOKEN[bytes[i]]) {
          i++;
          continue;
        }
        let j = i;
        while (j < n && TOKEN[bytes[j]]) j++;
        if (j - i >= 6 && j - i <= 512) {
          for (let s = i; s < j - 5; s++) {
            if (s !== i && bytes[s - 1] !== 0x3d && bytes[s - 1] !== 0x3a) continue;
            const tok = bytes.subarray(s, j);
            if (want.has(createHash('sha256').update(tok).digest('hex'))) {
              hits.push({ start: s, end: j, ruleId: 'known-secret-digest', encoding: 'ascii', secret: Buffer.from(tok), note: 'secret known by its SHA-256' });
              break;
            }
          }
        }
        i = j;
      }
      return hits;
    },
  };
}

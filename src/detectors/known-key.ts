// Hunting the private half of a known public key, and known literal secrets in every encoding.
import { createECDH, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { DetectContext, Detection, Detector, Hit, KnownKey, LearnedValue } from '../types.js';
import { CURVE_BYTES, opensslCurve } from '../codec/curves.js';
import { huntFactors, prepareHunt, targetOf } from './factor-hunt.js';
import type { RsaTarget } from './factor-hunt.js';
import { rsaTagged, scalarTagged, textNeedles, findNeedles } from '../codec/bignum.js';
import { searchAll } from '../codec/multi-search.js';
import type { Tagged } from '../codec/multi-search.js';
import { gramSampler } from './gram-kernel.js';

const PKCS8_PREFIX: Record<string, Buffer> = {
  Ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
  X25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
};

/** Public key of a candidate scalar, or null when the scalar is invalid for the curve. */
function publicOf(curve: string, scalar: Buffer): Buffer | null {
  try {
    const openssl = opensslCurve(curve);
    if (openssl) {
      const ecdh = createECDH(openssl);
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
function huntScalar(bytes: Buffer, key: KnownKey): { scalar: Buffer; start: number } | null {
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

/**
 * Hunts user-given public keys (private half by search) and learnt values: public keys seen in the
 * dump (RSA factor by search; EC scalars only for user keys, each candidate costs a point
 * multiplication) and private values already known (literal search in every encoding).
 */
function hunt(bytes: Buffer, known: KnownKey[], learned: LearnedValue[]): Detection {
  const hits: Tagged[] = [];
  const found: LearnedValue[] = [];
  // RSA keys without a known factor: one shared sliding pass per prime length; a modulus whose
  // factor is already known is searched literally only
  const factored = new Set<bigint>();
  for (const v of learned) {
    if (v.kind !== 'rsa-factor' || factored.has(v.n)) continue;
    factored.add(v.n);
    hits.push(...rsaTagged(v.n, v.e, v.p, v.label, 'known-key'));
  }
  // user keys are hunted everywhere; keys seen in the dump in noise pages only next to structure
  // (see RsaTarget.everywhere)
  const publicRsa: Array<{ n: bigint; e: bigint; label: string; user: boolean }> = [];
  for (const k of known) if (k.kind === 'rsa' && k.n !== undefined && k.e !== undefined) publicRsa.push({ n: k.n, e: k.e, label: k.label, user: true });
  for (const v of learned) if (v.kind === 'public-rsa') publicRsa.push({ ...v, user: false });
  const byLen = new Map<number, Array<{ t: RsaTarget; k: { n: bigint; e: bigint; label: string } }>>();
  for (const k of publicRsa) {
    if (factored.has(k.n)) continue;
    factored.add(k.n); // a key given twice (user and dump) is hunted once, as the user's
    const t = targetOf(k.n, k.user);
    if (!t) continue;
    const list = byLen.get(t.len) ?? [];
    list.push({ t, k });
    byLen.set(t.len, list);
  }
  // words, page classes and zero bytes are read once for every prime length
  const prepared = byLen.size ? prepareHunt(bytes) : undefined;
  for (const list of byLen.values()) {
    const res = huntFactors(
      prepared!,
      list.map((x) => x.t),
    );
    for (const { t, k } of list) {
      const p = res.get(t);
      if (!p) continue;
      found.push({ kind: 'rsa-factor', label: k.label, n: k.n, e: k.e, p });
      hits.push(...rsaTagged(t.n, k.e, p, k.label, 'known-key'));
    }
  }
  const scalars = new Set<string>();
  for (const v of learned) {
    if (v.kind === 'ec-scalar' && v.publicKey) scalars.add(v.publicKey.toString('hex'));
    if (v.kind === 'ec-scalar' || v.kind === 'aes-key') hits.push(...scalarTagged(v.kind === 'aes-key' ? v.key : v.scalar, v.label, 'known-key'));
  }
  for (const k of known) {
    if ((k.kind !== 'ec' && k.kind !== 'okp') || !k.curve || !k.publicKey) continue;
    if (scalars.has(k.publicKey.toString('hex'))) continue; // its scalar is searched literally above
    const f = huntScalar(bytes, k);
    if (!f) continue;
    found.push({ kind: 'ec-scalar', label: k.label, curve: k.curve, scalar: f.scalar, publicKey: k.publicKey });
    hits.push(...scalarTagged(f.scalar, k.label, 'known-key'));
  }
  return { hits: hits.length ? searchAll(bytes, hits, gramSampler) : [], learned: found };
}

export const knownKeyDetector: Detector = {
  id: 'known-key',
  name: 'Private half of a known public key',
  description:
    'Finds the RSA primes (then d, dp, dq, qinv in every encoding) or the EC/Ed25519 scalar of public keys given with --known-key or found in the dump (certificates, SPKI, private structures)',
  kind: 'binary',
  maxSpan: 32768, // a whole RSA-8192 key as UTF-16LE base64
  detect(bytes: Buffer, ctx: DetectContext): Detection {
    return hunt(bytes, ctx.knownKeys, ctx.learned);
  },
};

/** Every encoding of a literal secret: raw, UTF-16LE, hex, HEX, base64, base64url (and their UTF-16LE). */
function secretHits(bytes: Buffer, secret: Buffer): Hit[] {
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
  detect(bytes: Buffer, ctx: DetectContext): Detection {
    const hits: Hit[] = [];
    for (const s of ctx.knownSecrets) if (s.length) for (const h of secretHits(bytes, s)) hits.push(h);
    return { hits };
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
    detect(bytes: Buffer): Detection {
      const hits: Hit[] = [];
      if (!want.size) return { hits };
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
      return { hits };
    },
  };
}

// Hunting the private half of a known public key, and known literal secrets in every encoding.
import { createECDH, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { DetectContext, Detector, Hit, KnownKey } from '../types.js';
import { CURVE_BYTES, bitLength } from './asn1.js';
import { rsaTagged, scalarTagged, textNeedles, findNeedles } from './bignum.js';
import { searchAll } from './multi-search.js';
import type { Tagged } from './multi-search.js';
import { hintOf, pushKey, rsaOf } from '../keys/hint.js';
import { PAGE, uniformPage } from '../views/uniform.js';
import type { HuntKey } from '../keys/hint.js';

// Small primes r with 2^96 = 1 (mod r): p mod r follows from three sums of the prime's 32-bit
// words, grouped by word significance mod 3 (2^(32k) mod r depends on k mod 3 only). Grouped into
// moduli below 2^26: one float remainder per sum and group, then int32 arithmetic. (3, 5, 17 and
// 257 divide 2^16 - 1 and are sieved before, from the sum of 16-bit halves.)
const SIEVE_GROUPS = [[7, 13, 97, 241], [673, 65537]].map((primes) => ({
  m: primes.reduce((a, b) => a * b, 1),
  primes: primes.map((r) => ({ r, w: [0, 1, 2].map((c) => Number((2n ** BigInt(32 * c)) % BigInt(r))) })),
}));

/** True when the number with these word sums (by significance mod 3) has a small prime factor. */
function sieved(a0: number, a1: number, a2: number): boolean {
  for (const g of SIEVE_GROUPS) {
    const x0 = a0 % g.m;
    const x1 = a1 % g.m;
    const x2 = a2 % g.m;
    for (const { r, w } of g.primes) if (((x0 % r) * w[0] + (x1 % r) * w[1] + (x2 % r) * w[2]) % r === 0) return true;
  }
  return false;
}

type Order = 'be' | 'le' | 'java';

interface RsaTarget {
  n: bigint;
  /** Prime length in bytes. */
  len: number;
  /** Lower bound of the prime's top 16 bits: p > n / 2^k. */
  top16: number;
  /** Lowest top byte a prime of the expected bit length has. */
  topMin: number;
}

function targetOf(n: bigint): RsaTarget | null {
  const nBits = bitLength(n);
  if (nBits < 256 || nBits % 16 !== 0) return null; // balanced primes of whole bytes only
  const k = nBits / 2;
  const len = k / 8;
  const lower = n >> BigInt(k);
  return { n, len, top16: Number(lower >> BigInt(k - 16)), topMin: 0x80 };
}

/** Byte index (from the window start) of the big-endian byte k, per storage order. */
function posOf(order: Order, len: number, k: number): number {
  if (order === 'be') return k;
  if (order === 'le') return len - 1 - k;
  return (k & ~3) + 3 - (k & 3); // Java int[]: big-endian words, each little-endian
}

/**
 * Finds prime factors of the targets' moduli (all of one prime length) stored at 4-byte alignment
 * in any of the three orders, in one pass shared by all targets. Filters: odd, top byte,
 * p > n/2^k on the top 16 bits, no zero word, small-prime sieve, byte diversity; then n mod p per target.
 */
export function huntFactors(bytes: Buffer, targets: RsaTarget[]): Map<RsaTarget, bigint> {
  const found = new Map<RsaTarget, bigint>();
  if (!targets.length) return found;
  const L = targets[0].len;
  if (L % 4 !== 0 || bytes.length < L + 4) return found;
  const nw = L / 4;
  let active = targets.slice();
  let minTop16 = Math.min(...active.map((t) => t.top16));
  const topMin = 0x80;
  const scratch = Buffer.allocUnsafe(L);
  // 32-bit words at 4-byte alignment relative to the buffer (copied once if the buffer is not aligned)
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(bytes.length / 4));
  const lastWord = words.length - nw;
  const stamp = new Uint32Array(256);
  let stampId = 0;
  const orders: Order[] = ['le', 'be', 'java'];
  for (const order of orders) {
    const msb = posOf(order, L, 0);
    const msb2 = posOf(order, L, 1);
    const lsb = posOf(order, L, L - 1);
    const swap = order === 'be';
    const reversed = order !== 'le'; // most significant word first
    for (let w = 0; w <= lastWord && active.length; w++) {
      const i = w * 4;
      // windows inside a uniform page (zero fill) hold one byte value: no prime
      if ((i & (PAGE - 1)) === 0 && uniformPage(bytes, i)) {
        w += (PAGE - L) >> 2;
        continue;
      }
      if ((bytes[i + lsb] & 1) === 0) continue;
      const top = bytes[i + msb];
      if (top < topMin) continue;
      const top16 = (top << 8) | bytes[i + msb2];
      if (top16 < minTop16) continue;
      // sieve on word sums by significance mod 3; a zero word is as unlikely in a prime as it is
      // common in structures
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      // sum of 16-bit halves: p mod r for r | 2^16 - 1 (3, 5, 17, 257) in int32 arithmetic
      let h = 0;
      let c = 0;
      let k = 0;
      for (let idx = reversed ? w + nw - 1 : w; k < nw; k++, idx += reversed ? -1 : 1) {
        let v = words[idx];
        if (v === 0) break;
        if (swap) v = (((v & 255) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
        h += (v & 0xffff) + (v >>> 16);
        if (c === 0) a0 += v;
        else if (c === 1) a1 += v;
        else a2 += v;
        c = c === 2 ? 0 : c + 1;
      }
      if (k < nw || h % 3 === 0 || h % 5 === 0 || h % 17 === 0 || h % 257 === 0 || sieved(a0, a1, a2)) continue;
      // a prime's bytes look random (~100 distinct values in 128); tagged heap words that pass the
      // sieve do not, and each candidate below costs a BigInt division
      stampId++;
      let distinct = 0;
      for (let k = i; k < i + L; k++) if (stamp[bytes[k]] !== stampId) (stamp[bytes[k]] = stampId), distinct++;
      if (distinct < L >> 1) continue;
      for (let k = 0; k < L; k++) scratch[k] = bytes[i + posOf(order, L, k)];
      const p = BigInt('0x' + scratch.toString('hex'));
      for (const t of active) {
        if (top16 >= t.top16 && t.n % p === 0n) found.set(t, p);
      }
      if (found.size && active.some((t) => found.has(t))) {
        active = active.filter((t) => !found.has(t));
        minTop16 = active.length ? Math.min(...active.map((t) => t.top16)) : 0;
      }
    }
  }
  return found;
}

/** One target: kept for callers that hunt a single modulus. */
export function huntFactor(bytes: Buffer, t: RsaTarget): { p: bigint } | null {
  const p = huntFactors(bytes, [t]).get(t);
  return p ? { p } : null;
}

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
    const t = targetOf(r.n);
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

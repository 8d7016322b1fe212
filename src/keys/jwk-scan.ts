// Self-hunt over text: JWK / JWKS objects lying in memory (public ones to hunt, private ones to
// redact in every encoding of their private members).
import type { LearnedValue } from '../types.js';
import { bitLength, bytesToBigInt, fp, modulusFp } from '../codec/asn1.js';
import { learnedPublic } from './learned.js';
import { findEach } from '../codec/multi-search.js';
import { base64urlBytes } from '../codec/base64.js';

export const KTY = Buffer.from('"kty"');
const MAX_OBJECT = 16384;

/** The JSON object around `at` (a `"kty"` member), or null when it does not parse. */
function objectAround(bytes: Buffer, at: number): Record<string, unknown> | null {
  const open = bytes.lastIndexOf(0x7b, at); // '{'
  if (open === -1 || at - open > 4096) return null;
  const close = bytes.indexOf(0x7d, at); // '}': JWK members hold no nested objects
  if (close === -1 || close - open > MAX_OBJECT) return null;
  try {
    const v = JSON.parse(bytes.toString('latin1', open, close + 1));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What a JWK object teaches: its private value when it holds one, else its public key. */
function jwkLearned(j: Record<string, unknown>): LearnedValue | null {
  const kid = typeof j.kid === 'string' ? ` kid ${j.kid.slice(0, 60).replace(/[^\x20-\x7e]/g, '?')}` : '';
  if (j.kty === 'RSA') {
    const nb = base64urlBytes(j.n);
    const eb = base64urlBytes(j.e);
    if (!nb || !eb || nb.length < 64) return null;
    const n = bytesToBigInt(nb);
    const e = bytesToBigInt(eb);
    const label = `JWK${kid} RSA-${bitLength(n)} modulus sha256:${modulusFp(n)}`;
    const pb = base64urlBytes(j.p);
    if (pb && pb.length > 16) {
      const p = bytesToBigInt(pb);
      if (p > 1n && n % p === 0n) return { kind: 'rsa-factor', label, n, e, p };
    }
    return learnedPublic({ kind: 'rsa', n, e, label });
  }
  if (j.kty === 'EC' || j.kty === 'OKP') {
    const x = base64urlBytes(j.x);
    if (!x || typeof j.crv !== 'string') return null;
    const y = j.kty === 'EC' ? base64urlBytes(j.y) : Buffer.alloc(0);
    if (!y) return null;
    const publicKey = j.kty === 'EC' ? Buffer.concat([Buffer.from([4]), x, y]) : x;
    const label = `JWK${kid} ${j.crv} public key sha256:${fp(publicKey)}`;
    const d = base64urlBytes(j.d);
    if (d && d.length >= 16) return { kind: 'ec-scalar', label, curve: j.crv, scalar: d, publicKey };
    return learnedPublic({ kind: j.kty === 'EC' ? 'ec' : 'okp', curve: j.crv, publicKey, label });
  }
  return null;
}

/** What the JWK objects found in `bytes` teach (public keys to hunt, private values to find elsewhere). */
export function scanJwks(bytes: Buffer, kty = findEach(bytes, [KTY])[0]): LearnedValue[] {
  const out: LearnedValue[] = [];
  for (const at of kty) {
    const j = objectAround(bytes, at);
    const v = j && jwkLearned(j);
    if (v) out.push(v);
  }
  return out;
}

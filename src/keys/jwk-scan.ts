// Self-hunt over text: JWK / JWKS objects lying in memory (public ones to hunt, private ones to
// redact in every encoding of their private members).
import type { KnownKey } from '../types.js';
import { bitLength, bytesToBigInt, fp, modulusFp } from '../detectors/asn1.js';
import { pushKey } from './hint.js';
import type { HuntKey } from './hint.js';
import { findEach } from '../detectors/multi-search.js';

export const KTY = Buffer.from('"kty"');
const MAX_OBJECT = 16384;

function b64u(v: unknown): Buffer | null {
  if (typeof v !== 'string' || v.length > 8192 || !/^[A-Za-z0-9_\-+/=]*$/.test(v)) return null;
  return Buffer.from(v, 'base64url');
}

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

export function jwkKeyOf(j: Record<string, unknown>): HuntKey | null {
  const kid = typeof j.kid === 'string' ? ` kid ${j.kid.slice(0, 60).replace(/[^\x20-\x7e]/g, '?')}` : '';
  if (j.kty === 'RSA') {
    const nb = b64u(j.n);
    const eb = b64u(j.e);
    if (!nb || !eb || nb.length < 64) return null;
    const n = bytesToBigInt(nb);
    const e = bytesToBigInt(eb);
    const key: HuntKey = { kind: 'rsa', n, e, label: `JWK${kid} RSA-${bitLength(n)} modulus sha256:${modulusFp(n)}` };
    const pb = b64u(j.p);
    if (pb && pb.length > 16) {
      const p = bytesToBigInt(pb);
      if (p > 1n && n % p === 0n) key.privateHint = { p };
    }
    return key;
  }
  if (j.kty === 'EC' || j.kty === 'OKP') {
    const x = b64u(j.x);
    if (!x || typeof j.crv !== 'string') return null;
    const y = j.kty === 'EC' ? b64u(j.y) : Buffer.alloc(0);
    if (!y) return null;
    const publicKey = j.kty === 'EC' ? Buffer.concat([Buffer.from([4]), x, y]) : x;
    const key: HuntKey = { kind: j.kty === 'EC' ? 'ec' : 'okp', curve: j.crv, publicKey, label: `JWK${kid} ${j.crv} public key sha256:${fp(publicKey)}` };
    const d = b64u(j.d);
    if (d && d.length >= 16) key.privateHint = { scalar: d };
    return key;
  }
  return null;
}

/** Pushes the keys of JWK objects found in `bytes`; returns those holding private members. */
export function scanJwks(bytes: Buffer, out: KnownKey[], kty = findEach(bytes, [KTY])[0]): HuntKey[] {
  const priv: HuntKey[] = [];
  for (const at of kty) {
    const j = objectAround(bytes, at);
    const k = j && jwkKeyOf(j);
    if (!k) continue;
    pushKey(out, k);
    if (k.privateHint) priv.push(k);
  }
  return priv;
}

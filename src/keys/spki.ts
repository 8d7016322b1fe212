// SubjectPublicKeyInfo and PKCS#1 RSAPublicKey -> KnownKey, from DER bytes.
import type { KnownKey } from '../types.js';
import { OID, TAG, bitLength, children, intValue, isUnsignedInt, modulusFp, fp, oidIs, readTlv } from '../codec/asn1.js';
import { CURVE_BYTES, curveOfOid, okpCurveOfOid } from '../codec/curves.js';
import type { Tlv } from '../codec/asn1.js';

/** PKCS#1 RSAPublicKey SEQUENCE { n, e } at `t`. */
export function rsaPublicOf(b: Uint8Array, t: Tlv, label: string): KnownKey | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 2);
  if (!c || c.length !== 2 || !isUnsignedInt(b, c[0]) || !isUnsignedInt(b, c[1])) return null;
  const n = intValue(b, c[0]);
  const e = intValue(b, c[1]);
  if (bitLength(n) < 256 || (n & 1n) === 0n || e < 3n || (e & 1n) === 0n || e >= n) return null;
  return { kind: 'rsa', n, e, label: `${label} RSA-${bitLength(n)} modulus sha256:${modulusFp(n)}` };
}

/** SubjectPublicKeyInfo SEQUENCE { AlgorithmIdentifier, BIT STRING } at `t`. */
export function spkiOf(b: Uint8Array, t: Tlv, label: string): KnownKey | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 2);
  if (!c || c.length !== 2 || c[0].tag !== TAG.SEQUENCE || c[1].tag !== TAG.BIT_STRING) return null;
  const alg = children(b, c[0], 2);
  if (!alg || alg.length < 1) return null;
  const bits = c[1];
  if (bits.end - bits.body < 2 || b[bits.body] !== 0) return null;
  const keyStart = bits.body + 1;
  if (oidIs(b, alg[0], OID.rsaEncryption) || oidIs(b, alg[0], OID.rsaPss)) {
    const inner = readTlv(b, keyStart, bits.end);
    if (!inner || inner.end !== bits.end) return null;
    return rsaPublicOf(b, inner, label);
  }
  if (oidIs(b, alg[0], OID.ecPublicKey)) {
    if (alg.length !== 2) return null;
    const curve = curveOfOid(b, alg[1]);
    if (!curve) return null;
    const len = bits.end - keyStart;
    if (b[keyStart] !== 0x04 || len !== 1 + 2 * CURVE_BYTES[curve]) return null;
    const publicKey = Buffer.from(b.subarray(keyStart, bits.end));
    return { kind: 'ec', curve, publicKey, label: `${label} ${curve} public key sha256:${fp(publicKey)}` };
  }
  const curve = okpCurveOfOid(b, alg[0]);
  if (curve) {
    if (bits.end - keyStart !== CURVE_BYTES[curve]) return null;
    const publicKey = Buffer.from(b.subarray(keyStart, bits.end));
    return { kind: 'okp', curve, publicKey, label: `${label} ${curve} public key sha256:${fp(publicKey)}` };
  }
  return null;
}

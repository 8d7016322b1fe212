// Every elliptic curve dumpscrub knows, in one table: key length, OID, and the names OpenSSL and OpenSSH use.
import { oidIs } from './asn1.js';
import type { Tlv } from './asn1.js';

interface Curve {
  /** Private scalar (Weierstrass) or raw key (Edwards, Montgomery) length in bytes. */
  bytes: number;
  /** OID body: the namedCurve parameter of id-ecPublicKey, or for Ed/X curves the key algorithm itself. */
  oid: Buffer;
  /** OpenSSL's name (for createECDH), Weierstrass curves only. */
  openssl?: string;
  /** The name in OpenSSH's `ecdsa-sha2-<name>` keys. */
  ssh?: string;
}

export const CURVES: Record<string, Curve> = {
  'P-256': { bytes: 32, oid: Buffer.from('2a8648ce3d030107', 'hex'), openssl: 'prime256v1', ssh: 'nistp256' },
  'P-384': { bytes: 48, oid: Buffer.from('2b81040022', 'hex'), openssl: 'secp384r1', ssh: 'nistp384' },
  'P-521': { bytes: 66, oid: Buffer.from('2b81040023', 'hex'), openssl: 'secp521r1', ssh: 'nistp521' },
  secp256k1: { bytes: 32, oid: Buffer.from('2b8104000a', 'hex'), openssl: 'secp256k1' },
  Ed25519: { bytes: 32, oid: Buffer.from('2b6570', 'hex') },
  X25519: { bytes: 32, oid: Buffer.from('2b656e', 'hex') },
  Ed448: { bytes: 57, oid: Buffer.from('2b6571', 'hex') },
  X448: { bytes: 56, oid: Buffer.from('2b656f', 'hex') },
};

export const CURVE_BYTES: Record<string, number> = Object.fromEntries(Object.entries(CURVES).map(([name, c]) => [name, c.bytes]));

const WEIERSTRASS = Object.entries(CURVES).filter(([, c]) => c.openssl);
const OKP = Object.entries(CURVES).filter(([, c]) => !c.openssl);

/** OpenSSL's name of a Weierstrass curve (for createECDH), undefined for the others. */
export function opensslCurve(curve: string): string | undefined {
  return Object.hasOwn(CURVES, curve) ? CURVES[curve].openssl : undefined;
}

/** The Weierstrass curve an id-ecPublicKey parameter `t` names. */
export function curveOfOid(b: Uint8Array, t: Tlv): string | undefined {
  return WEIERSTRASS.find(([, c]) => oidIs(b, t, c.oid))?.[0];
}

/** The Edwards or Montgomery curve whose key algorithm OID `t` is (one OID names both). */
export function okpCurveOfOid(b: Uint8Array, t: Tlv): string | undefined {
  return OKP.find(([, c]) => oidIs(b, t, c.oid))?.[0];
}

/** The curve of an OpenSSH `ecdsa-sha2-<name>` key. */
export function curveOfSsh(name: string): string | undefined {
  return WEIERSTRASS.find(([, c]) => c.ssh === name)?.[0];
}

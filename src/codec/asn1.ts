// Minimal strict DER reader: definite lengths only, bounded by a limit, no allocation on failure.
import { createHash } from 'node:crypto';

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  body: number;
  /** Offset one past the last content byte. */
  end: number;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  SET: 0x31,
  CTX0: 0xa0,
  CTX1: 0xa1,
} as const;

/** Reads one TLV at `off` that must end at or before `limit`; null when it is not valid DER. */
export function readTlv(b: Uint8Array, off: number, limit: number): Tlv | null {
  if (off + 2 > limit) return null;
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) return null; // multi-byte tags never occur in key structures
  let len = b[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    if (b[p] === 0) return null; // non-minimal length
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
    if (len < 0x80) return null; // long form for a short length is not DER
    p += n;
  }
  const end = p + len;
  if (end > limit) return null;
  return { tag, start: off, body: p, end };
}

/** Reads the children of a constructed TLV; null if they do not tile its body exactly. */
export function children(b: Uint8Array, t: Tlv, max = 16): Tlv[] | null {
  const out: Tlv[] = [];
  let p = t.body;
  while (p < t.end) {
    if (out.length >= max) return null;
    const c = readTlv(b, p, t.end);
    if (!c) return null;
    out.push(c);
    p = c.end;
  }
  return out;
}

/** True when the TLV is an INTEGER with a minimal, non-negative encoding. */
export function isUnsignedInt(b: Uint8Array, t: Tlv): boolean {
  if (t.tag !== TAG.INTEGER || t.end <= t.body) return false;
  if (b[t.body] & 0x80) return false;
  if (t.end - t.body > 1 && b[t.body] === 0 && !(b[t.body + 1] & 0x80)) return false;
  return true;
}

/** Small INTEGER value, or -1 when it is not a small non-negative INTEGER. */
export function smallInt(b: Uint8Array, t: Tlv): number {
  if (!isUnsignedInt(b, t) || t.end - t.body > 4) return -1;
  let v = 0;
  for (let i = t.body; i < t.end; i++) v = v * 256 + b[i];
  return v;
}

/** Big-endian unsigned bytes to bigint. */
export function bytesToBigInt(b: Uint8Array, start = 0, end = b.length): bigint {
  if (end <= start) return 0n;
  return BigInt('0x' + Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('hex'));
}

export function intValue(b: Uint8Array, t: Tlv): bigint {
  return bytesToBigInt(b, t.body, t.end);
}

/** Minimal big-endian bytes of a non-negative bigint (at least `len` bytes when given). */
export function bigIntToBytes(x: bigint, len = 0): Buffer {
  let hex = x.toString(16);
  if (hex.length & 1) hex = '0' + hex;
  const raw = Buffer.from(hex, 'hex');
  if (raw.length >= len) return raw;
  const out = Buffer.alloc(len);
  raw.copy(out, len - raw.length);
  return out;
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Compares the OID body bytes of `t` with `oid` (the body bytes, without tag and length). */
export function oidIs(b: Uint8Array, t: Tlv, oid: Uint8Array): boolean {
  if (t.tag !== TAG.OID || t.end - t.body !== oid.length) return false;
  for (let i = 0; i < oid.length; i++) if (b[t.body + i] !== oid[i]) return false;
  return true;
}

/** First 12 hex chars of SHA-256: the only form in which key material may be named. */
export function fp(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/** Fingerprint of an RSA modulus (minimal big-endian bytes). */
export function modulusFp(n: bigint): string {
  return fp(bigIntToBytes(n));
}

/** OID bodies used by the key detectors. */
export const OID = {
  rsaEncryption: Buffer.from('2a864886f70d010101', 'hex'),
  rsaPss: Buffer.from('2a864886f70d01010a', 'hex'),
  ecPublicKey: Buffer.from('2a8648ce3d0201', 'hex'),
  dsa: Buffer.from('2a8648ce380401', 'hex'),
  dh: Buffer.from('2a864886f70d010301', 'hex'),
  pbes2: Buffer.from('2a864886f70d01050d', 'hex'),
  pkcs7data: Buffer.from('2a864886f70d010701', 'hex'),
  pkcs7signed: Buffer.from('2a864886f70d010702', 'hex'),
} as const;

/** pkcs-12 PBE OIDs 1.2.840.113549.1.12.1.x and PBES1 1.2.840.113549.1.5.x share these prefixes. */
export const PKCS12_PBE_PREFIX = Buffer.from('2a864886f70d010c01', 'hex');
export const PKCS5_PREFIX = Buffer.from('2a864886f70d0105', 'hex');

// Windows key blobs: CNG BCRYPT_RSAKEY_BLOB (RSA2/RSA3), BCRYPT_ECCKEY_BLOB private magics,
// BCRYPT_KEY_DATA_BLOB (KDBM), CAPI PRIVATEKEYBLOB; RSA1 / CAPI PUBLICKEYBLOB feed self-hunt.
import { createECDH } from 'node:crypto';
import type { Detection, Detector, Hit, LearnedValue } from '../types.js';
import { bitLength, bytesToBigInt, modulusFp, fp } from '../codec/asn1.js';
import { CURVES } from '../codec/curves.js';
import { pushPublic } from '../keys/learned.js';
import { rsaTagged, scalarTagged } from '../codec/bignum.js';
import { findEach, searchAll } from '../codec/multi-search.js';
import { gramSampler } from './gram-kernel.js';

interface BlobFound {
  start: number;
  end: number;
  ruleId: string;
  note: string;
  secret: Buffer;
  /** The private value, to find in its other encodings. */
  learned?: LearnedValue;
}

const RSA = Buffer.from('RSA');
const EC = Buffer.from('EC');
const KDBM = Buffer.from('KDBM');

function le(b: Buffer): bigint {
  return bytesToBigInt(Buffer.from(b).reverse());
}

function rsaKey(n: bigint, e: bigint, p: bigint, form: string): { note: string; learned: LearnedValue } {
  const label = `RSA-${bitLength(n)} modulus sha256:${modulusFp(n)}`;
  return { note: `RSA-${bitLength(n)} private key (${form}) for modulus sha256:${modulusFp(n)}`, learned: { kind: 'rsa-factor', n, e, label, p } };
}

/** CNG BCRYPT_RSAKEY_BLOB at `at` (magic RSA1/RSA2/RSA3); numbers big-endian. */
function cngRsa(b: Buffer, at: number, pub: LearnedValue[]): BlobFound | null {
  if (at + 24 > b.length) return null;
  const kind = b[at + 3];
  const bits = b.readUInt32LE(at + 4);
  const cbE = b.readUInt32LE(at + 8);
  const cbN = b.readUInt32LE(at + 12);
  const cbP = b.readUInt32LE(at + 16);
  const cbQ = b.readUInt32LE(at + 20);
  if (bits < 512 || bits > 16384 || cbN !== Math.ceil(bits / 8) || cbE < 1 || cbE > 8) return null;
  let len = 24 + cbE + cbN;
  if (kind === 0x31) {
    if (cbP !== 0 && cbP > cbN) return null;
    if (at + len > b.length) return null;
    const n = bytesToBigInt(b, at + 24 + cbE, at + len);
    if (bitLength(n) !== bits) return null;
    pushPublic(pub, { kind: 'rsa', n, e: bytesToBigInt(b, at + 24, at + 24 + cbE), label: `CNG RSA1 RSA-${bits} modulus sha256:${modulusFp(n)}` });
    return null;
  }
  if (cbP < 16 || cbQ < 16 || cbP > cbN || cbQ > cbN || Math.abs(cbP + cbQ - cbN) > 2) return null;
  len += cbP + cbQ;
  if (kind === 0x33) len += 2 * cbP + cbQ + cbN;
  if (at + len > b.length) return null;
  const e = bytesToBigInt(b, at + 24, at + 24 + cbE);
  const n = bytesToBigInt(b, at + 24 + cbE, at + 24 + cbE + cbN);
  const p0 = at + 24 + cbE + cbN;
  const p = bytesToBigInt(b, p0, p0 + cbP);
  const q = bytesToBigInt(b, p0 + cbP, p0 + cbP + cbQ);
  if (p < 2n || q < 2n || p * q !== n) return null;
  const r = rsaKey(n, e, p, `CNG BCRYPT_RSA${kind === 0x33 ? 'FULL' : ''}PRIVATE_BLOB`);
  return { start: at, end: at + len, ruleId: 'cng-rsa', note: r.note, learned: r.learned, secret: Buffer.from(b.subarray(at, at + len)) };
}

/** CAPI PRIVATEKEYBLOB / PUBLICKEYBLOB: BLOBHEADER, RSAPUBKEY ('RSA2'/'RSA1'), numbers little-endian. */
function capiRsa(b: Buffer, magicAt: number, pub: LearnedValue[]): BlobFound | null {
  const at = magicAt - 8;
  if (at < 0 || magicAt + 12 > b.length) return null;
  const type = b[at];
  if ((type !== 0x07 && type !== 0x06) || b[at + 1] !== 0x02 || b.readUInt16LE(at + 2) !== 0) return null;
  const alg = b.readUInt32LE(at + 4);
  if (alg !== 0xa400 && alg !== 0x2400) return null;
  const bits = b.readUInt32LE(magicAt + 4);
  if (bits < 512 || bits > 16384 || bits % 16 !== 0) return null;
  const e = BigInt(b.readUInt32LE(magicAt + 8));
  const nLen = bits / 8;
  const hLen = bits / 16;
  const n0 = magicAt + 12;
  if (n0 + nLen > b.length) return null;
  const n = le(b.subarray(n0, n0 + nLen));
  if (type === 0x06) {
    if (b[magicAt + 3] !== 0x31 || bitLength(n) !== bits) return null;
    pushPublic(pub, { kind: 'rsa', n, e, label: `CAPI PUBLICKEYBLOB RSA-${bits} modulus sha256:${modulusFp(n)}` });
    return null;
  }
  if (b[magicAt + 3] !== 0x32) return null;
  const end = n0 + nLen + 5 * hLen + nLen;
  if (end > b.length) return null;
  const p = le(b.subarray(n0 + nLen, n0 + nLen + hLen));
  const q = le(b.subarray(n0 + nLen + hLen, n0 + nLen + 2 * hLen));
  if (p < 2n || q < 2n || p * q !== n) return null;
  const r = rsaKey(n, e, p, 'CAPI PRIVATEKEYBLOB');
  return { start: at, end, ruleId: 'capi-rsa', note: r.note, learned: r.learned, secret: Buffer.from(b.subarray(at, end)) };
}

const EC_MAGIC: Record<string, { curve: string; ossl: string; len: number; priv: boolean }> = {};
for (const [kind, curve] of [
  ['2', 'P-256'],
  ['4', 'P-384'],
  ['6', 'P-521'],
] as const) {
  const { bytes: len, openssl: ossl = '' } = CURVES[curve];
  const pubDigit = String(Number(kind) - 1);
  for (const alg of ['K', 'S']) {
    EC_MAGIC[`EC${alg}${kind}`] = { curve, ossl, len, priv: true };
    EC_MAGIC[`EC${alg}${pubDigit}`] = { curve, ossl, len, priv: false };
  }
}

/** BCRYPT_ECCKEY_BLOB: magic, cbKey, X, Y[, d]; the private scalar must produce X, Y. */
function cngEc(b: Buffer, at: number, pub: LearnedValue[]): BlobFound | null {
  if (at + 8 > b.length) return null;
  const m = EC_MAGIC[b.toString('latin1', at, at + 4)];
  if (!m || b.readUInt32LE(at + 4) !== m.len) return null;
  const end = at + 8 + (m.priv ? 3 : 2) * m.len;
  if (end > b.length) return null;
  const point = Buffer.concat([Buffer.from([4]), b.subarray(at + 8, at + 8 + 2 * m.len)]);
  if (!m.priv) {
    pushPublic(pub, { kind: 'ec', curve: m.curve, publicKey: point, label: `CNG ${m.curve} public key sha256:${fp(point)}` });
    return null;
  }
  const d = Buffer.from(b.subarray(at + 8 + 2 * m.len, end));
  try {
    const ecdh = createECDH(m.ossl);
    ecdh.setPrivateKey(d);
    if (!ecdh.getPublicKey().equals(point)) return null;
  } catch {
    return null;
  }
  const learned: LearnedValue = { kind: 'ec-scalar', curve: m.curve, publicKey: point, label: `${m.curve} public key sha256:${fp(point)}`, scalar: d };
  return { start: at, end, ruleId: 'cng-ec', note: `${m.curve} private key (CNG BCRYPT_ECCPRIVATE_BLOB)`, learned, secret: d };
}

/** BCRYPT_KEY_DATA_BLOB: 'KDBM', version 1, cbKeyData, key bytes. */
function kdbm(b: Buffer, at: number): BlobFound | null {
  if (at + 12 > b.length || b.readUInt32LE(at + 4) !== 1) return null;
  const cb = b.readUInt32LE(at + 8);
  if (![8, 16, 24, 32, 48, 64].includes(cb) || at + 12 + cb > b.length) return null;
  const key = b.subarray(at + 12, at + 12 + cb);
  let distinct = 0;
  const seen = new Uint8Array(256);
  for (const x of key) if (!seen[x]++) distinct++;
  if (distinct < Math.min(6, cb / 2)) return null;
  return { start: at, end: at + 12 + cb, ruleId: 'cng-key-data', note: `symmetric key (CNG BCRYPT_KEY_DATA_BLOB, ${cb * 8} bits)`, secret: Buffer.from(key) };
}

function findBlobs(b: Buffer, pub: LearnedValue[]): BlobFound[] {
  const out: BlobFound[] = [];
  const [rsa, ec, kd] = findEach(b, [RSA, EC, KDBM]);
  for (const at of rsa) {
    const c = b[at + 3];
    if (c < 0x31 || c > 0x33) continue;
    const f = cngRsa(b, at, pub) ?? capiRsa(b, at, pub);
    if (f) out.push(f);
  }
  for (const at of ec) {
    const c = b[at + 2];
    if (c !== 0x4b && c !== 0x53) continue;
    const f = cngEc(b, at, pub);
    if (f) out.push(f);
  }
  for (const at of kd) {
    const f = kdbm(b, at);
    if (f) out.push(f);
  }
  return out;
}

export const cngDetector: Detector = {
  id: 'cng-blob',
  name: 'Windows CNG / CAPI key blobs',
  description: 'BCRYPT RSA private/full-private blobs (RSA2/RSA3), ECC private blobs (ECK2/4/6, ECS2/4/6), key data blobs (KDBM), CAPI PRIVATEKEYBLOB; validated (n == p*q, d*G == Q)',
  kind: 'binary',
  maxSpan: 8192,
  detect(bytes: Buffer): Detection {
    const hits: Hit[] = [];
    const learned: LearnedValue[] = [];
    for (const f of findBlobs(bytes, learned)) {
      hits.push({ start: f.start, end: f.end, ruleId: f.ruleId, encoding: 'binary', secret: f.secret, note: f.note });
      const v = f.learned;
      if (!v) continue;
      learned.push(v);
      if (v.kind === 'rsa-factor') hits.push(...searchAll(bytes, rsaTagged(v.n, v.e, v.p, v.label), gramSampler));
      else if (v.kind === 'ec-scalar') hits.push(...searchAll(bytes, scalarTagged(v.scalar, v.label), gramSampler));
    }
    return { hits, learned };
  },
};

// DER private keys: PKCS#1, PKCS#8 (RSA/EC/Ed25519/X25519/DSA/DH), SEC1, EncryptedPrivateKeyInfo, PFX.
// Every candidate is validated by walking the ASN.1 (RSA: n == p*q) before it becomes a hit.
import type { Detection, Detector, Hit, LearnedValue } from '../types.js';
import type { Tlv } from '../codec/asn1.js';
import { OID, PKCS12_PBE_PREFIX, PKCS5_PREFIX, TAG, bitLength, children, fp, intValue, isUnsignedInt, modulusFp, oidIs, readTlv, smallInt } from '../codec/asn1.js';
import { CURVE_BYTES, curveOfOid, okpCurveOfOid } from '../codec/curves.js';
import { spkiOf } from '../keys/spki.js';
import { pushPublic } from '../keys/learned.js';
import { learnedIdentity } from '../keys/identity.js';
import { derTextNeedles, rsaTagged, scalarTagged, tag } from '../codec/bignum.js';
import { findEach, searchAll } from '../codec/multi-search.js';
import type { Tagged } from '../codec/multi-search.js';
import { DASHES, scanPemPublic } from '../keys/pem-scan.js';
import { gramSampler } from './gram-kernel.js';
import { KTY, scanJwks } from '../keys/jwk-scan.js';

interface KeyFound {
  kind: string;
  /** Safe description, e.g. "RSA-2048 private key (PKCS#1 DER) for modulus sha256:…". */
  note: string;
  /** The private value, to find in its other encodings. */
  learned?: LearnedValue;
}

const MIN_SEQ = 0x22;

/** PKCS#1 RSAPrivateKey at `t`, validated by n == p*q. */
function rsaPrivateOf(b: Uint8Array, t: Tlv, form: string): KeyFound | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 12);
  if (!c || c.length < 9) return null;
  const v = smallInt(b, c[0]);
  if (!(v === 0 && c.length === 9) && !(v === 1 && c.length === 10)) return null;
  for (let i = 1; i < 9; i++) if (!isUnsignedInt(b, c[i])) return null;
  // cheap before BigInt: the primes together are about as long as n
  const nLen = c[1].end - c[1].body;
  const pqLen = c[4].end - c[4].body + c[5].end - c[5].body;
  if (nLen < 32 || Math.abs(nLen - pqLen) > 2) return null;
  const n = intValue(b, c[1]);
  const e = intValue(b, c[2]);
  const p = intValue(b, c[4]);
  const q = intValue(b, c[5]);
  if (p < 2n || q < 2n || p * q !== n) return null;
  const bits = bitLength(n);
  const label = `RSA-${bits} modulus sha256:${modulusFp(n)}`;
  return {
    kind: 'rsa',
    note: `RSA-${bits} private key (${form}) for modulus sha256:${modulusFp(n)}`,
    learned: { kind: 'rsa-factor', n, e, label, p },
  };
}

function scalarKey(curve: string, scalar: Uint8Array, pub: Uint8Array | undefined): LearnedValue {
  const s = Buffer.from(scalar);
  const publicKey = pub ? Buffer.from(pub) : undefined;
  const id = publicKey ? `public key sha256:${fp(publicKey)}` : `key sha256:${fp(s).slice(0, 8)}`;
  return { kind: 'ec-scalar', curve, publicKey, label: `${curve} ${id}`, scalar: s };
}

/** A private scalar that is all zero or one repeated byte is a placeholder, not a key. */
function plausibleScalar(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 16) return false;
  let distinct = 0;
  const seen = new Uint8Array(256);
  for (let i = start; i < end; i++) if (!seen[b[i]]++) distinct++;
  return distinct >= Math.min(8, (end - start) >> 1);
}

/** SEC1 ECPrivateKey SEQUENCE { 1, OCTET STRING d, [0] curve?, [1] public? } at `t`. */
function ecPrivateOf(b: Uint8Array, t: Tlv, form: string, outerCurve?: string): KeyFound | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 4);
  if (!c || c.length < 2 || smallInt(b, c[0]) !== 1 || c[1].tag !== TAG.OCTET_STRING) return null;
  let curve = outerCurve;
  let pub: Uint8Array | undefined;
  for (let i = 2; i < c.length; i++) {
    if (c[i].tag === TAG.CTX0) {
      const o = readTlv(b, c[i].body, c[i].end);
      if (o) curve = curveOfOid(b, o) ?? curve;
    } else if (c[i].tag === TAG.CTX1) {
      const bs = readTlv(b, c[i].body, c[i].end);
      if (!bs || bs.tag !== TAG.BIT_STRING || b[bs.body] !== 0 || b[bs.body + 1] !== 0x04) return null;
      pub = b.subarray(bs.body + 1, bs.end);
    } else return null;
  }
  const dLen = c[1].end - c[1].body;
  if (curve && dLen !== CURVE_BYTES[curve]) return null;
  if (!curve && ![32, 48, 66].includes(dLen)) return null;
  if (!plausibleScalar(b, c[1].body, c[1].end)) return null;
  const name = curve ?? `EC-${dLen * 8}`;
  return { kind: 'ec', note: `${name} private key (${form})`, learned: scalarKey(name, b.subarray(c[1].body, c[1].end), pub) };
}

/** PKCS#8 PrivateKeyInfo / OneAsymmetricKey at `t`. */
function pkcs8Of(b: Uint8Array, t: Tlv): KeyFound | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 5);
  if (!c || c.length < 3) return null;
  const v = smallInt(b, c[0]);
  if (v !== 0 && v !== 1) return null;
  if (c[1].tag !== TAG.SEQUENCE || c[2].tag !== TAG.OCTET_STRING) return null;
  const alg = children(b, c[1], 3);
  if (!alg || alg.length < 1) return null;
  const inner = readTlv(b, c[2].body, c[2].end);
  if (oidIs(b, alg[0], OID.rsaEncryption) || oidIs(b, alg[0], OID.rsaPss)) {
    if (!inner || inner.end !== c[2].end) return null;
    return rsaPrivateOf(b, inner, 'PKCS#8 DER');
  }
  if (oidIs(b, alg[0], OID.ecPublicKey)) {
    if (!inner || inner.end !== c[2].end || alg.length < 2) return null;
    return ecPrivateOf(b, inner, 'PKCS#8 DER', curveOfOid(b, alg[1]));
  }
  const curve = okpCurveOfOid(b, alg[0]);
  if (curve) {
    if (!inner || inner.tag !== TAG.OCTET_STRING || inner.end !== c[2].end) return null;
    if (inner.end - inner.body !== CURVE_BYTES[curve] || !plausibleScalar(b, inner.body, inner.end)) return null;
    let pub: Uint8Array | undefined;
    const last = c[c.length - 1];
    if (c.length > 3 && last.tag === 0x81 && last.end - last.body === CURVE_BYTES[curve] + 1) pub = b.subarray(last.body + 1, last.end);
    return { kind: 'okp', note: `${curve} private key (PKCS#8 DER)`, learned: scalarKey(curve, b.subarray(inner.body, inner.end), pub) };
  }
  if (oidIs(b, alg[0], OID.dsa) || oidIs(b, alg[0], OID.dh)) {
    if (!inner || inner.end !== c[2].end || !isUnsignedInt(b, inner) || inner.end - inner.body < 20) return null;
    if (!plausibleScalar(b, inner.body, inner.end)) return null;
    const what = oidIs(b, alg[0], OID.dsa) ? 'DSA' : 'DH';
    return { kind: what.toLowerCase(), note: `${what} private key (PKCS#8 DER)` };
  }
  return null;
}

/** EncryptedPrivateKeyInfo SEQUENCE { AlgorithmIdentifier (PBES2 / PKCS#12 PBE), OCTET STRING } at `t`. */
function encryptedOf(b: Uint8Array, t: Tlv): KeyFound | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 2);
  if (!c || c.length !== 2 || c[0].tag !== TAG.SEQUENCE || c[1].tag !== TAG.OCTET_STRING) return null;
  const alg = children(b, c[0], 2);
  if (!alg || alg.length !== 2 || alg[0].tag !== TAG.OID || alg[1].tag !== TAG.SEQUENCE) return null;
  const oidLen = alg[0].end - alg[0].body;
  const isPbes2 = oidIs(b, alg[0], OID.pbes2);
  const isPkcs12 = oidLen === 10 && prefixAt(b, alg[0].body, PKCS12_PBE_PREFIX);
  const isPbes1 = oidLen === 9 && prefixAt(b, alg[0].body, PKCS5_PREFIX);
  if (!isPbes2 && !isPkcs12 && !isPbes1) return null;
  const dataLen = c[1].end - c[1].body;
  if (dataLen < 32 || dataLen % 8 !== 0) return null;
  return { kind: 'encrypted', note: `encrypted private key (PKCS#8 EncryptedPrivateKeyInfo DER, ${dataLen} bytes)` };
}

/** PFX SEQUENCE { 3, ContentInfo { data | signedData, [0] ... }, MacData? } at `t`. */
function pfxOf(b: Uint8Array, t: Tlv): KeyFound | null {
  if (t.tag !== TAG.SEQUENCE) return null;
  const c = children(b, t, 3);
  if (!c || c.length < 2 || smallInt(b, c[0]) !== 3 || c[1].tag !== TAG.SEQUENCE) return null;
  const ci = children(b, c[1], 2);
  if (!ci || ci.length !== 2 || ci[1].tag !== TAG.CTX0) return null;
  if (!oidIs(b, ci[0], OID.pkcs7data) && !oidIs(b, ci[0], OID.pkcs7signed)) return null;
  if (c.length === 3 && c[2].tag !== TAG.SEQUENCE) return null;
  return { kind: 'pfx', note: `PKCS#12 / PFX container (${t.end - t.start} bytes)` };
}

function prefixAt(b: Uint8Array, off: number, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (b[off + i] !== prefix[i]) return false;
  return true;
}

/** Tries every private-key structure on the SEQUENCE at `t`. */
function privateKeyOf(b: Uint8Array, t: Tlv): KeyFound | null {
  const h = t.body;
  if (b[h] === TAG.INTEGER && b[h + 1] === 1) {
    const v = b[h + 2];
    if (v === 0) return rsaPrivateOf(b, t, 'PKCS#1 DER') ?? pkcs8Of(b, t);
    if (v === 1) return ecPrivateOf(b, t, 'SEC1 DER') ?? pkcs8Of(b, t) ?? rsaPrivateOf(b, t, 'PKCS#1 DER');
    if (v === 3) return pfxOf(b, t);
    return null;
  }
  if (b[h] === TAG.SEQUENCE) return encryptedOf(b, t);
  return null;
}

/** Cheap header test at a 0x30 byte: plausible length and a version INTEGER or AlgorithmIdentifier next. */
function headerOk(b: Uint8Array, i: number, n: number): boolean {
  const l = b[i + 1];
  let h: number;
  if (l < 0x80) {
    if (l < MIN_SEQ) return false;
    h = 2;
  } else if (l === 0x81) h = 3;
  else if (l === 0x82) h = 4;
  else if (l === 0x83) h = 5;
  else return false;
  if (i + h + 3 > n) return false;
  const t0 = b[i + h];
  if (t0 === TAG.INTEGER) {
    const v = b[i + h + 2];
    return b[i + h + 1] === 1 && (v === 0 || v === 1 || v === 3);
  }
  // EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID 1.2.840.113549.1.(5|12)... } }
  return t0 === TAG.SEQUENCE && b[i + h + 2] === TAG.OID && b[i + h + 4] === 0x2a && b[i + h + 5] === 0x86;
}

const MAX_SPAN = 1 << 16;

const INT1 = Buffer.from([TAG.INTEGER, 0x01]);

function headerLen(b: Uint8Array, s: number): number {
  const l = b[s + 1];
  return l < 0x80 ? 2 : l === 0x81 ? 3 : l === 0x82 ? 4 : l === 0x83 ? 5 : 0;
}

/**
 * Starts of SEQUENCEs worth parsing. Anchored on rare byte patterns found with native searches
 * (a one-byte version INTEGER 0/1/3; a PKCS OID for EncryptedPrivateKeyInfo), then checked
 * backwards for a SEQUENCE header that ends exactly there: text full of '0' (0x30) costs nothing.
 */
function candidates(bytes: Buffer, a: Anchors): number[] {
  const n = bytes.length;
  const out: number[] = [];
  for (const at of a.int1) {
    const v = bytes[at + 2];
    if (v !== 0 && v !== 1 && v !== 3) continue;
    for (let h = 2; h <= 5; h++) {
      const s = at - h;
      if (s >= 0 && bytes[s] === TAG.SEQUENCE && headerLen(bytes, s) === h && headerOk(bytes, s, n)) out.push(s);
    }
  }
  for (const at of a.pkcs) {
    const alg = at - 4; // SEQUENCE { OID ... }: 30 LL 06 LL <oid>
    if (alg < 2 || bytes[alg] !== TAG.SEQUENCE || bytes[at - 2] !== TAG.OID) continue;
    for (let h = 2; h <= 5; h++) {
      const s = alg - h;
      if (s >= 0 && bytes[s] === TAG.SEQUENCE && headerLen(bytes, s) === h && headerOk(bytes, s, n)) out.push(s);
    }
  }
  return out.sort((x, y) => x - y);
}

/** Scans `bytes` for DER private keys (each hit carries what it teaches in `found.learned`). */
export function findDerKeys(bytes: Buffer, a = anchorsOf(bytes)): Array<Hit & { found: KeyFound }> {
  const hits: Array<Hit & { found: KeyFound }> = [];
  const n = bytes.length;
  let next = 0;
  for (const i of candidates(bytes, a)) {
    if (i < next) continue; // nested structures belong to the hit that holds them
    const t = readTlv(bytes, i, Math.min(n, i + MAX_SPAN));
    const found = t && privateKeyOf(bytes, t);
    if (!t || !found) continue;
    hits.push({
      start: t.start,
      end: t.end,
      ruleId: `der-${found.kind}`,
      encoding: 'binary',
      secret: Buffer.from(bytes.subarray(t.start, t.end)),
      note: found.note,
      found,
    });
    next = t.end;
  }
  return hits;
}

// Anchors of at most 8 bytes: Node searches those with memchr speed, longer ones 5x slower.
const OID_RSA_EC = Buffer.from('2a8648', 'hex');
const RSA_TAIL = Buffer.from('86f70d010101', 'hex');
const EC_TAIL = Buffer.from('ce3d0201', 'hex');
const OKP = Buffer.from('2b65', 'hex');
/** 2a8648 86f70d01: the PKCS arc 1.2.840.113549.1 (PBES2, PKCS#12 PBE, PKCS#5 PBES1). */
const PKCS_TAIL = Buffer.from('86f70d01', 'hex');

/** Where each anchor the DER, SPKI, PEM and JWK finders start from occurs: one pass over the chunk. */
interface Anchors {
  int1: number[];
  pkcs: number[];
  oid: number[];
  okp: number[];
  kty: number[];
  dashes: number[];
}

function anchorsOf(bytes: Buffer): Anchors {
  const [int1, oid, okp, kty, dashes] = findEach(bytes, [INT1, OID_RSA_EC, OKP, KTY, DASHES]);
  // the PKCS arc 2a864886f70d01 starts with 2a8648: its places are among those, no search of its own
  const pkcs = oid.filter((at) => matchAt(bytes, at + OID_RSA_EC.length, PKCS_TAIL));
  return { int1, pkcs, oid, okp, kty, dashes };
}

function matchAt(b: Uint8Array, at: number, m: Uint8Array): boolean {
  if (at < 0 || at + m.length > b.length) return false;
  for (let i = 0; i < m.length; i++) if (b[at + i] !== m[i]) return false;
  return true;
}

/** Offsets of AlgorithmIdentifier SEQUENCEs that start an SPKI: rsaEncryption, ecPublicKey, Ed25519, X25519. */
function spkiAlgorithms(bytes: Buffer, a: Anchors): number[] {
  const out: number[] = [];
  for (const at of a.oid) {
    // 30 0d 06 09 2a864886f70d010101 | 30 LL 06 07 2a8648ce3d0201
    if (bytes[at - 2] !== TAG.OID || bytes[at - 4] !== TAG.SEQUENCE) continue;
    if ((bytes[at - 1] === 9 && matchAt(bytes, at + 3, RSA_TAIL)) || (bytes[at - 1] === 7 && matchAt(bytes, at + 3, EC_TAIL))) out.push(at - 4);
  }
  for (const at of a.okp) {
    // 30 05 06 03 2b 65 70|6e
    const c = bytes[at + 2];
    if ((c === 0x70 || c === 0x6e) && bytes[at - 1] === 3 && bytes[at - 2] === TAG.OID && bytes[at - 3] === 5 && bytes[at - 4] === TAG.SEQUENCE) out.push(at - 4);
  }
  return out;
}

const V3 = Buffer.from('a003020102', 'hex');
const BASIC_CONSTRAINTS = Buffer.from('0603551d13', 'hex');

/**
 * 'ca' / 'leaf' when the SPKI at `spki` lies inside a DER certificate or a bare TBSCertificate
 * (OpenSSL keeps those), else null. CA-ness: basicConstraints with cA TRUE.
 */
function enclosingCertificate(bytes: Buffer, spki: number): 'ca' | 'leaf' | null {
  const from = Math.max(0, spki - 2048);
  const v3 = bytes.lastIndexOf(V3, spki);
  if (v3 < from || v3 < 0) return null;
  for (const back of [4, 3, 2]) {
    const s = v3 - back;
    if (s < 0 || bytes[s] !== TAG.SEQUENCE) continue;
    const t = readTlv(bytes, s, Math.min(bytes.length, s + 65536));
    if (!t || t.end <= spki || t.body !== v3) continue;
    const bc = bytes.indexOf(BASIC_CONSTRAINTS, spki);
    if (bc === -1 || bc >= t.end) return 'leaf';
    // extnID, [critical BOOLEAN], OCTET STRING { SEQUENCE { cA BOOLEAN TRUE … } }: the cA flag,
    // not the critical flag (a leaf's basicConstraints is often critical with cA FALSE)
    let at = bc + BASIC_CONSTRAINTS.length;
    if (bytes[at] === 0x01 && bytes[at + 1] === 0x01) at += 3;
    const isCa = bytes[at] === 0x04 && bytes[at + 2] === TAG.SEQUENCE && bytes[at + 4] === 0x01 && bytes[at + 5] === 0x01 && bytes[at + 6] !== 0x00;
    return isCa ? 'ca' : 'leaf';
  }
  return null;
}

/** Self-hunt: public keys held in the bytes as DER SPKI (alone or inside certificates) or PEM. */
function findPublicKeys(bytes: Buffer, out: LearnedValue[], a = anchorsOf(bytes)): void {
  for (const algStart of spkiAlgorithms(bytes, a)) {
    for (const h of [2, 3, 4]) {
      const s = algStart - h;
      if (s < 0 || bytes[s] !== TAG.SEQUENCE) continue;
      const t = readTlv(bytes, s, Math.min(bytes.length, s + 4096));
      if (!t || t.body !== algStart) continue;
      const cert = enclosingCertificate(bytes, s);
      if (cert === 'ca') break;
      pushPublic(out, spkiOf(bytes, t, cert ? 'certificate' : 'SPKI'));
      break;
    }
  }
  scanPemPublic(bytes, out, a.dashes);
}

export const derDetector: Detector = {
  id: 'der-private-key',
  name: 'DER private keys',
  description: 'PKCS#1, PKCS#8 (RSA, EC, Ed25519, X25519, DSA), SEC1, EncryptedPrivateKeyInfo and PKCS#12 in binary, validated by walking the ASN.1',
  kind: 'binary',
  maxSpan: MAX_SPAN,
  detect(bytes: Buffer): Detection {
    const a = anchorsOf(bytes);
    const found = findDerKeys(bytes, a);
    const learned: LearnedValue[] = [];
    for (const f of found) if (f.found.learned) learned.push(f.found.learned);
    findPublicKeys(bytes, learned, a);
    learned.push(...scanJwks(bytes, a.kty));
    const hits: Hit[] = found.map(({ found: _f, ...h }) => h);
    // the same key's components in other encodings nearby (OpenSSL limbs, Java int[], hex…), and
    // the exact structure as text (base64 in JSON, PEM bodies, hex): one multi-needle pass
    const needles: Tagged[] = [];
    for (const f of found) needles.push(...tag(derTextNeedles(f.secret), f.ruleId, f.secret, `${f.found.note} as text`));
    // every private value learnt here (private JWKs too: their base64url members included)
    const done = new Set<string>();
    for (const v of learned) {
      if (v.kind !== 'rsa-factor' && v.kind !== 'ec-scalar') continue;
      const id = learnedIdentity(v);
      if (done.has(id)) continue;
      done.add(id);
      needles.push(...(v.kind === 'rsa-factor' ? rsaTagged(v.n, v.e, v.p, v.label) : scalarTagged(v.scalar, v.label)));
    }
    if (needles.length) hits.push(...searchAll(bytes, needles, gramSampler));
    return { hits, learned };
  },
};

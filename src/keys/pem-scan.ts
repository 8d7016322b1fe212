// Self-hunt over text: PEM certificates and public keys lying in memory.
import type { KnownKey, LearnedValue } from '../types.js';
import { readTlv } from '../codec/asn1.js';
import { certificateKeyOf } from './x509.js';
import { rsaPublicOf, spkiOf } from './spki.js';
import { pushPublic } from './learned.js';
import { findEach } from '../codec/multi-search.js';

const BEGIN = Buffer.from('-----BEGIN ');
const MAX_PEM = 16384;

/** Base64 body between a BEGIN line and its END line, or null. */
export function pemBody(bytes: Uint8Array, begin: number, limit: number): { type: string; der: Buffer; end: number } | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const eol = buf.indexOf('-----', begin + BEGIN.length);
  if (eol === -1 || eol - begin > 64) return null;
  const type = buf.toString('latin1', begin + BEGIN.length, eol);
  if (!/^[A-Z0-9 ]{1,40}$/.test(type)) return null;
  const endMark = buf.indexOf(`-----END ${type}-----`, eol + 5);
  if (endMark === -1 || endMark - eol > Math.min(MAX_PEM, limit)) return null;
  const text = buf.toString('latin1', eol + 5, endMark);
  // headers such as Proc-Type end at a blank line; base64 follows
  const body = text.includes(':') ? text.slice(text.search(/\r?\n\r?\n/) + 1) : text;
  if (/[^A-Za-z0-9+/=\s]/.test(body)) return null;
  return { type, der: Buffer.from(body.replace(/\s+/g, ''), 'base64'), end: endMark + type.length + 14 };
}

/** Public key of a PEM block's DER by its type, or null. */
export function keyOfPem(type: string, der: Buffer, label: string, skipCa = false): KnownKey | null {
  const t = readTlv(der, 0, der.length);
  if (!t || t.end !== der.length) return null;
  if (type === 'CERTIFICATE' || type === 'TRUSTED CERTIFICATE') return certificateKeyOf(der, label, skipCa);
  if (type === 'PUBLIC KEY') return spkiOf(der, t, label);
  if (type === 'RSA PUBLIC KEY') return rsaPublicOf(der, t, label);
  return null;
}

// five dashes: short enough for Node's memchr-speed search (an 11-byte needle is 5x slower)
export const DASHES = Buffer.from('-----');

export function scanPemPublic(bytes: Buffer, out: LearnedValue[], dashes = findEach(bytes, [DASHES])[0]): void {
  let next = 0;
  for (const at of dashes) {
    if (at < next) continue;
    if (!BEGIN.equals(bytes.subarray(at, at + BEGIN.length))) {
      next = at + 5;
      continue;
    }
    const pem = pemBody(bytes, at, MAX_PEM);
    if (pem) {
      pushPublic(out, keyOfPem(pem.type, pem.der, `PEM ${pem.type.toLowerCase()}`, true));
    }
    next = at + BEGIN.length;
  }
}

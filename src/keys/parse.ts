// --known-key / --known-secret inputs (bytes from the CLI) -> KnownKey[] / KnownSecrets.
import type { KnownKey } from '../types.js';
import { fp, modulusFp, readTlv, bitLength, bytesToBigInt } from '../codec/asn1.js';
import { CURVE_BYTES, curveOfSsh } from '../codec/curves.js';
import { base64urlBytes } from '../codec/base64.js';
import { certificateKeyOf } from './x509.js';
import { rsaPublicOf, spkiOf } from './spki.js';
import { keyOfPem, pemBody } from './pem-scan.js';
import { keyIdentity } from './identity.js';

export class KnownKeyError extends Error {}

function b64url(s: unknown): Buffer | null {
  return typeof s === 'string' && s.length > 0 ? base64urlBytes(s) : null;
}

function jwkKey(j: Record<string, unknown>, label: string): KnownKey | null {
  const name = typeof j.kid === 'string' ? `${label} kid ${j.kid.slice(0, 80)}` : label;
  if (j.kty === 'RSA') {
    const n = b64url(j.n);
    const e = b64url(j.e);
    if (!n || !e) return null;
    const nn = bytesToBigInt(n);
    return { kind: 'rsa', n: nn, e: bytesToBigInt(e), label: `${name} RSA-${bitLength(nn)} modulus sha256:${modulusFp(nn)}` };
  }
  if (j.kty === 'EC' && typeof j.crv === 'string' && CURVE_BYTES[j.crv]) {
    const x = b64url(j.x);
    const y = b64url(j.y);
    const len = CURVE_BYTES[j.crv];
    if (!x || !y || x.length !== len || y.length !== len) return null;
    const publicKey = Buffer.concat([Buffer.from([4]), x, y]);
    return { kind: 'ec', curve: j.crv, publicKey, label: `${name} ${j.crv} public key sha256:${fp(publicKey)}` };
  }
  if (j.kty === 'OKP' && typeof j.crv === 'string' && CURVE_BYTES[j.crv]) {
    const x = b64url(j.x);
    if (!x || x.length !== CURVE_BYTES[j.crv]) return null;
    return { kind: 'okp', curve: j.crv, publicKey: x, label: `${name} ${j.crv} public key sha256:${fp(x)}` };
  }
  return null;
}

function readSshString(b: Buffer, off: number): { v: Buffer; next: number } | null {
  if (off + 4 > b.length) return null;
  const len = b.readUInt32BE(off);
  if (off + 4 + len > b.length) return null;
  return { v: b.subarray(off + 4, off + 4 + len), next: off + 4 + len };
}

/** One OpenSSH public key line: "ssh-rsa AAAA… comment". */
function sshKey(line: string, label: string): KnownKey | null {
  const m = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521))\s+([A-Za-z0-9+/=]{16,16384})(?:\s+(.{0,200}))?$/.exec(line.trim());
  if (!m) return null;
  const blob = Buffer.from(m[2], 'base64');
  const name = m[3] ? `${label} ${m[3].trim()}` : label;
  const t = readSshString(blob, 0);
  if (!t || t.v.toString('latin1') !== m[1]) return null;
  if (m[1] === 'ssh-rsa') {
    const e = readSshString(blob, t.next);
    const n = e && readSshString(blob, e.next);
    if (!e || !n) return null;
    const nn = bytesToBigInt(n.v);
    return { kind: 'rsa', n: nn, e: bytesToBigInt(e.v), label: `${name} RSA-${bitLength(nn)} modulus sha256:${modulusFp(nn)}` };
  }
  if (m[1] === 'ssh-ed25519') {
    const k = readSshString(blob, t.next);
    if (!k || k.v.length !== 32) return null;
    const publicKey = Buffer.from(k.v);
    return { kind: 'okp', curve: 'Ed25519', publicKey, label: `${name} Ed25519 public key sha256:${fp(publicKey)}` };
  }
  const c = readSshString(blob, t.next);
  const q = c && readSshString(blob, c.next);
  const curve = c && curveOfSsh(c.v.toString('latin1'));
  if (!q || !curve || q.v[0] !== 4) return null;
  const publicKey = Buffer.from(q.v);
  return { kind: 'ec', curve, publicKey, label: `${name} ${curve} public key sha256:${fp(publicKey)}` };
}

function derKey(der: Buffer, label: string): KnownKey | null {
  const t = readTlv(der, 0, der.length);
  if (!t || t.end !== der.length) return null;
  return spkiOf(der, t, label) ?? rsaPublicOf(der, t, label) ?? certificateKeyOf(der, label);
}

/**
 * Public keys in a --known-key file: PEM (certificates, SPKI, PKCS#1 public; several per file),
 * DER (SPKI, PKCS#1 public, certificate), JWK / JWKS JSON, OpenSSH public key lines.
 * Throws KnownKeyError when the file holds no usable public key (fail closed: a typo must not
 * silently hunt nothing).
 */
export function parseKnownKeys(bytes: Buffer, sourceLabel: string): KnownKey[] {
  const out = new Map<string, KnownKey>();
  const add = (k: KnownKey | null) => {
    if (k) out.set(keyIdentity(k), k);
  };
  const text = bytes.toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new KnownKeyError(`${sourceLabel}: not valid JSON`);
    }
    const list = Array.isArray(json) ? json : Array.isArray((json as { keys?: unknown }).keys) ? (json as { keys: unknown[] }).keys : [json];
    for (const j of list) if (j && typeof j === 'object') add(jwkKey(j as Record<string, unknown>, sourceLabel));
  } else if (text.includes('-----BEGIN ')) {
    let at = bytes.indexOf('-----BEGIN ');
    while (at !== -1) {
      const pem = pemBody(bytes, at, 1 << 20);
      if (pem) add(keyOfPem(pem.type, pem.der, `${sourceLabel} ${pem.type.toLowerCase()}`));
      at = bytes.indexOf('-----BEGIN ', at + 11);
    }
  } else if (/^(ssh-|ecdsa-)/m.test(text)) {
    for (const line of text.split(/\r?\n/)) if (line.trim()) add(sshKey(line, sourceLabel));
  } else {
    add(derKey(bytes, sourceLabel));
  }
  if (out.size === 0) throw new KnownKeyError(`${sourceLabel}: no public key found (expected PEM/DER SPKI, certificate, JWK/JWKS or OpenSSH public key)`);
  return [...out.values()];
}

export interface KnownSecrets {
  /** Literal secrets to find in every encoding. */
  literals: Buffer[];
  /** SHA-256 digests of secrets whose value the user would not hand over. */
  sha256: Buffer[];
}

/**
 * A --known-secret file: one secret per line (UTF-8, trailing CR/whitespace trimmed, blank lines
 * and lines starting with '#' skipped), or `sha256:<64 hex>` lines for digests.
 */
export function parseKnownSecrets(bytes: Buffer): KnownSecrets {
  const literals: Buffer[] = [];
  const sha256: Buffer[] = [];
  for (const raw of bytes.toString('utf8').split('\n')) {
    const line = raw.replace(/[\r\t ]+$/, '');
    if (!line || line.startsWith('#')) continue;
    const m = /^sha256:([0-9a-fA-F]{64})$/.exec(line);
    if (m) sha256.push(Buffer.from(m[1], 'hex'));
    else if (line.length >= 6) literals.push(Buffer.from(line, 'utf8'));
    else throw new KnownKeyError('a known secret shorter than 6 bytes would redact noise; refusing');
  }
  return { literals, sha256 };
}

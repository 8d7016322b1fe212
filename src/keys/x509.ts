// X.509 certificate -> the KnownKey of its subject public key, labelled with the subject.
import { X509Certificate } from 'node:crypto';
import type { KnownKey } from '../types.js';
import { readTlv } from '../codec/asn1.js';
import { spkiOf } from './spki.js';

/**
 * `skipCa`: for self-hunt, a CA certificate's key is never the process's own (runtimes embed
 * hundreds of root CAs, and hunting each would multiply the scan cost for nothing).
 */
export function certificateKeyOf(der: Buffer, label: string, skipCa = false): KnownKey | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return null;
  }
  if (skipCa && cert.ca) return null;
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const t = readTlv(spki, 0, spki.length);
  const subject = cert.subject.replace(/\n/g, ', ').slice(0, 120);
  const k = t && spkiOf(spki, t, `${label} subject ${subject}`);
  return k ?? null;
}

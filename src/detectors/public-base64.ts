// Base64 text of certificates, CSRs, CRLs and public keys, recognised from a fragment alone: the
// bytes it decodes to (at whichever of the four phases it was cut) hold structure that only public
// material carries, or the text is part of a root certificate the runtime bundles. A private key
// decodes to PKCS#1/PKCS#8/SEC1 integers and algorithm OIDs, none of which are below.
import { inRootBase64, ROOT_WINDOW } from '../keys/roots.js';
import { base64At } from '../codec/base64.js';

const hexes = (list: string[]): Buffer[] => list.map((h) => Buffer.from(h.replace(/ /g, ''), 'hex'));
/** DER that certificates, CSRs and CRLs carry and private keys never do. */
const PUBLIC_MARKERS = hexes([
  '06 03 55 04', // X.500 name attribute (2.5.4.x)
  '06 03 55 1d', // certificate / CRL extension (2.5.29.x)
  '06 08 2b 06 01 05 05 07', // PKIX arcs: AIA, policy qualifiers, extended key usages
  '06 09 2a 86 48 86 f7 0d 01 01 04',
  '06 09 2a 86 48 86 f7 0d 01 01 05', // md5/sha1WithRSAEncryption
  '06 09 2a 86 48 86 f7 0d 01 01 0b',
  '06 09 2a 86 48 86 f7 0d 01 01 0c',
  '06 09 2a 86 48 86 f7 0d 01 01 0d', // sha256/384/512WithRSA
  '06 08 2a 86 48 ce 3d 04 03 02',
  '06 08 2a 86 48 ce 3d 04 03 03',
  '06 08 2a 86 48 ce 3d 04 03 04', // ecdsa-with-SHA256/384/512
]);

/** A validity time: UTCTime YYMMDDhhmmssZ or GeneralizedTime YYYYMMDDhhmmssZ. */
function hasTime(der: Buffer): boolean {
  for (let i = der.indexOf(0x17); i >= 0 && i + 15 <= der.length; i = der.indexOf(0x17, i + 1)) {
    if (der[i + 1] !== 13 || der[i + 14] !== 0x5a) continue;
    let digits = true;
    for (let k = i + 2; k < i + 14 && digits; k++) digits = der[k] >= 48 && der[k] <= 57;
    if (digits) return true;
  }
  return false;
}

/** True if der holds structure of a certificate, CSR or CRL. */
function hasPublicStructure(der: Buffer): boolean {
  for (const m of PUBLIC_MARKERS) if (der.includes(m)) return true;
  return hasTime(der);
}

/** True if the base64 text buf[s, e), cut anywhere, decodes to certificate/CSR/CRL structure. */
export function decodesToPublic(buf: Uint8Array, s: number, e: number): boolean {
  for (let phase = 0; phase < 4; phase++) if (hasPublicStructure(base64At(buf, s, e, phase))) return true;
  return false;
}

/**
 * True if all but a few chars of buf[s, e) are text of a bundled root certificate: the windows
 * found cover everything except at most `slack` chars (a neighbour's bytes glued to the fragment).
 */
export function inBundledRoots(buf: Uint8Array, s: number, e: number, slack = 8): boolean {
  if (e - s < ROOT_WINDOW + 8) return false;
  let covered = 0;
  let reach = s;
  for (let i = s; i + ROOT_WINDOW <= e; i++) {
    if (!inRootBase64(buf, i)) continue;
    covered += i + ROOT_WINDOW - Math.max(reach, i);
    reach = i + ROOT_WINDOW;
  }
  return e - s - covered <= slack;
}

// Public keys of the root CAs bundled with Node: never self-hunted (their private halves live in
// HSMs, not in dumps), and runtimes keep all of them in memory.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { KnownKey } from '../types.js';
import { keyIdentity } from './identity.js';

let roots: Set<string> | undefined;

function load(): Set<string> {
  const out = new Set<string>();
  for (const pem of rootCertificates) {
    try {
      const jwk = new X509Certificate(pem).publicKey.export({ format: 'jwk' });
      if (jwk.kty === 'RSA' && jwk.n) out.add(keyIdentity({ n: BigInt('0x' + Buffer.from(jwk.n, 'base64url').toString('hex')) }));
      if (jwk.kty === 'EC' && jwk.x && jwk.y) out.add(keyIdentity({ publicKey: Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]) }));
    } catch {
      // a root the runtime cannot parse is simply not excluded
    }
  }
  return out;
}

export function isBundledRoot(k: KnownKey): boolean {
  roots ??= load();
  return (k.n !== undefined || k.publicKey !== undefined) && roots.has(keyIdentity(k));
}

/** Width of the base64 windows indexed from the bundled roots (96 bits of text each). */
export const ROOT_WINDOW = 16;
let windows: Uint32Array | undefined;

/** FNV-1a of buf[s, s + ROOT_WINDOW). */
function windowHash(buf: Uint8Array, s: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < s + ROOT_WINDOW; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

/** Sorted hashes of every ROOT_WINDOW-char window of the bundled roots' base64 (lines joined). */
function loadWindows(): Uint32Array {
  const all: number[] = [];
  for (const pem of rootCertificates) {
    const body = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'latin1');
    for (let i = 0; i + ROOT_WINDOW <= body.length; i++) all.push(windowHash(body, i));
  }
  return Uint32Array.from(all).sort();
}

/** True if the ROOT_WINDOW chars at buf[s] occur in a bundled root certificate's base64. */
export function inRootBase64(buf: Uint8Array, s: number): boolean {
  windows ??= loadWindows();
  const h = windowHash(buf, s);
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (windows[mid] < h) lo = mid + 1;
    else hi = mid;
  }
  return lo < windows.length && windows[lo] === h;
}

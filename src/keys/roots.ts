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

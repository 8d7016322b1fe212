// Public keys of the root CAs bundled with Node: never self-hunted (their private halves live in
// HSMs, not in dumps), and runtimes keep all of them in memory.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { KnownKey } from '../types.js';

let roots: Set<string> | undefined;

function idOf(k: { n?: bigint; publicKey?: Buffer }): string | undefined {
  if (k.n !== undefined) return `n:${k.n.toString(16)}`;
  if (k.publicKey) return `q:${k.publicKey.toString('hex')}`;
  return undefined;
}

function load(): Set<string> {
  const out = new Set<string>();
  for (const pem of rootCertificates) {
    try {
      const jwk = new X509Certificate(pem).publicKey.export({ format: 'jwk' });
      if (jwk.kty === 'RSA' && jwk.n) out.add(`n:${Buffer.from(jwk.n, 'base64url').toString('hex').replace(/^0+/, '')}`);
      if (jwk.kty === 'EC' && jwk.x && jwk.y) out.add(`q:04${Buffer.from(jwk.x, 'base64url').toString('hex')}${Buffer.from(jwk.y, 'base64url').toString('hex')}`);
    } catch {
      // a root the runtime cannot parse is simply not excluded
    }
  }
  return out;
}

export function isBundledRoot(k: KnownKey): boolean {
  roots ??= load();
  const id = idOf(k);
  return id !== undefined && roots.has(id);
}

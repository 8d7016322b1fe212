// A KnownKey may carry what a detector already learnt of its private half, so that the
// self-hunt pass can search every encoding of it with cheap literal searches in every chunk.
// The hint never reaches a report: reports print only `label`.
import type { KnownKey } from '../types.js';
import { isBundledRoot } from './roots.js';

export interface PrivateHint {
  /** One RSA prime factor of n. */
  p?: bigint;
  /** EC / OKP private scalar or seed, big-endian as stored in SEC1 / PKCS#8. */
  scalar?: Buffer;
}

export interface HuntKey extends KnownKey {
  privateHint?: PrivateHint;
  /** Seen in the dump (self-hunt) rather than given by the user. */
  fromDump?: boolean;
}

export function hintOf(k: KnownKey): PrivateHint | undefined {
  return (k as HuntKey).privateHint;
}

/**
 * Pushes a key seen in the dump unless an equal key is already there (a key with a hint replaces
 * one without); public keys of bundled root CAs are left out.
 */
export function pushKey(list: KnownKey[], k: HuntKey): void {
  if (!k.privateHint && isBundledRoot(k)) return;
  k = { ...k, fromDump: true };
  const id = keyId(k);
  for (let i = 0; i < list.length; i++) {
    if (keyId(list[i]) !== id) continue;
    if (k.privateHint && !hintOf(list[i])) list[i] = k;
    return;
  }
  list.push(k);
}

export function keyId(k: KnownKey): string {
  if (k.n !== undefined) return `rsa:${k.n.toString(16)}`;
  if (k.publicKey) return `${k.kind}:${k.curve ?? ''}:${k.publicKey.toString('hex')}`;
  return `label:${k.label}`;
}

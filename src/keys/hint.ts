// A KnownKey may carry what a detector already learnt of its private half, so that the
// self-hunt pass can search every encoding of it with cheap literal searches in every chunk.
// The hint never reaches a report: reports print only `label`.
//
// A key with a hint is pushed WITHOUT its top-level n / publicKey: the pipeline dedupes keys by
// modulus / point, and a bare public twin (the certificate seen in another chunk, or the same key
// given with --known-key) must neither replace the hint nor make it look "already known".
import type { KnownKey } from '../types.js';
import { isBundledRoot } from './roots.js';

export interface PrivateHint {
  /** One RSA prime factor of n. */
  p?: bigint;
  /** RSA modulus and exponent (moved here from the key, see above). */
  n?: bigint;
  e?: bigint;
  /** EC / OKP private scalar or seed (or an AES key), big-endian as stored in SEC1 / PKCS#8. */
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

/** Modulus and exponent of an RSA key, wherever they are kept. */
export function rsaOf(k: KnownKey): { n: bigint; e: bigint } | undefined {
  const h = hintOf(k);
  const n = k.n ?? h?.n;
  const e = k.e ?? h?.e;
  return n !== undefined && e !== undefined ? { n, e } : undefined;
}

/**
 * Pushes a key seen in the dump unless an equal key is already there; public keys of bundled
 * root CAs are left out. Keys with a hint get their own identity (their label).
 */
export function pushKey(list: KnownKey[], k: HuntKey): void {
  if (!k.privateHint && isBundledRoot(k)) return;
  if (k.privateHint) {
    const { n, e, publicKey: _pk, ...rest } = k;
    k = { ...rest, privateHint: { ...k.privateHint, n: k.privateHint.n ?? n, e: k.privateHint.e ?? e } };
  }
  k = { ...k, fromDump: true };
  const id = keyId(k);
  for (const old of list) if (keyId(old) === id) return;
  list.push(k);
}

export function keyId(k: KnownKey): string {
  if (k.n !== undefined) return `rsa:${k.n.toString(16)}`;
  if (k.publicKey) return `${k.kind}:${k.curve ?? ''}:${k.publicKey.toString('hex')}`;
  return `label:${k.label}`;
}

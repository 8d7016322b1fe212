// One identity per key or learned value: how the pipeline, the key parser and the root list tell
// two of them apart. Identities hold key material and never reach a report.
import { Buffer } from 'node:buffer';
import type { LearnedValue } from '../types.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A public key by its modulus or its public point / key bytes (the curve name is not needed to tell them apart). */
export function keyIdentity(k: { n?: bigint; publicKey?: Uint8Array; label?: string }): string {
  if (k.n !== undefined) return `rsa:${k.n.toString(16)}`;
  if (k.publicKey) return `pub:${hex(k.publicKey)}`;
  return `label:${k.label}`;
}

/**
 * A learned value: a public key as keyIdentity says (so a user's --known-key and the same key seen
 * in the dump are one), a private value by its kind and value (so it never hides behind its public twin).
 */
export function learnedIdentity(v: LearnedValue): string {
  switch (v.kind) {
    case 'public-rsa':
    case 'public-ec':
      return keyIdentity(v);
    case 'rsa-factor':
      return `rsa-factor:${v.n.toString(16)}`;
    case 'ec-scalar':
      return `ec-scalar:${v.curve}:${hex(v.scalar)}`;
    case 'aes-key':
      return `aes-key:${hex(v.key)}`;
    case 'secret-value':
      return `secret-value:${hex(v.value)}:${v.context ? hex(v.context) : ''}`;
  }
}

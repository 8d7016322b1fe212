// Building and merging learned values. Detectors build them with the helpers here; the engine
// merges every chunk's values with `LearnedSet`, the one place where duplicates are dropped.
import type { KnownKey, LearnedValue } from '../types.js';
import { learnedIdentity } from './identity.js';
import { isBundledRoot } from './roots.js';

/** A public key seen in the dump, to self-hunt; null for the root CAs a runtime bundles. */
export function learnedPublic(k: KnownKey): LearnedValue | null {
  if (isBundledRoot(k)) return null;
  if (k.kind === 'rsa' && k.n !== undefined && k.e !== undefined) return { kind: 'public-rsa', label: k.label, n: k.n, e: k.e };
  if (k.kind !== 'rsa' && k.curve && k.publicKey) return { kind: 'public-ec', label: k.label, curve: k.curve, publicKey: k.publicKey };
  return null;
}

/** Appends the public key seen in the dump unless it is a bundled root. */
export function pushPublic(out: LearnedValue[], k: KnownKey | null | undefined): void {
  const v = k && learnedPublic(k);
  if (v) out.push(v);
}

/** The same value with `f` applied to each of its buffers (copy out of a chunk, compact for a worker reply). */
export function mapBuffers(v: LearnedValue, f: (b: Buffer) => Buffer): LearnedValue {
  switch (v.kind) {
    case 'public-ec':
      return { ...v, publicKey: f(v.publicKey) };
    case 'ec-scalar':
      return { ...v, scalar: f(v.scalar), publicKey: v.publicKey && f(v.publicKey) };
    case 'aes-key':
      return { ...v, key: f(v.key) };
    case 'secret-value':
      return { ...v, value: f(v.value), context: v.context && f(v.context) };
    default:
      return v;
  }
}

/** Learned values, one per identity; of two labels for one value the smaller stays (chunk order must not matter). */
export class LearnedSet {
  private readonly byId = new Map<string, LearnedValue>();

  add(v: LearnedValue | null | undefined): void {
    if (!v) return;
    const id = learnedIdentity(v);
    const old = this.byId.get(id);
    if (!old || v.label < old.label) this.byId.set(id, v);
  }

  addAll(list: Iterable<LearnedValue> | undefined): void {
    if (list) for (const v of list) this.add(v);
  }

  has(v: LearnedValue): boolean {
    return this.byId.has(learnedIdentity(v));
  }

  values(): LearnedValue[] {
    return [...this.byId.values()];
  }
}

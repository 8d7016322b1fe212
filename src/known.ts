// Loads --known-key and --known-secret files (I/O through files.ts) and parses them; bad input is a usage error.
import type { KnownKey } from './types.js';
import { parseKnownKeys, parseKnownSecrets, KnownKeyError } from './keys/parse.js';
import type { KnownSecrets } from './keys/parse.js';
import { UsageError } from './errors.js';
import { readSmallFile } from './io/input.js';

function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KnownKeyError) throw new UsageError(err.message);
    throw err;
  }
}

export async function loadKnownKeys(paths: string[]): Promise<KnownKey[]> {
  const keys: KnownKey[] = [];
  for (const p of paths) {
    const bytes = await readSmallFile(p, '--known-key');
    keys.push(...asUsage(() => parseKnownKeys(bytes, p)));
  }
  return keys;
}

export async function loadKnownSecrets(paths: string[]): Promise<KnownSecrets> {
  const all: KnownSecrets = { literals: [], sha256: [] };
  for (const p of paths) {
    const bytes = await readSmallFile(p, '--known-secret');
    const s = asUsage(() => parseKnownSecrets(bytes));
    all.literals.push(...s.literals);
    all.sha256.push(...s.sha256);
  }
  return all;
}

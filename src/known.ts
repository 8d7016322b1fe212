// Loads --known-key and --known-secret files (I/O through files.ts) and parses them.
import type { KnownKey } from './types.js';
import { readSmallFile, UsageError } from './files.js';

export async function loadKnownKeys(paths: string[]): Promise<KnownKey[]> {
  const keys: KnownKey[] = [];
  for (const p of paths) {
    await readSmallFile(p, 'known key');
    throw new UsageError('--known-key: not available yet');
  }
  return keys;
}

export async function loadKnownSecrets(paths: string[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const p of paths) {
    const text = (await readSmallFile(p, 'known secret')).toString('utf8');
    for (const line of text.split(/\r?\n/)) if (line.length >= 4) out.push(Buffer.from(line, 'utf8'));
  }
  return out;
}

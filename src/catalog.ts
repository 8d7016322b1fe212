// What `dumpscrub rules` lists: every rule of the rules engine, then every other detector.
import { builtinDetectors } from './detectors/index.js';
import { builtinRules } from './rules/index.js';
import { DEFAULT_ENTROPY } from './types.js';

export interface CatalogEntry {
  id: string;
  name: string;
  kind: 'rule' | 'text' | 'binary';
  family: string;
  description: string;
}

export function listRules(): CatalogEntry[] {
  const rules: CatalogEntry[] = builtinRules.map((r) => ({ id: r.id, name: r.name, kind: 'rule', family: r.family, description: r.description }));
  const detectors = builtinDetectors({ entropy: DEFAULT_ENTROPY, knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] })
    .filter((d) => d.id !== 'rules')
    .map((d): CatalogEntry => ({ id: d.id, name: d.name, kind: d.kind, family: 'detector', description: d.description }));
  return [...rules, ...detectors];
}

// What `dumpscrub rules` lists: every detector, and every rule inside the rules engine.
import { builtinDetectors } from './detectors/index.js';

export interface CatalogEntry {
  id: string;
  name: string;
  kind: 'text' | 'binary' | 'rule';
  description: string;
}

export function listRules(): CatalogEntry[] {
  const detectors = builtinDetectors({ entropy: 'context', knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] });
  return detectors.map((d) => ({ id: d.id, name: d.name, kind: d.kind, description: d.description }));
}

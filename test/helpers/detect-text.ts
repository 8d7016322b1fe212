// Rules run over a string, the way a dump holds text: latin1 bytes through the production rules detector.
import { rulesDetector } from '../../src/detectors/rules.js';
import type { Rule } from '../../src/rules/schema.js';
import type { EntropyLevel, Hit } from '../../src/types.js';

export function detectText(rules: Rule[], text: string, entropy: EntropyLevel = 'off'): Hit[] {
  return rulesDetector(rules, { entropy }).detect(Buffer.from(text, 'latin1'), {
    knownKeys: [],
    learned: [],
    knownSecrets: [],
    extraViews: [],
    entropy,
  }).hits;
}

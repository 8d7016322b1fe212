// The registry of built-in detectors. Each family adds itself here.
import type { Detector, EntropyLevel, KnownKey } from '../types.js';
import { rulesDetector } from './rules.js';
import { builtinRules, compileRules } from '../rules/index.js';
import { derDetector } from './der.js';
import { cngDetector } from './cng.js';
import { aesDetector } from './aes.js';
import { knownDigestDetector, knownKeyDetector, knownSecretDetector } from './known-key.js';
import { copiesDetector } from './copies.js';

export interface DetectorOptions {
  entropy: EntropyLevel;
  knownKeys: KnownKey[];
  knownSecrets: Buffer[];
  /** SHA-256 digests of secrets to find (the user would not hand over the value). */
  knownSecretDigests: Buffer[];
  /** User rules from the config file (validated by the rule schema). */
  extraRules: unknown[];
}

/** All built-in detectors, in the order they run. */
export function builtinDetectors(_opts: DetectorOptions): Detector[] {
  const detectors: Detector[] = [];
  detectors.push(rulesDetector([...builtinRules, ...compileRules(_opts.extraRules ?? [], 'config')], { entropy: _opts.entropy }));
  detectors.push(derDetector, cngDetector, aesDetector, knownKeyDetector, knownSecretDetector, copiesDetector);
  if (_opts.knownSecretDigests?.length) detectors.push(knownDigestDetector(_opts.knownSecretDigests));
  return detectors;
}

// What `scan` reports out of what it found: --enable-rule / --disable-rule, the ignore file and the
// baseline. Only scan is narrowed; scrub redacts and verify checks everything regardless.
import type { FileResult } from './types.js';
import { baselineKey } from './baseline.js';
import type { IgnoreList } from './ignore-file.js';

export interface Selection {
  enable: ReadonlySet<string>;
  disable: ReadonlySet<string>;
  ignore?: IgnoreList;
  baseline?: ReadonlySet<string>;
}

/** The result with the findings the selection drops removed (clean again when none is left). */
export function applySelection(r: FileResult, s: Selection): FileResult {
  const ignoredRules = new Set(s.ignore?.ruleIds ?? []);
  const ignoredFps = new Set(s.ignore?.fingerprints ?? []);
  const findings = r.findings.filter(
    (f) =>
      (s.enable.size === 0 || s.enable.has(f.ruleId)) &&
      !s.disable.has(f.ruleId) &&
      !ignoredRules.has(f.ruleId) &&
      !ignoredFps.has(f.fingerprint) &&
      !s.baseline?.has(baselineKey(f.ruleId, f.fingerprint)),
  );
  if (findings.length === r.findings.length) return r;
  return { ...r, findings, verdict: r.verdict === 'secrets-found' && findings.length === 0 ? 'clean' : r.verdict };
}

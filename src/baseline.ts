// --baseline FILE: the JSON report of an earlier `scan`; its findings (by rule and fingerprint) are known
// and accepted, so `scan` reports only what is new. `scrub` ignores baselines: it redacts everything.
import { UsageError } from './errors.js';

/** `ruleId fingerprint` keys of the findings in a JSON report. */
export function parseBaseline(text: string, source: string): Set<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`--baseline ${source}: not JSON (give a report written by scan --format json)`);
  }
  const files = (doc as { files?: unknown }).files;
  if (!Array.isArray(files)) throw new UsageError(`--baseline ${source}: no "files" array (give a report written by scan --format json)`);
  const keys = new Set<string>();
  for (const f of files as Array<{ findings?: Array<{ ruleId?: unknown; fingerprint?: unknown }> }>) {
    for (const x of f.findings ?? []) if (typeof x.ruleId === 'string' && typeof x.fingerprint === 'string') keys.add(baselineKey(x.ruleId, x.fingerprint));
  }
  return keys;
}

export function baselineKey(ruleId: string, fingerprint: string): string {
  return `${ruleId} ${fingerprint}`;
}

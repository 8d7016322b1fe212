// `.dumpscrubignore`: what `scan` does not report, one entry a line — a 12-hex fingerprint, a rule id,
// or a path glob (`#` starts a comment; `fingerprint:`, `rule:` and `path:` prefixes make it explicit).
import { UsageError } from './errors.js';

export const IGNORE_FILE_NAME = '.dumpscrubignore';

export interface IgnoreList {
  fingerprints: string[];
  ruleIds: string[];
  paths: string[];
}

/** Parses the file; an entry that is neither fingerprint, known id nor path-like is an error (a typo must not silently ignore nothing). */
export function parseIgnoreFile(text: string, source: string, knownIds: ReadonlySet<string>): IgnoreList {
  const out: IgnoreList = { fingerprints: [], ruleIds: [], paths: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const where = `${source}:${i + 1}`;
    const m = /^(fingerprint|rule|path):\s*(.+)$/.exec(line);
    const [kind, value] = m ? [m[1], m[2].trim()] : [undefined, line];
    if (kind === 'fingerprint' || (!kind && /^[0-9a-f]{12}$/.test(value))) {
      if (!/^[0-9a-f]{12}$/.test(value)) throw new UsageError(`${where}: a fingerprint is 12 lowercase hex characters`);
      out.fingerprints.push(value);
    } else if (kind === 'rule' || (!kind && knownIds.has(value))) {
      if (!knownIds.has(value)) throw new UsageError(`${where}: unknown rule id "${value}" (dumpscrub rules lists them)`);
      out.ruleIds.push(value);
    } else if (kind === 'path' || /[/*?.{]/.test(value)) out.paths.push(value);
    else throw new UsageError(`${where}: unknown rule id "${value}" (dumpscrub rules lists them; prefix path globs with path:)`);
  });
  return out;
}

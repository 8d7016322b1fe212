// ReDoS: every rule on adversarial inputs (long runs of its own alphabet, repeated keywords, no
// terminator) must stay linear-ish: a 64 KiB input in well under a second.
import { describe, expect, test } from 'vitest';
import { builtinRules } from '../src/rules/index.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext } from '../src/types.js';

const SIZE = 64 * 1024;
const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', publicKeys: [] };
// generous for a loaded 2-core CI box; catastrophic backtracking takes seconds to hours
const LIMIT_MS = 400;

function fill(unit: string, size = SIZE): string {
  if (!unit) unit = 'a';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Adversarial inputs built from the rule's own keyword and example secret alphabet. */
export function adversarial(rule: (typeof builtinRules)[number]): Array<[string, string]> {
  const ex = expandTemplate(rule.examples[0], seededRng(rule.id));
  const [s, e] = ex.spans[0];
  const secret = ex.text.slice(s, e);
  const alphabet = [...new Set(secret)].join('');
  const kw = rule.keywords[0];
  const prefix = ex.text.slice(0, e);
  return [
    ['repeated keyword', fill(kw + ' ')],
    ['keyword then alphabet run, no terminator', kw + fill(alphabet, SIZE - kw.length)],
    ['example then endless secret', prefix + fill(alphabet, SIZE - prefix.length)],
    ['example repeated without separators', fill(ex.text.replace(/\s/g, ''))],
    ['keyword every 17 chars in alphabet', fill(kw + alphabet.slice(0, 17))],
  ];
}

describe('ReDoS', () => {
  test.each(builtinRules.map((r) => [r.id, r] as const))('%s stays bounded on adversarial input', (_id, rule) => {
    const d = rulesDetector([rule], { entropy: 'off' });
    const worst: Array<[string, number]> = [];
    for (const [name, text] of adversarial(rule)) {
      const buf = Buffer.from(text, 'latin1');
      const t = performance.now();
      d.detect(buf, ctx);
      worst.push([name, Math.round(performance.now() - t)]);
    }
    const slow = worst.filter(([, ms]) => ms > LIMIT_MS);
    expect(slow).toEqual([]);
  });
});

// ReDoS: every rule on adversarial inputs (long runs of its own alphabet, repeated keywords, no
// terminator) must stay linear-ish: a 64 KiB input in well under a second.
import { describe, expect, test } from 'vitest';
import { builtinRules } from '../src/rules/index.js';
import { adversarial } from './helpers/adversarial.js';
import { rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext } from '../src/types.js';

const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
// generous for a loaded 2-core CI box; catastrophic backtracking takes seconds to hours
const LIMIT_MS = 400;

describe('ReDoS', () => {
  test.each(builtinRules.map((r) => [r.id, r] as const))('%s stays bounded on adversarial input', (_id, rule) => {
    const d = rulesDetector([rule], { entropy: 'off' });
    const worst: Array<[string, number]> = [];
    for (const [name, text] of adversarial(rule)) {
      const buf = Buffer.from(text, 'latin1');
      const t = performance.now();
      d.detect(buf, ctx).hits;
      worst.push([name, Math.round(performance.now() - t)]);
    }
    const slow = worst.filter(([, ms]) => ms > LIMIT_MS);
    expect(slow).toEqual([]);
  });
});

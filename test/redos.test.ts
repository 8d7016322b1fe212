// ReDoS: every rule on adversarial inputs (long runs of its own alphabet, repeated keywords, no
// terminator) stays within a work budget counted in units of a reference loop timed in the same run,
// so a slow or loaded machine stretches the budget with the work. Catastrophic backtracking on 64 KiB
// costs thousands of units.
import { beforeAll, describe, expect, test } from 'vitest';
import { builtinRules } from '../src/rules/index.js';
import { adversarial } from './helpers/adversarial.js';
import { bestMs, referenceMs } from './helpers/scaling.js';
import { rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext } from '../src/types.js';

const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
// the worst rule takes about 7 units here (a unit is a few ms)
const MAX_UNITS = 40;
let unit = 1;

beforeAll(() => {
  unit = referenceMs();
});

describe('ReDoS', () => {
  test.each(builtinRules.map((r) => [r.id, r] as const))('%s stays bounded on adversarial input', (_id, rule) => {
    const d = rulesDetector([rule], { entropy: 'off' });
    const slow: string[] = [];
    for (const [name, text] of adversarial(rule)) {
      const buf = Buffer.from(text, 'latin1');
      const units = bestMs(() => d.detect(buf, ctx), 2) / unit;
      if (units > MAX_UNITS) slow.push(`${name}: ${units.toFixed(1)} units`);
    }
    expect(slow).toEqual([]);
  });
});

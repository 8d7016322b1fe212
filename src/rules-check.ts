// `dumpscrub rules check FILE`: a user's rules proved the way the built-in catalog is. Each rule
// needs examples; each example is found with exactly its «marked» spans in ASCII and in UTF-16LE at
// both byte alignments, and each negative example is not found at all.
import { compileRules, type Rule } from './rules/schema.js';
import { expandTemplate, seededRng } from './rules/template.js';
import { rulesDetector } from './detectors/rules.js';
import type { DetectContext } from './types.js';

export interface RuleCheck {
  id: string;
  /** What failed, by example number and encoding; never the example text (it may hold a real token). */
  problems: string[];
}

const CTX: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };

/** ASCII at two offsets, UTF-16LE at an even and an odd offset: [encoding, padding bytes before the text]. */
const PLACEMENTS: Array<['latin1' | 'utf16le', number]> = [
  ['latin1', 0],
  ['latin1', 3],
  ['utf16le', 2],
  ['utf16le', 1],
];

/** Rules from a config-shaped document ({ "rules": [...] }) or a bare array. Throws on schema errors. */
export function rulesOf(doc: unknown, source: string): Rule[] {
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) throw new Error(`${source}: expected an array of rules or an object with "rules"`);
  return compileRules(list, source);
}

export function checkRule(rule: Rule): RuleCheck {
  const problems: string[] = [];
  const detector = rulesDetector([rule], { entropy: 'off' });
  if (rule.examples.length === 0) problems.push('no examples: a rule proves itself with at least one');
  rule.examples.forEach((template, i) => {
    const ex = expandTemplate(template, seededRng(rule.id));
        for (const [enc, pad] of PLACEMENTS) {
      const unit = enc === 'latin1' ? 1 : 2;
      const bytes = Buffer.concat([Buffer.alloc(pad), Buffer.from(ex.text, enc), Buffer.alloc(2)]);
      const got = spans(detector.detect(bytes, CTX).hits.filter((h) => h.ruleId === rule.id));
      const want = ex.spans.map(([s, e]) => `${pad + s * unit}-${pad + e * unit}`).sort();
      if (got.join() !== want.join()) {
        const where = `${enc === 'latin1' ? 'ascii' : 'UTF-16LE'} at offset ${pad}`;
        problems.push(`example ${i + 1} (${where}): expected spans [${want.join(', ')}], found [${got.join(', ')}]`);
      }
    }
  });
  rule.negativeExamples.forEach((template, i) => {
    const text = expandTemplate(template, seededRng(rule.id)).text;
    const found = detector.detect(Buffer.from(text, 'latin1'), CTX).hits.filter((h) => h.ruleId === rule.id);
    if (found.length > 0) problems.push(`negative example ${i + 1}: found at [${spans(found).join(', ')}]`);
  });
  return { id: rule.id, problems };
}

function spans(hits: Array<{ start: number; end: number }>): string[] {
  return hits.map((h) => `${h.start}-${h.end}`).sort();
}

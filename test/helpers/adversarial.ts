// Adversarial inputs for a rule: long runs of its own alphabet, repeated keywords, no terminator.
import type { Rule } from '../../src/rules/schema.js';
import { expandTemplate, seededRng } from '../../src/rules/template.js';

function fill(unit: string, size: number): string {
  if (!unit) unit = 'a';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

export function adversarial(rule: Rule, size = 64 * 1024): Array<[string, string]> {
  const ex = expandTemplate(rule.examples[0], seededRng(rule.id));
  const [s, e] = ex.spans[0];
  const secret = ex.text.slice(s, e);
  const alphabet = [...new Set(secret)].join('');
  // rules found by shape have no keyword: their secret's opening stands in
  const kw = rule.keywords[0] ?? secret.slice(0, 6);
  const prefix = ex.text.slice(0, e);
  return [
    ['repeated keyword', fill(kw + ' ', size)],
    ['keyword then alphabet run, no terminator', kw + fill(alphabet, size - kw.length)],
    ['example then endless secret', prefix + fill(alphabet, Math.max(0, size - prefix.length))],
    ['example repeated without separators', fill(ex.text.replace(/\s/g, ''), size)],
    ['keyword every 17 chars in alphabet', fill(kw + alphabet.slice(0, 17), size)],
  ];
}

/** Every rule's adversarial inputs, named `rule-id: input`. */
export function adversarialInputs(rules: Rule[], size: number): Array<[string, string]> {
  return rules.flatMap((r) => adversarial(r, size).map(([n, t]) => [`${r.id}: ${n}`, t] as [string, string]));
}

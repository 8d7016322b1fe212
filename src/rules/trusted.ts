// The built-in catalog's compile step without the schema: our own rules are proved against RuleSchema
// by the table test (test/rules.test.ts), so every start-up need not validate 200 rules again.
import type { Rule, RuleInput } from './schema.js';

/** RuleSchema's defaults, filled in as its parse would; the table test checks both give the same rule. */
export function compileTrusted(inputs: readonly RuleInput[]): Rule[] {
  return inputs.map((r) => {
    const flags = r.flags ?? '';
    return {
      ...r,
      family: r.family ?? 'custom',
      anchor: r.anchor ?? 'keywords',
      minRun: r.minRun ?? 32,
      flags,
      keywords: r.keywords.map((k) => k.toLowerCase()),
      validators: [...(r.validators ?? [])],
      checks: [...(r.checks ?? [])],
      prefixed: r.prefixed ?? false,
      hexToken: r.hexToken ?? false,
      keywordForms: (r.keywordForms ?? []).map((f) => ({ keyword: f.keyword, exact: f.exact ?? false, word: f.word ?? false })),
      rejectPlaceholders: r.rejectPlaceholders ?? true,
      examples: [...(r.examples ?? [])],
      negativeExamples: [...(r.negativeExamples ?? [])],
      re: new RegExp(r.pattern, 'gd' + flags),
    };
  });
}

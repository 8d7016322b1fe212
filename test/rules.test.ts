// One table-driven test over every rule: the proof of src/rules-check.ts (exact spans in every
// encoding and alignment, negatives not found), and redacted examples not found again by any rule.
import { describe, expect, test } from 'vitest';
import { builtinRules, builtinRuleInputs } from '../src/rules/index.js';
import { listRules } from '../src/catalog.js';
import { compileRules, edgeAssertion, RuleSchema, unboundedQuantifier, type Rule } from '../src/rules/schema.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { detectText } from './helpers/detect-text.js';
import { checkRule } from '../src/rules-check.js';

describe('catalog', () => {
  test('has at least 150 rules, unique ids, all listed', () => {
    expect(builtinRules.length).toBeGreaterThanOrEqual(150);
    expect(new Set(builtinRules.map((r) => r.id)).size).toBe(builtinRules.length);
    expect(
      listRules()
        .filter((e) => e.kind === 'rule')
        .map((e) => e.id),
    ).toEqual(builtinRules.map((r) => r.id));
  });

  test('every rule has examples and a bounded pattern', () => {
    const missing = builtinRules.filter((r) => r.examples.length === 0).map((r) => r.id);
    expect(missing).toEqual([]);
    for (const r of builtinRules) expect(unboundedQuantifier(r.pattern)).toBeNull();
  });

  test('passes the rule schema, and loading it without the schema gives the same rules', () => {
    // compileRules validates with zod and throws listing every failing rule; start-up skips that step
    expect(builtinRules).toEqual(compileRules(builtinRuleInputs, 'builtin'));
  });

  test('a prefixed rule whose example tokens are all hex says so (hexToken), or hex beside it would veto it', () => {
    const hexOnly = (r: Rule) => r.examples.every((t) => expandTemplate(t, seededRng(r.id)).spans.every(([a, b]) => /^[0-9a-fA-F]+$/.test(expandTemplate(t, seededRng(r.id)).text.slice(a, b))));
    const unmarked = builtinRules.filter((r) => r.prefixed && r.examples.length > 0 && hexOnly(r) !== r.hexToken).map((r) => r.id);
    expect(unmarked).toEqual([]);
  });

  test('a rule without examples fails the catalog check', () => {
    const [r] = compileRules([{ ...builtinRuleInputs[0], id: 'no-examples', examples: [] }]);
    expect(r.examples.length).toBe(0);
  });
});

describe('schema', () => {
  const base = { id: 'user-rule', name: 'n', description: 'd', family: 'custom', keywords: ['acme_'], pattern: 'acme_(?<secret>[a-z0-9]{32})', maxLen: 40 };

  test('accepts a user rule from JSON and compiles it', () => {
    const [r] = compileRules([JSON.parse(JSON.stringify(base))], 'config');
    const hits = detectText([r], 'x acme_a3f91c07e5d2b86417c09e3fa5d28b61 y');
    expect(hits.map((h) => [h.start, h.end])).toEqual([[7, 39]]);
  });

  test.each([
    ['star', 'acme_.*'],
    ['plus', 'acme_[a-z]+'],
    ['open range', 'acme_[a-z]{4,}'],
    ['does not compile', 'acme_(['],
  ])('rejects pattern: %s', (_n, pattern) => {
    expect(RuleSchema.safeParse({ ...base, pattern }).success).toBe(false);
    expect(() => compileRules([{ ...base, pattern }])).toThrow(/invalid rules/);
  });

  test('rejects bad ids, short keywords, unknown validators, unknown fields, duplicates', () => {
    expect(RuleSchema.safeParse({ ...base, id: 'Bad Id' }).success).toBe(false);
    expect(RuleSchema.safeParse({ ...base, keywords: ['ab'] }).success).toBe(false);
    expect(RuleSchema.safeParse({ ...base, validators: ['nope'] }).success).toBe(false);
    expect(RuleSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(() => compileRules([base, base])).toThrow(/duplicate/);
  });

  test('a prefixed rule may not assert word edges (memory packs strings back to back)', () => {
    const prefixed = { ...base, prefixed: true, before: 0 };
    expect(RuleSchema.safeParse({ ...prefixed, pattern: '(?<secret>acme_[a-z0-9]{32})' }).success).toBe(true);
    for (const pattern of ['(?<![a-z0-9])(?<secret>acme_[a-z0-9]{32})', '\\b(?<secret>acme_[a-z0-9]{32})', '(?<secret>acme_[a-z0-9]{32})(?![a-z0-9])']) {
      expect(RuleSchema.safeParse({ ...prefixed, pattern }).success).toBe(false);
      expect(RuleSchema.safeParse({ ...base, pattern }).success).toBe(true);
    }
    expect(edgeAssertion('(?<secret>acme_[a-z0-9]{32}(?!x)[a-z])')).toBeNull();
  });

  test('allows escaped quantifier characters and classes containing + and *', () => {
    expect(unboundedQuantifier('a\\+b[+*]{1,4}c{2}')).toBeNull();
  });
});

describe.each(builtinRules.map((r) => [r.id, r] as [string, Rule]))('rule %s', (_id, rule) => {
  const examples = rule.examples.map((e) => expandTemplate(e, seededRng(rule.id)));

  // the same proof `dumpscrub rules check` gives a user's rules (src/rules-check.ts)
  test('examples: exact spans and the same secret bytes in ascii, UTF-16LE (both alignments), UTF-32LE/BE (all four); negatives not found', () => {
    expect(checkRule(rule).problems).toEqual([]);
  });

  test('redacted examples are not found again by any rule (verification pass)', () => {
    for (const ex of examples) {
      const chars = [...ex.text];
      for (const [s, e] of ex.spans) for (let i = s; i < e; i++) chars[i] = '*';
      const redacted = chars.join('');
      const again = detectText(builtinRules, redacted).filter((h) => ex.spans.some(([s, e]) => h.start < e && h.end > s));
      expect(again.map((h) => h.ruleId)).toEqual([]);
    }
  });
});

describe('confidence checks never veto a self-identifying token', () => {
  const gh = builtinRules.find((r) => r.id === 'github-personal-access-token')!;
  test('a GitHub token whose CRC32 does not verify is still found, with a note', () => {
    const ex = expandTemplate('x «ghp_{{b62:36}}» y', seededRng('bad-crc'));
    const hits = detectText([gh], ex.text);
    expect(hits.map((h) => [h.start, h.end])).toEqual(ex.spans);
    expect(hits[0].note ?? '').toMatch(/github-crc32/);
  });
  test('a token with a valid checksum carries no note', () => {
    const ex = expandTemplate('x «{{gh:ghp}}» y', seededRng('good-crc'));
    const hits = detectText([gh], ex.text);
    expect(hits.map((h) => [h.start, h.end])).toEqual(ex.spans);
    expect(hits[0].note).toBeUndefined();
  });
  test('checksums are confidence checks on prefixed rules, not vetoes', () => {
    const vetoing = builtinRules.filter((r) => r.prefixed && r.validators.includes('github-crc32')).map((r) => r.id);
    expect(vetoing).toEqual([]);
  });
});

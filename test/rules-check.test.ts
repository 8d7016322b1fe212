// `dumpscrub rules check FILE`: a user's rules are proved as the built-in catalog is.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRule, rulesOf } from '../src/rules-check.js';
import { runCliHere, tempDir } from './lead/cli-harness.js';

const base = { name: 'ACME API token', description: 'Tokens of the fictional ACME API.', family: 'custom', keywords: ['acme_'], pattern: 'acme_(?<secret>[a-z0-9]{32})', maxLen: 40 };
const good = { ...base, id: 'acme-token', examples: ['key: acme_«{{hex:32}}»'], negativeExamples: ['acme_short'] };
// the marked span also covers the acme_ prefix; the pattern captures only what follows it
const wrongSpan = { ...base, id: 'acme-wide', examples: ['key: «acme_{{hex:32}}»'] };
const foundNegative = { ...base, id: 'acme-negative', examples: ['acme_«{{hex:32}}»'], negativeExamples: ['acme_a3f91c07e5d2b86417c09e3fa5d28b61'] };
const noExamples = { ...base, id: 'acme-untested' };

describe('checkRule', () => {
  it('passes a rule whose examples are found with their exact spans and whose negatives are not', async () => {
    expect(checkRule(rulesOf({ rules: [good] }, 'test')[0]).problems).toEqual([]);
  });

  it('names the example and encoding whose spans differ, a negative that is found, and a rule without examples', async () => {
    const [wide, negative, untested] = rulesOf([wrongSpan, foundNegative, noExamples], 'test').map(checkRule);
    expect(wide.problems.length).toBe(12); // ascii at two offsets, UTF-16LE at two, UTF-32LE/BE at four
    expect(wide.problems[0]).toMatch(/^example 1 \(ascii at offset 0\): expected spans \[5-42\], found \[10-42\]$/);
    expect(negative.problems).toEqual(['negative example 1: found at [5-37]']);
    expect(untested.problems).toEqual(['no examples: a rule proves itself with at least one']);
  });

  it('rejects what the config schema rejects', async () => {
    expect(() => rulesOf({ rules: [{ ...good, pattern: 'acme_.*' }] }, 'test')).toThrow(/invalid rules/);
    expect(() => rulesOf({ nope: 1 }, 'test')).toThrow(/expected an array of rules/);
  });
});

describe('dumpscrub rules check (CLI)', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, doc: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };

  it('exit 0 when every rule passes, 1 when one fails, 2 for invalid rules, 3 for a missing file', async () => {
    const ok = await runCliHere(['rules', 'check', write('ok.json', { rules: [good] })]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.toString()).toContain('ok    acme-token');
    const bad = await runCliHere(['rules', 'check', write('bad.json', [good, wrongSpan])]);
    expect(bad.code).toBe(1);
    expect(bad.stdout.toString()).toContain('FAIL  acme-wide');
    expect(bad.stdout.toString()).toContain('1 of 2 rules pass');
    expect((await runCliHere(['rules', 'check', write('invalid.json', { rules: [{ id: 'x' }] })])).code).toBe(2);
    expect((await runCliHere(['rules', 'check', path.join(dir, 'missing.json')])).code).toBe(3);
  });
});

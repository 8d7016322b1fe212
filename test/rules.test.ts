// One table-driven test over every rule: examples found with exact spans (ascii, UTF-16LE at both
// alignments, UTF-32LE and UTF-32BE at all four), negatives not found, redacted examples not found again.
import { describe, expect, test } from 'vitest';
import { builtinRules, builtinRuleInputs, ruleCatalog } from '../src/rules/index.js';
import { compileRules, RuleSchema, unboundedQuantifier, type Rule } from '../src/rules/schema.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { detectText, rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext, Hit } from '../src/types.js';

const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
const spansOf = (hits: Hit[], id: string): string[] =>
  hits
    .filter((h) => h.ruleId === id)
    .map((h) => `${h.start}-${h.end}`)
    .sort();

type Enc = 'ascii' | 'utf16le' | 'utf32le' | 'utf32be';

/** UTF-32 of latin1 text: each char in 4 bytes, low byte first (LE) or last (BE). */
function utf32(text: string, bigEndian: boolean): Buffer {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out[i * 4 + (bigEndian ? 3 : 0)] = text.charCodeAt(i);
  return out;
}

function encode(text: string, enc: Enc, pad: number): Buffer {
  if (enc === 'utf32le') return Buffer.concat([Buffer.alloc(pad), utf32(text, false), Buffer.alloc(4)]);
  // a byte right after the last character that only the BE reading explains (zeros after it read as LE too)
  if (enc === 'utf32be') return Buffer.concat([Buffer.alloc(pad), utf32(text, true), Buffer.from([1, 0, 0, 0])]);
  const body = Buffer.from(text, enc === 'ascii' ? 'latin1' : 'utf16le');
  return Buffer.concat([Buffer.alloc(pad), body, Buffer.alloc(2)]);
}

const UNIT: Record<Enc, number> = { ascii: 1, utf16le: 2, utf32le: 4, utf32be: 4 };
const CASES: Array<[Enc, number]> = [
  ['ascii', 0],
  ['ascii', 3],
  ['utf16le', 2],
  ['utf16le', 1],
  ...[0, 1, 2, 3].flatMap((pad) => [['utf32le', pad] as [Enc, number], ['utf32be', pad] as [Enc, number]]),
];

describe('catalog', () => {
  test('has at least 150 rules, unique ids, all listed', () => {
    expect(builtinRules.length).toBeGreaterThanOrEqual(150);
    expect(new Set(builtinRules.map((r) => r.id)).size).toBe(builtinRules.length);
    expect(ruleCatalog().length).toBe(builtinRules.length);
  });

  test('every rule has examples and a bounded pattern', () => {
    const missing = builtinRules.filter((r) => r.examples.length === 0).map((r) => r.id);
    expect(missing).toEqual([]);
    for (const r of builtinRules) expect(unboundedQuantifier(r.pattern)).toBeNull();
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
    const hits = detectText([r], 'x acme_0123456789abcdef0123456789abcdef y');
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

  test('allows escaped quantifier characters and classes containing + and *', () => {
    expect(unboundedQuantifier('a\\+b[+*]{1,4}c{2}')).toBeNull();
  });
});

describe.each(builtinRules.map((r) => [r.id, r] as [string, Rule]))('rule %s', (_id, rule) => {
  const detector = rulesDetector([rule], { entropy: 'off' });
  const examples = rule.examples.map((e) => expandTemplate(e, seededRng(rule.id)));

  test('examples: exact spans in ascii, UTF-16LE (even and odd offsets), UTF-32LE/BE (all four offsets)', () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) {
      const printable = /^[\t\n\r\x20-\x7e]*$/.test(ex.text);
      for (const [enc, pad] of CASES) {
        const unit = UNIT[enc];
        const want = ex.spans.map(([s, e]) => `${pad + s * unit}-${pad + e * unit}`).sort();
        const hits = detector.detect(encode(ex.text, enc, pad), ctx).hits.filter((h) => h.ruleId === rule.id);
        // BE text cut by a NUL (0,0,0,0) reads as LE up to the NUL, 3 bytes later: same character bytes
        const asBe = (h: Hit) => (enc === 'utf32be' && h.encoding === 'utf32le' && !printable ? { ...h, start: h.start - 3, end: h.end - 3, encoding: enc } : h);
        const got = spansOf(hits.map(asBe), rule.id);
        expect({ enc, pad, got }).toEqual({ enc, pad, got: want });
        for (const h of hits) expect({ enc, pad, encoding: asBe(h).encoding }).toEqual({ enc, pad, encoding: enc });
      }
    }
  });

  test('the same secret gives the same secret bytes in ascii, UTF-16LE and UTF-32LE/BE', () => {
    const ex = examples[0];
    const a = detector.detect(encode(ex.text, 'ascii', 0), ctx).hits.map((h) => h.secret.toString('hex'));
    for (const enc of ['utf16le', 'utf32le', 'utf32be'] as const) {
      const u = detector.detect(encode(ex.text, enc, 1), ctx).hits.map((h) => h.secret.toString('hex'));
      expect({ enc, same: u.length === a.length && u.every((x, i) => x === a[i]) }).toEqual({ enc, same: true });
    }
  });

  test('negative examples are not found', () => {
    for (const n of rule.negativeExamples) {
      const text = expandTemplate(n, seededRng(rule.id)).text;
      const found = spansOf(detectText([rule], text), rule.id);
      expect({ text: text.length, found }).toEqual({ text: text.length, found: [] });
    }
  });

  test('redacted examples are not found again (verification pass)', () => {
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

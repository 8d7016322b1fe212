// The committed peers corpus holds shapes, not secrets: no line a credential scanner would flag,
// every positive example has an expected secret, and filled shapes differ between runs.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILE = path.join(ROOT, 'eval', 'corpus', 'peers.json');

type Part = string | { l?: string; c?: string; n?: number; s?: number };
interface Corpus {
  alphabets: Record<string, string>;
  examples: { source: string; rule: string; parts: Part[] }[];
  negatives: { source: string; rule: string; parts: Part[] }[];
}

describe('eval/corpus/peers.json', () => {
  const text = fs.readFileSync(FILE, 'utf8');
  const corpus = JSON.parse(text) as Corpus;

  it('has no text a credential scanner would flag', () => {
    for (const re of [/AKIA[0-9A-Z]{16}/, /ghp_[0-9A-Za-z]{36}/, /-----BEGIN[A-Z ]*PRIVATE KEY/]) expect(re.test(text)).toBe(false);
  });

  it('gives every positive example a contiguous expected secret with known alphabets', () => {
    let generated = 0;
    for (const ex of corpus.examples) {
      const marks = ex.parts.map((p) => typeof p === 'object' && p.s === 1);
      const first = marks.indexOf(true);
      const last = marks.lastIndexOf(true);
      expect(first >= 0 && marks.slice(first, last + 1).every(Boolean)).toBe(true);
      for (const p of ex.parts) {
        if (typeof p === 'object' && p.c !== undefined) {
          expect(typeof corpus.alphabets[p.c] === 'string' && (p.n ?? 0) > 0).toBe(true);
          if (p.s) generated++;
        }
      }
    }
    expect(corpus.examples.length > 1000 && corpus.negatives.length > 100).toBe(true);
    expect(generated > corpus.examples.length).toBe(true);
    expect(new Set(corpus.examples.map((e) => e.source))).toEqual(new Set(['noseyparker', 'gitleaks']));
  });

  it('fills placeholders with fresh values on each run', async () => {
    // @ts-expect-error plain JavaScript module without types
    const { fillShape } = (await import('../eval/lib/shapes.mjs')) as { fillShape: (p: Part[], a: Record<string, string>) => { text: string; secret?: [number, number] } };
    const ex = corpus.examples.find((e) => e.parts.some((p) => typeof p === 'object' && p.s && (p.n ?? 0) >= 16))!;
    const a = fillShape(ex.parts, corpus.alphabets);
    const b = fillShape(ex.parts, corpus.alphabets);
    expect(a.secret !== undefined && a.secret[1] > a.secret[0]).toBe(true);
    expect(a.text.length === b.text.length && a.text !== b.text).toBe(true);
  });
});

describe('eval/corpus/secret-shaped.json', () => {
  const corpus = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Corpus;
  const shaped = JSON.parse(fs.readFileSync(path.join(ROOT, 'eval', 'corpus', 'secret-shaped.json'), 'utf8')) as {
    entries: { source: string; rule: string; ord: number; why: string }[];
  };

  it('names only negatives that exist, once each, each with a reason', () => {
    const count = new Map<string, number>();
    for (const n of corpus.negatives) count.set(`${n.source}/${n.rule}`, (count.get(`${n.source}/${n.rule}`) ?? 0) + 1);
    const keys = shaped.entries.map((e) => `${e.source}/${e.rule}#${e.ord}`);
    expect(new Set(keys).size).toBe(keys.length);
    const bad = shaped.entries.filter((e) => !(Number.isInteger(e.ord) && e.ord >= 0 && e.ord < (count.get(`${e.source}/${e.rule}`) ?? 0) && e.why.length >= 10));
    expect(bad).toEqual([]);
  });
});

// A test that names a rule id must name one that exists: otherwise a renamed or dropped rule turns
// `hits.some((h) => h.ruleId === 'old-id')` into a check that can no longer fail.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinRules } from '../src/rules/index.js';
import { listRules } from '../src/catalog.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function filesUnder(dir: string, ext: RegExp): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f))
    .map((f) => path.join(dir, f));
}

/** Where tests name a rule id: comparisons with ruleId, expectations on it, hit fixtures, catalog look-ups. */
const NAMED = [
  /ruleId\s*[!=]==\s*'([a-z0-9][a-z0-9-]+)'/g,
  /ruleId\)\.to(?:Be|Equal)\('([a-z0-9][a-z0-9-]+)'\)/g,
  /ruleId:\s*'([a-z0-9][a-z0-9-]+)'/g,
  /\b(?:r|rule)\.id\s*===\s*'([a-z0-9][a-z0-9-]+)'/g,
  /hasSpan\([^)]*'([a-z0-9][a-z0-9-]+)'\)/g,
];

/** Every id the code can put on a hit: catalog entries, and the ids detectors write as literals (or `prefix-${kind}`). */
function knownIds(): { exact: Set<string>; prefixes: string[] } {
  const exact = new Set([...builtinRules.map((r) => r.id), ...listRules().map((r) => r.id)]);
  const prefixes: string[] = [];
  for (const file of filesUnder(path.join(ROOT, 'src'), /\.ts$/)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/ruleId(?:\s*[:=]|\s*\?\?)\s*'([a-z0-9][a-z0-9-]+)'/g)) exact.add(m[1]);
    for (const m of text.matchAll(/ruleId(?:\s*[:=]|\s*\?\?)\s*`([a-z0-9][a-z0-9-]*-)\$\{/g)) prefixes.push(m[1]);
    // hits built by helpers that take the id as an argument: push(view, s, e, 'entropy-token', hits)
    for (const m of text.matchAll(/push\(view, [^,]+, [^,]+, '([a-z0-9][a-z0-9-]+)'/g)) exact.add(m[1]);
    for (const m of text.matchAll(/findNeedles\([^,]+, [^,]+, '([a-z0-9][a-z0-9-]+)'/g)) exact.add(m[1]);
  }
  return { exact, prefixes };
}

/** Ids the tests define for themselves (custom rules in configs, fixture detectors). */
function testDefined(text: string): Set<string> {
  return new Set([...text.matchAll(/\bid:\s*'([a-z0-9][a-z0-9-]+)'/g)].map((m) => m[1]));
}

describe('rule ids named in tests', () => {
  it('exist in the catalog or in the detectors that emit them', () => {
    const { exact, prefixes } = knownIds();
    // renderer tests label made-up findings: their ids are text to lay out, not rules to find
    const renderer = /^(report|sarif)[.-]|report-fixture/;
    const files = filesUnder(path.join(ROOT, 'test'), /\.(ts|mjs)$/).filter((f) => f !== import.meta.filename && !renderer.test(path.basename(f)));
    const own = new Set(files.flatMap((f) => [...testDefined(fs.readFileSync(f, 'utf8'))]));
    const unknown: string[] = [];
    let named = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      for (const re of NAMED) {
        for (const m of text.matchAll(re)) {
          named++;
          const id = m[1];
          if (!exact.has(id) && !own.has(id) && !prefixes.some((p) => id.startsWith(p))) unknown.push(`${path.relative(ROOT, file)}: ${id}`);
        }
      }
    }
    expect(named).toBeGreaterThan(20); // the patterns still find what tests write
    expect(unknown.join('\n')).toBe('');
  });
});

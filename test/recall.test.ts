// Recall: fresh random credentials of every rule, planted in a memory-like image as ASCII and as
// UTF-16LE at even and odd offsets, must all be found with exact spans. Also bounds the
// over-redaction on the same image without secrets.
import { describe, expect, test } from 'vitest';
import { builtinRules } from '../src/rules/index.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext } from '../src/types.js';
import { makeMemImage, ppm } from './helpers/memimage.js';

const ctx = (entropy: DetectContext['entropy']): DetectContext => ({ knownKeys: [], knownSecrets: [], extraViews: [], entropy, learned: [] });

describe('recall on planted fresh credentials', () => {
  const SIZE = 12 << 20;
  const image = makeMemImage(SIZE, 11);
  const expected: Array<{ key: string; rule: string; enc: string }> = [];
  let off = 4096;
  // rules that judge randomness (token-runs) miss a small share of fresh draws by design; values
  // are seeded (other seeds than the rules table's) because rules with an entropy floor reject a
  // rare draw too (about 1 in 300 for a 32-hex Datadog key), and a test must not flip on that
  for (const rule of builtinRules.filter((r) => r.anchor !== 'token-runs')) {
    const fresh = seededRng(`recall:${rule.id}`);
    for (const tpl of rule.examples) {
      for (const enc of ['ascii', 'utf16le-even', 'utf16le-odd'] as const) {
        const ex = expandTemplate(tpl, fresh);
        const unit = enc === 'ascii' ? 1 : 2;
        const bytes = Buffer.from(ex.text, unit === 1 ? 'latin1' : 'utf16le');
        // strings in memory are NUL-terminated; keep NULs on both sides
        off += 64;
        if (enc === 'utf16le-even' && off % 2) off++;
        if (enc === 'utf16le-odd' && off % 2 === 0) off++;
        image.fill(0, off - 4, off);
        bytes.copy(image, off);
        image.fill(0, off + bytes.length, off + bytes.length + 4);
        for (const [s, e] of ex.spans) expected.push({ key: `${rule.id}:${off + s * unit}:${off + e * unit}`, rule: rule.id, enc });
        off += bytes.length + 4;
      }
    }
  }

  test('plants fit in the image', () => {
    expect(off).toBeLessThan(SIZE);
  });

  test('100% of planted credentials found with exact spans', () => {
    const hits = rulesDetector(builtinRules, { entropy: 'off' }).detect(image, ctx('off')).hits;
    const got = new Set(hits.map((h) => `${h.ruleId}:${h.start}:${h.end}`));
    const missed = expected.filter((x) => !got.has(x.key)).map((x) => `${x.rule} (${x.enc})`);
    console.log(`recall: ${expected.length - missed.length}/${expected.length} planted secrets over ${builtinRules.length} rules${missed.length ? `; missed: ${missed.join(', ')}` : ''}`);
    expect(missed).toEqual([]);
  });
});

describe('over-redaction on a clean memory-like image', () => {
  const SIZE = 16 << 20;
  const clean = makeMemImage(SIZE, 23);
  test.each([
    ['off', 20],
    ['context', 50],
    ['all', 200],
  ] as const)('entropy %s: changed bytes per million under %d', (mode, bound) => {
    const hits = rulesDetector(builtinRules, { entropy: mode }).detect(clean, ctx(mode)).hits;
    const p = ppm(hits, SIZE);
    console.log(`clean image, entropy=${mode}: ${hits.length} hits, ${p.toFixed(1)} ppm`);
    expect(p).toBeLessThan(bound);
  });
});

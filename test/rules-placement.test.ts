// Every rule's examples planted in random pages of a large buffer, across a page border and at every
// offset in a 16-byte block (where the WebAssembly kernels test whole blocks): each is found with the
// same hits as alone in a small buffer (which the JavaScript loops scan), in latin1 and UTF-16LE.
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../src/rules/index.js';
import { expandTemplate, seededRng } from '../src/rules/template.js';
import { rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext, Hit } from '../src/types.js';
import { seeded } from '../fixtures/gen/keys.js';

const PAGE = 4096;
/** Zero bytes either side of an example: what the catalog's own proof places it in. */
const GAP = 16;
const CTX: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'all', learned: [] };
const detector = rulesDetector(builtinRules, { entropy: 'all' });
const key = (h: Hit, shift: number) => `${h.start + shift}-${h.end + shift}:${h.ruleId}:${h.encoding}`;

const examples = builtinRules.flatMap((r) => r.examples.map((t) => expandTemplate(t, seededRng(r.id)).text)).filter((t) => t.length * 2 + 2 * GAP < PAGE);

describe('rules on a large buffer (kernels) find what they find on the example alone', () => {
  for (const enc of ['latin1', 'utf16le'] as const) {
    it(`${examples.length} examples across page borders in random pages, ${enc}`, () => {
      const pages = examples.length + 2;
      const big = seeded(pages * PAGE, 9);
      const want: string[] = [];
      examples.forEach((text, i) => {
        const bytes = Buffer.from(text, enc);
        const alone = Buffer.concat([Buffer.alloc(GAP), bytes, Buffer.alloc(GAP)]);
        // the example starts 0..15 bytes into a block and crosses the border into the next page
        const at = (i + 1) * PAGE - (bytes.length >> 1) - (i % 16) - GAP;
        alone.copy(big, at);
        for (const h of detector.detect(alone, CTX).hits) want.push(key(h, at));
      });
      expect(big.length).toBeGreaterThan(64 * 1024);
      const got = new Set(detector.detect(big, CTX).hits.map((h) => key(h, 0)));
      const missing = want.filter((k) => !got.has(k));
      expect(missing.length).toBe(0);
      expect(want.length).toBeGreaterThan(examples.length / 2);
    });
  }
});

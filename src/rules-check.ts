// One proof for a rule, used by the catalog's table test and by `dumpscrub rules check FILE` for a
// user's rules: each example is found with exactly its «marked» spans in ASCII, UTF-16LE at both byte
// alignments and UTF-32LE/BE at all four; the same secret bytes come out of every encoding; each
// negative example is not found; a redacted example is not found again.
import { compileRules, type Rule } from './rules/schema.js';
import { expandTemplate, seededRng } from './rules/template.js';
import { rulesDetector } from './detectors/rules.js';
import type { DetectContext, Hit } from './types.js';
import { encodeUtf32 } from './views/utf32.js';

interface RuleCheck {
  id: string;
  /** What failed, by example number and encoding; never the example text (it may hold a real token). */
  problems: string[];
}

type Enc = 'ascii' | 'utf16le' | 'utf32le' | 'utf32be';

const CTX: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off', learned: [] };
const UNIT: Record<Enc, number> = { ascii: 1, utf16le: 2, utf32le: 4, utf32be: 4 };
const NAME: Record<Enc, string> = { ascii: 'ascii', utf16le: 'UTF-16LE', utf32le: 'UTF-32LE', utf32be: 'UTF-32BE' };

/** Where each example is placed: [encoding, padding bytes before the text]. */
const PLACEMENTS: Array<[Enc, number]> = [
  ['ascii', 0],
  ['ascii', 3],
  ['utf16le', 2],
  ['utf16le', 1],
  ...[0, 1, 2, 3].flatMap((pad): Array<[Enc, number]> => [
    ['utf32le', pad],
    ['utf32be', pad],
  ]),
];

function encode(text: string, enc: Enc, pad: number): Buffer {
  if (enc === 'utf32le') return Buffer.concat([Buffer.alloc(pad), encodeUtf32(text, false), Buffer.alloc(4)]);
  // a byte right after the last character that only the BE reading explains (zeros after it read as LE too)
  if (enc === 'utf32be') return Buffer.concat([Buffer.alloc(pad), encodeUtf32(text, true), Buffer.from([1, 0, 0, 0])]);
  return Buffer.concat([Buffer.alloc(pad), Buffer.from(text, enc === 'ascii' ? 'latin1' : 'utf16le'), Buffer.alloc(2)]);
}

/** Rules from a config-shaped document ({ "rules": [...] }) or a bare array. Throws on schema errors. */
export function rulesOf(doc: unknown, source: string): Rule[] {
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) throw new Error(`${source}: expected an array of rules or an object with "rules"`);
  return compileRules(list, source);
}

export function checkRule(rule: Rule): RuleCheck {
  const problems: string[] = [];
  const detector = rulesDetector([rule], { entropy: 'off' });
  const find = (bytes: Buffer): Hit[] => detector.detect(bytes, CTX).hits.filter((h) => h.ruleId === rule.id);
  if (rule.examples.length === 0) problems.push('no examples: a rule proves itself with at least one');
  rule.examples.forEach((template, i) => {
    const ex = expandTemplate(template, seededRng(rule.id));
    const printable = /^[\t\n\r\x20-\x7e]*$/.test(ex.text);
    let secrets: string | undefined;
    for (const [enc, pad] of PLACEMENTS) {
      const where = `example ${i + 1} (${NAME[enc]} at offset ${pad})`;
      // BE text cut by a NUL (0,0,0,0) reads as LE up to the NUL, 3 bytes later: the same character bytes
      const asBe = (h: Hit): Hit => (enc === 'utf32be' && h.encoding === 'utf32le' && !printable ? { ...h, start: h.start - 3, end: h.end - 3, encoding: enc } : h);
      const hits = find(encode(ex.text, enc, pad)).map(asBe);
      const got = spans(hits);
      const want = ex.spans.map(([s, e]) => `${pad + s * UNIT[enc]}-${pad + e * UNIT[enc]}`).sort();
      if (got.join() !== want.join()) problems.push(`${where}: expected spans [${want.join(', ')}], found [${got.join(', ')}]`);
      else if (hits.some((h) => h.encoding !== enc)) problems.push(`${where}: reported as another encoding`);
      // fingerprints agree across encodings only when the secret bytes do
      const bytes = hits.map((h) => h.secret.toString('hex')).join();
      if (secrets === undefined) secrets = bytes;
      else if (bytes !== secrets && got.join() === want.join()) problems.push(`${where}: secret bytes differ from the ascii reading`);
    }
    const chars = [...ex.text];
    for (const [s, e] of ex.spans) for (let k = s; k < e; k++) chars[k] = '*';
    if (find(Buffer.from(chars.join(''), 'latin1')).length > 0) problems.push(`example ${i + 1}: found again after redaction`);
  });
  rule.negativeExamples.forEach((template, i) => {
    const text = expandTemplate(template, seededRng(rule.id)).text;
    const found = find(Buffer.from(text, 'latin1'));
    if (found.length > 0) problems.push(`negative example ${i + 1}: found at [${spans(found).join(', ')}]`);
  });
  return { id: rule.id, problems };
}

function spans(hits: Array<{ start: number; end: number }>): string[] {
  return hits.map((h) => `${h.start}-${h.end}`).sort();
}

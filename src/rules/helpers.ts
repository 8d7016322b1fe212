// Builders that keep rule files short: a prefixed token rule and a keyword-context rule.
import type { Family, RuleInput } from './schema.js';

export const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

interface TokenSpec {
  id: string;
  name: string;
  family: Family;
  /** Literal prefix (also the keyword unless keywords are given). */
  prefix: string;
  /** Regex for the rest of the token, bounded; greedy quantifiers take its longest valid form. */
  body: string;
  /** Template producing a fresh token (see template.ts). */
  gen: string;
  maxLen: number;
  description?: string;
  keywords?: string[];
  /** Vetoes, for a prefix too weak to stand alone (e.g. has-digit after `API-`). */
  validators?: RuleInput['validators'];
  /** Confidence checks (checksums): a failure adds a note, the token is still redacted. */
  checks?: RuleInput['checks'];
  keywordForms?: RuleInput['keywordForms'];
  minEntropy?: number;
  flags?: string;
  negatives?: string[];
  /** More example templates («» marks the token). */
  examples?: string[];
  /** Offset of the keyword inside the token when it is not the prefix. */
  before?: number;
}

/**
 * A token recognisable by its own prefix: no context needed, and no word edges either. Memory holds
 * strings back to back (Go and Rust string data, a V8 string before the next object's map word), so
 * the prefix may follow any byte, and the body's greedy quantifiers end the match at the token's
 * longest valid form; a fixed-length body ends at its length whatever follows.
 */
export function token(s: TokenSpec): RuleInput {
  return {
    id: s.id,
    name: s.name,
    family: s.family,
    description: s.description ?? `${s.name} (prefix ${s.prefix})`,
    keywords: s.keywords ?? [s.prefix.toLowerCase()],
    // the body's own alternatives each follow the prefix (`ntn_` then either form, not a bare second form)
    pattern: `(?<secret>${esc(s.prefix)}(?:${s.body}))`,
    flags: s.flags ?? '',
    maxLen: s.maxLen,
    // the prefix keyword opens the match; other keywords may sit anywhere in it
    before: s.before ?? (s.keywords ? s.maxLen : 0),
    validators: s.validators ?? [],
    checks: s.checks ?? [],
    prefixed: true,
    keywordForms: s.keywordForms ?? [],
    minEntropy: s.minEntropy,
    examples: [`export TOKEN=«${s.gen}»`, `{"auth": {"value": "«${s.gen}»"}}`, ...(s.examples ?? [])],
    negativeExamples: [
      `export TOKEN=${s.prefix}********************************`,
      `docs mention ${s.prefix} tokens`,
      // documentation fillers: a body of one repeated letter
      `token: "${s.prefix}${'x'.repeat(40)}"`,
      `TOKEN=${s.prefix}${'X'.repeat(40)}`,
      ...(s.negatives ?? []),
    ],
  };
}

interface ContextSpec {
  id: string;
  name: string;
  family: Family;
  description: string;
  keywords: string[];
  /** Regex for the secret itself (bounded). */
  secret: string;
  /** Example secret template. */
  gen: string;
  /** How far the keyword may be from the secret. */
  window?: number;
  maxLen: number;
  validators?: RuleInput['validators'];
  /** Case and word conditions; letter-only keywords not listed here must start a word. */
  keywordForms?: RuleInput['keywordForms'];
  minEntropy?: number;
  /** Characters that may not touch the secret. */
  edge?: string;
  examples: string[];
  negatives?: string[];
}

/**
 * A secret that is only recognisable near a context keyword (AWS secret keys next to their key id,
 * vendor keys that are bare hex). Examples use `$` for the generated secret.
 */
export function near(s: ContextSpec): RuleInput {
  // a secret is never glued to an identifier (mangled symbol names hold 40-char alnum runs)
  const edge = s.edge ?? 'A-Za-z0-9_';
  return {
    id: s.id,
    name: s.name,
    family: s.family,
    description: s.description,
    keywords: s.keywords,
    pattern: `(?<![${edge.replace(/[=,]/g, '')}])(?<secret>${s.secret})(?![${edge}])`,
    maxLen: s.maxLen,
    window: s.window ?? 160,
    // a keyword's window in memory holds program names (class names, symbols) of a key's length
    validators: [...(s.validators ?? []), 'not-identifier'],
    keywordForms: [
      ...(s.keywordForms ?? []),
      ...s.keywords.filter((k) => /^[a-z]+$/i.test(k) && !s.keywordForms?.some((f) => f.keyword.toLowerCase() === k.toLowerCase())).map((keyword) => ({ keyword, word: true })),
    ],
    minEntropy: s.minEntropy,
    examples: s.examples.map((e) => e.replace('$', () => `«${s.gen}»`)),
    negativeExamples: s.negatives ?? [],
  };
}

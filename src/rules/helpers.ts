// Builders that keep rule files short: a prefixed token rule and a keyword-context rule.
import type { RuleInput } from './schema.js';

export const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A value character: printable ASCII except whitespace, quotes and backtick. */
export const VAL = `[^\\x00-\\x20\\x7f-\\xff"'\`]`;

interface TokenSpec {
  id: string;
  name: string;
  family: string;
  /** Literal prefix (also the keyword unless keywords are given). */
  prefix: string;
  /** Regex for the rest of the token, bounded. */
  body: string;
  /** Template producing a fresh token (see template.ts). */
  gen: string;
  maxLen: number;
  description?: string;
  keywords?: string[];
  validators?: RuleInput['validators'];
  minEntropy?: number;
  flags?: string;
  /** Characters that may not touch the token on either side. */
  edge?: string;
  negatives?: string[];
  /** Offset of the keyword inside the token when it is not the prefix. */
  before?: number;
}

/** A token recognisable by its own prefix: no context needed. */
export function token(s: TokenSpec): RuleInput {
  const edge = s.edge ?? 'A-Za-z0-9';
  return {
    id: s.id,
    name: s.name,
    family: s.family,
    description: s.description ?? `${s.name} (prefix ${s.prefix})`,
    keywords: s.keywords ?? [s.prefix.toLowerCase()],
    pattern: `(?<![${edge.replace(/[=,]/g, '')}])(?<secret>${esc(s.prefix)}${s.body})(?![${edge}])`,
    flags: s.flags ?? '',
    maxLen: s.maxLen,
    // the prefix keyword opens the match; other keywords may sit anywhere in it
    before: s.before ?? (s.keywords ? s.maxLen : 0),
    validators: s.validators ?? [],
    minEntropy: s.minEntropy,
    examples: [`export TOKEN=«${s.gen}»`, `{"auth": {"value": "«${s.gen}»"}}`],
    negativeExamples: [
      `export TOKEN=${s.prefix}********************************`,
      `docs mention ${s.prefix} tokens`,
      ...(s.negatives ?? []),
    ],
  };
}

interface ContextSpec {
  id: string;
  name: string;
  family: string;
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
    validators: s.validators ?? [],
    minEntropy: s.minEntropy,
    examples: s.examples.map((e) => e.replace('$', () => `«${s.gen}»`)),
    negativeExamples: s.negatives ?? [],
  };
}

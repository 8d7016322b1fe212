// Rule schema: the one shape for built-in rules and user rules from a JSON config.
import { z } from 'zod';

/** Names of validators a rule may ask for (implemented in detectors/validators.ts). */
const VALIDATOR_NAMES = [
  'github-crc32',
  'jwt',
  'base64-pem',
  'hex-pem',
  'basic-auth',
  'basic-credential',
  'mixed-case',
  'has-digit',
  'token-like',
  'secret-like',
  'not-hex-only',
  'body-not-hex',
  'not-upper-text',
  'url-password',
  'random-body',
  'not-identifier',
  'not-reference',
  'cmd-literal',
  'not-url',
] as const;
export type ValidatorName = (typeof VALIDATOR_NAMES)[number];

/**
 * Cheap ReDoS guard: every quantifier must have an upper bound. Rejects `*`, `+` and `{n,}`
 * outside character classes; returns a reason or null.
 */
export function unboundedQuantifier(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '*' || c === '+') return `unbounded quantifier '${c}' at ${i}`;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 16));
      if (m && m[2] !== undefined && m[3] === '') return `unbounded quantifier '${m[0]}' at ${i}`;
      if (m && m[3] !== undefined && Number(m[3]) > 20000) return `quantifier bound over 20000 at ${i}`;
    }
  }
  return null;
}

/**
 * Why a prefixed rule's pattern would miss a token glued to its neighbours, or null: a look-behind
 * or word boundary anywhere, or a negative look-ahead closing the pattern (memory has no word edges).
 */
export function edgeAssertion(pattern: string): string | null {
  const lb = /\(\?<[!=]/.exec(pattern);
  if (lb) return `look-behind at ${lb.index}`;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    if (pattern[i + 1] === 'b' || pattern[i + 1] === 'B') return `word boundary at ${i}`;
    i++;
  }
  if (/\(\?![^()]*\)$/.test(pattern)) return 'negative look-ahead at the end';
  return null;
}

const patternSchema = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((p, ctx) => {
    const why = unboundedQuantifier(p);
    if (why) ctx.addIssue({ code: 'custom', message: why });
    try {
      new RegExp(p, 'gd');
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `pattern does not compile: ${(e as Error).message}` });
    }
  });

/**
 * Closed list: ranking (findings.ts) treats the generic families as weaker than provider ones, so a
 * family must be one it knows. User rules say nothing or `custom`.
 */
const FAMILIES = [
  'private-key',
  'windows-auth',
  'identity',
  'kubernetes',
  'connection-string',
  'url-credentials',
  'webhook',
  'aws',
  'azure',
  'gcp',
  'cloud',
  'github',
  'gitlab',
  'bitbucket',
  'atlassian',
  'source',
  'registry',
  'ci',
  'observability',
  'ai',
  'saas',
  'commerce',
  'payments',
  'slack',
  'mail',
  'comms',
  'tokens',
  'generic',
  'http',
  'cookies',
  'config-file',
  'custom',
] as const;
const FamilySchema = z.enum(FAMILIES);
export type Family = z.infer<typeof FamilySchema>;

export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/),
    name: z.string().min(1).max(120),
    description: z.string().min(1).max(400),
    family: FamilySchema.default('custom'),
    /** Case-insensitive literals; the rule's regex runs only near one of them. */
    keywords: z.array(z.string().min(3).max(64)).max(256),
    /**
     * Where the engine tries the pattern: near keywords (default), or over every run of at least
     * `minRun` token characters (rules for a shape with no literal: next year's vendor prefixes).
     */
    anchor: z.enum(['keywords', 'token-runs']).default('keywords'),
    minRun: z.number().int().min(16).max(256).default(32),
    /** Regex source with bounded quantifiers; the secret is group `secret` (else the whole match). */
    pattern: patternSchema,
    /** Only `i` (case-insensitive); the engine adds its own flags. */
    flags: z.string().regex(/^i?$/).default(''),
    /** Longest match in characters; bounds the window around each keyword. */
    maxLen: z.number().int().min(4).max(20000),
    /** Farthest a keyword may sit from the match (context keywords); defaults to maxLen. */
    window: z.number().int().min(0).max(20000).optional(),
    /**
     * Set when a keyword always lies inside the match, at most `before` chars after its start (0:
     * the keyword opens the match). The engine then tries the pattern only at those start positions
     * (sticky) instead of scanning a window; leave unset for context keywords outside the match.
     */
    before: z.number().int().min(0).max(20000).optional(),
    /** Vetoes: a match failing one is dropped (generic and context rules, against false positives). */
    validators: z.array(z.enum(VALIDATOR_NAMES)).default([]),
    /**
     * Confidence checks: a match failing one is still redacted, with a note. Self-identifying tokens
     * use these (a prefixed string with a bad checksum is still a token, or a corrupted one).
     */
    checks: z.array(z.enum(VALIDATOR_NAMES)).default([]),
    /**
     * A self-identifying token (distinctive prefix plus a grammar): matched with no word edges, as
     * memory packs strings back to back (tests glue every example to neighbours).
     */
    prefixed: z.boolean().default(false),
    /** The token is hex by its grammar: hex text beside it does not make it part of a hex dump. */
    hexToken: z.boolean().default(false),
    /**
     * Per-keyword conditions checked where the prefilter found the keyword: `exact` case (as
     * written), and `word` (it starts a word: `aws` in `jaws` is no keyword; camelCase turns count).
     */
    keywordForms: z
      .array(z.object({ keyword: z.string().min(3).max(64), exact: z.boolean().default(false), word: z.boolean().default(false) }).strict())
      .max(256)
      .default([]),
    /** Minimum Shannon entropy (bits per char) of the secret. */
    minEntropy: z.number().min(0).max(8).optional(),
    /** Reject placeholder values (all one char, ${VAR}, <password>, EXAMPLE...). */
    rejectPlaceholders: z.boolean().default(true),
    /** Example texts; «secret» marks each expected span, {{gen:N}} are generated fields. */
    examples: z.array(z.string().min(1)).default([]),
    negativeExamples: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.examples.every((e) => e.includes('«'))) {
      ctx.addIssue({ code: 'custom', message: `rule ${r.id}: every example must mark its secret with «»` });
    }
    const edge = r.prefixed ? edgeAssertion(r.pattern) : null;
    if (edge) ctx.addIssue({ code: 'custom', message: `rule ${r.id}: a prefixed token matches whatever sits next to it, but its pattern has a ${edge}` });
    if (r.anchor === 'keywords' && r.keywords.length === 0) ctx.addIssue({ code: 'custom', message: `rule ${r.id}: keywords are required unless anchor is token-runs` });
    const kws = new Set(r.keywords.map((k) => k.toLowerCase()));
    for (const f of r.keywordForms) {
      if (!kws.has(f.keyword.toLowerCase())) ctx.addIssue({ code: 'custom', message: `rule ${r.id}: keywordForms names ${f.keyword}, not one of its keywords` });
    }
  });

export type RuleInput = z.input<typeof RuleSchema>;
type RuleData = z.output<typeof RuleSchema>;

/** A validated rule with its compiled regex. */
export interface Rule extends RuleData {
  re: RegExp;
}

/** Validate and compile rules; throws with every problem listed. */
export function compileRules(inputs: unknown[], source = 'rules'): Rule[] {
  const out: Rule[] = [];
  const errors: string[] = [];
  const ids = new Set<string>();
  inputs.forEach((input, i) => {
    const parsed = RuleSchema.safeParse(input);
    if (!parsed.success) {
      const id = (input as { id?: unknown })?.id;
      errors.push(`${source}[${i}] ${String(id ?? '?')}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
      return;
    }
    const r = parsed.data;
    if (ids.has(r.id)) errors.push(`${source}[${i}]: duplicate rule id ${r.id}`);
    ids.add(r.id);
    out.push({ ...r, keywords: r.keywords.map((k) => k.toLowerCase()), re: new RegExp(r.pattern, 'gd' + r.flags) });
  });
  if (errors.length) throw new Error(`invalid rules:\n${errors.join('\n')}`);
  return out;
}

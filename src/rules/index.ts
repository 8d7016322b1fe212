// The built-in catalog, compiled once at load (validated by the table test, not at every start).
//
// Adding a rule: put a RuleInput (schema.ts) in the family file. `keywords` gate the regex (one
// pass finds them all); `pattern` uses bounded quantifiers only and names the secret `(?<secret>…)`;
// set `before` when a keyword always sits inside the match (the engine then tries the pattern only
// at those positions). Every example marks its secret with «…» and generates random parts with
// {{gen:N}} fields (template.ts), so no secret-looking literal is committed; test/rules.test.ts runs
// each example in ascii and UTF-16LE at both alignments, each negative, and each redacted example.
import type { Rule, RuleInput } from './schema.js';
import { compileTrusted } from './trusted.js';
import { keyRules } from './keys.js';
import { genericTokenRule, tokenRules } from './tokens.js';
import { contextRules } from './context.js';
import { protocolRules } from './protocol.js';
import { contextWideRules, genericRules } from './generic.js';
import { vendorRules } from './vendors.js';

export const builtinRuleInputs: RuleInput[] = [...keyRules, ...tokenRules, ...contextRules, ...protocolRules, ...genericRules, ...contextWideRules, ...vendorRules, genericTokenRule];

export const builtinRules: Rule[] = compileTrusted(builtinRuleInputs);

export { compileRules, RuleSchema, type Family, type Rule, type RuleInput } from './schema.js';

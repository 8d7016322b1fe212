// The built-in catalog, validated and compiled once at load.
import { compileRules, type Rule, type RuleInput } from './schema.js';
import { keyRules } from './keys.js';
import { tokenRules } from './tokens.js';
import { contextRules } from './context.js';
import { protocolRules } from './protocol.js';
import { genericRules } from './generic.js';

export const builtinRuleInputs: RuleInput[] = [...keyRules, ...tokenRules, ...contextRules, ...protocolRules, ...genericRules];

export const builtinRules: Rule[] = compileRules(builtinRuleInputs, 'builtin');

/** For `dumpscrub rules`: what each rule is, never how it matches. */
export function ruleCatalog(): Array<{ id: string; name: string; description: string; family: string; keywords: string[] }> {
  return builtinRules.map(({ id, name, description, family, keywords }) => ({ id, name, description, family, keywords }));
}

export { compileRules, RuleSchema, type Rule, type RuleInput } from './schema.js';

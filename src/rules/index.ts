// The built-in catalog, validated and compiled once at load.
import { compileRules, type Rule, type RuleInput } from './schema.js';
import { keyRules } from './keys.js';

export const builtinRuleInputs: RuleInput[] = [...keyRules];

export const builtinRules: Rule[] = compileRules(builtinRuleInputs, 'builtin');

/** For `dumpscrub rules`: what each rule is, never how it matches. */
export function ruleCatalog(): Array<{ id: string; name: string; description: string; family: string; keywords: string[] }> {
  return builtinRules.map(({ id, name, description, family, keywords }) => ({ id, name, description, family, keywords }));
}

export { compileRules, RuleSchema, type Rule, type RuleInput } from './schema.js';

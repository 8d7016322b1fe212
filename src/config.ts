// dumpscrub.config.json: zod schema, error messages that name the field, and the mapping onto ScrubOptions.
// Pure but for loadConfig, which reads the file through io/input.ts; parseConfig takes text or parsed JSON.
import * as path from 'node:path';
import { z } from 'zod';
import { AllowlistSchema, EntropySchema, FillSchema, RegionSelectionSchema } from './options.js';
import { DEFAULT_ENTROPY } from './types.js';
import { RuleSchema } from './rules/schema.js';
import { UsageError } from './errors.js';
import { readTextIfExists } from './io/input.js';

export const CONFIG_FILE_NAME = 'dumpscrub.config.json';

/** A usage error (exit 2) whose message names the file, the field and what was expected. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

/** Custom rules go through the same schema as built-in rules (ids must be unique among them). */
const RuleListSchema = z.array(RuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id "${r.id}"` });
    seen.add(r.id);
  });
});

/** User regexes must compile; they are matched against secret text, so a bad one is a config error, not a crash later. */
const RegexStringSchema = z
  .string()
  .min(1, 'expected a non-empty regular expression')
  .refine(
    (s) => {
      try {
        new RegExp(s, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected a valid regular expression (JavaScript, u flag)' },
  );

const ConfigAllowlistSchema = AllowlistSchema.extend({ regexes: z.array(RegexStringSchema).default([]) });

export const ReportFormatSchema = z.enum(['text', 'json', 'jsonl', 'sarif']);

const ReportDefaultsSchema = z
  .object({
    format: ReportFormatSchema.default('text'),
    summary: z.boolean().default(false),
    verbose: z.boolean().default(false),
    color: z.enum(['auto', 'always', 'never']).default('auto'),
  })
  .strict();

const GateDefaultsSchema = z
  .object({
    stableSeconds: z.number().min(0).max(86_400).default(5),
    originals: z.enum(['delete', 'retain']).default('delete'),
    quarantine: z.string().min(1).optional(),
    auditLog: z.string().min(1).optional(),
  })
  .strict();

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    rules: RuleListSchema.default([]),
    allowlist: ConfigAllowlistSchema.default({ ruleIds: [], fingerprints: [], regexes: [], paths: [] }),
    fill: FillSchema.default({ text: '*', binary: 0 }),
    entropy: EntropySchema.default(DEFAULT_ENTROPY),
    regions: RegionSelectionSchema.default({ include: [], exclude: [] }),
    report: ReportDefaultsSchema.default({ format: 'text', summary: false, verbose: false, color: 'auto' }),
    knownKeys: z.array(z.string().min(1)).default([]),
    knownSecrets: z.array(z.string().min(1)).default([]),
    jobs: z.number().int().min(0).max(256).default(0),
    selfHunt: z.boolean().default(true),
    gate: GateDefaultsSchema.default({ stableSeconds: 5, originals: 'delete' }),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** `allowlist.fingerprints[2]` from a zod issue path. */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out || '(top level)';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'undefined') return 'nothing';
  return `${/^[aeiou]/.test(typeof v) ? 'an' : 'a'} ${typeof v}`;
}

// Messages for zod's built-in issues; schema-level messages (e.g. the fingerprint regex) win over these.
function issueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${iss.expected === 'int' ? 'an integer' : iss.expected}, got ${describe(iss.input)}`;
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(iss.input)}`;
    case 'unrecognized_keys':
      return `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      if (iss.origin === 'string') return `expected at least ${iss.minimum} character${iss.minimum === 1 ? '' : 's'}`;
      if (iss.origin === 'array') return `expected at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}`;
      return `expected a number ${iss.inclusive ? '>=' : '>'} ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'string') return `expected at most ${iss.maximum} characters`;
      if (iss.origin === 'array') return `expected at most ${iss.maximum} items`;
      return `expected a number ${iss.inclusive ? '<=' : '<'} ${iss.maximum}`;
    default:
      return undefined;
  }
}

/** Validates a parsed config; throws ConfigError naming the file, the field path and what was expected. */
export function parseConfig(json: unknown, source: string): Config {
  const result = ConfigSchema.safeParse(json, { error: (iss) => issueMessage(iss) });
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${source}: ${formatPath(i.path)}: ${i.message}`);
  throw new ConfigError(lines.join('\n'));
}

/** Parses the file text (JSON) and validates it. */
export function parseConfigText(text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(json, source);
}

/** The built-in defaults, as `config --print` shows them when no file is found. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

/** File lists in a config are relative to the config file's directory, like tsconfig and .gitleaks.toml. */
export function resolveConfigPaths(config: Config, configFile: string): Config {
  const base = path.dirname(path.resolve(configFile));
  const abs = (p: string) => path.resolve(base, p);
  return {
    ...config,
    knownKeys: config.knownKeys.map(abs),
    knownSecrets: config.knownSecrets.map(abs),
    gate: {
      ...config.gate,
      ...(config.gate.quarantine ? { quarantine: abs(config.gate.quarantine) } : {}),
      ...(config.gate.auditLog ? { auditLog: abs(config.gate.auditLog) } : {}),
    },
  };
}

/** JSON for `dumpscrub config --print`: the effective configuration, with where it came from. */
export function renderConfig(config: Config, source: string | null): string {
  const { $schema: _ignored, ...rest } = config;
  return `${JSON.stringify({ source, ...rest }, null, 2)}\n`;
}

/** Whether an input path matches an allowlist path glob (matched against the path as given and its basename). */
export function pathAllowlisted(file: string, globs: readonly string[]): boolean {
  if (globs.length === 0) return false;
  const norm = file.split(path.sep).join('/');
  const base = path.posix.basename(norm);
  return globs.some((g) => {
    const re = globToRegExp(g);
    return re.test(norm) || (!g.includes('/') && re.test(base));
  });
}

/** Minimal glob: `**` any path, `*` within a segment, `?` one character, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 3 : 2;
      continue;
    }
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close > i) {
        re += `(?:${glob
          .slice(i + 1, close)
          .split(',')
          .map((alt) => alt.replace(/[.+^${}()|[\]\\*?]/g, '\\$&'))
          .join('|')})`;
        i = close + 1;
        continue;
      }
      re += '\\{';
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  return new RegExp(`^${re}$`);
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file it came from, or null for built-in defaults. */
  source: string | null;
  /** Found in the working directory rather than named by --config or DUMPSCRUB_CONFIG. */
  discovered?: boolean;
}

/**
 * `--config FILE`, else `$DUMPSCRUB_CONFIG` (either must exist), else ./dumpscrub.config.json (optional);
 * file lists resolved against its directory.
 */
export async function loadConfig(flag: string | undefined, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const explicit = flag ?? (env.DUMPSCRUB_CONFIG || undefined);
  const file = path.resolve(cwd, explicit ?? CONFIG_FILE_NAME);
  const text = await readTextIfExists(file);
  if (text === undefined) {
    if (explicit !== undefined) throw new ConfigError(`${explicit}: config file not found${flag === undefined ? ' (from DUMPSCRUB_CONFIG)' : ''}`);
    return { config: defaultConfig(), source: null };
  }
  const shown = explicit ?? CONFIG_FILE_NAME;
  return { config: resolveConfigPaths(parseConfigText(text, shown), file), source: file, discovered: explicit === undefined };
}

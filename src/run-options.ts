// One builder from a run's settings to its ScrubOptions, for the scan/scrub/verify commands and the gate:
// settings (flags, with the config's values as their defaults), then what only the config can say.
import { ZodError } from 'zod';
import { UsageError } from './errors.js';
import { makeOptions } from './options.js';
import type { ScrubOptions } from './options.js';
import type { EntropyLevel } from './types.js';
import type { Config } from './config.js';

/** What flags (or the config standing in for them) set; file lists are loaded here. */
export interface RunSettings {
  entropy?: EntropyLevel;
  jobs?: number;
  chunkSize?: number;
  waitStable?: number;
  fill?: { text: string; binary: number };
  /** --known-key files (the config's first). */
  knownKeys: readonly string[];
  /** --known-secret files (the config's first). */
  knownSecrets: readonly string[];
}

/** The flag a runtime option comes from, for usage errors that name what the user typed. */
const FLAG_OF: Record<string, string> = {
  'fill.text': '--fill-text',
  'fill.binary': '--fill-binary',
  jobs: '--jobs',
  chunkSize: '--chunk-size',
  waitStable: '--wait-stable',
  entropy: '--entropy',
};

/** makeOptions, with a validation failure turned into one usage line naming the flag (exit 2). */
function validatedOptions(s: RunSettings): ScrubOptions {
  try {
    return makeOptions({ entropy: s.entropy, jobs: s.jobs, chunkSize: s.chunkSize, waitStable: s.waitStable, fill: s.fill });
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const issue = err.issues[0];
    const key = issue?.path.join('.') ?? '';
    throw new UsageError(`${FLAG_OF[key] ?? key}: ${issue?.message ?? 'invalid value'}`);
  }
}

/** Settings → validated options, key and secret files loaded, then the config-only settings on top. */
export async function buildScrubOptions(settings: RunSettings, config: Config | undefined): Promise<ScrubOptions> {
  const opts = validatedOptions(settings);
  // loaded on demand: a run without key files starts without the key parsers
  const { loadKnownKeys, loadKnownSecrets } = await import('./known.js');
  opts.knownKeys = await loadKnownKeys([...settings.knownKeys]);
  const secrets = await loadKnownSecrets([...settings.knownSecrets]);
  opts.knownSecrets = secrets.literals;
  opts.knownSecretDigests = secrets.sha256;
  if (config) {
    opts.allowlist = config.allowlist;
    opts.extraRules = [...config.rules];
    opts.selfHunt = config.selfHunt;
    opts.regions = config.regions;
  }
  return opts;
}

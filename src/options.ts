// Runtime options of one scan/scrub/verify run, validated with zod (CLI flags and config both land here).
import { z } from 'zod';
import { DEFAULT_ENTROPY, ENTROPY_LEVELS } from './types.js';
import type { KnownKey, RegionKind } from './types.js';

export const EntropySchema = z.enum(ENTROPY_LEVELS);

export const AllowlistSchema = z
  .object({
    ruleIds: z.array(z.string().min(1)).default([]),
    fingerprints: z.array(z.string().regex(/^[0-9a-f]{12}$/, 'expected 12 lowercase hex characters')).default([]),
    regexes: z.array(z.string().min(1)).default([]),
    paths: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type Allowlist = z.infer<typeof AllowlistSchema>;

export const FillSchema = z
  .object({
    text: z
      .string()
      .length(1, 'expected exactly one ASCII character')
      .regex(/^[\x20-\x7e]$/, 'expected a printable ASCII character')
      .default('*'),
    binary: z.number().int().min(0).max(255).default(0),
  })
  .strict();
export type Fill = z.infer<typeof FillSchema>;

const REGION_KINDS = ['memory', 'stack', 'heap', 'image', 'mapped-file', 'registers', 'note', 'stream', 'string', 'structure', 'raw'] as const satisfies readonly RegionKind[];

export const RegionSelectionSchema = z
  .object({
    include: z.array(z.enum(REGION_KINDS)).default([]),
    exclude: z.array(z.enum(REGION_KINDS)).default([]),
  })
  .strict();
type RegionSelection = z.infer<typeof RegionSelectionSchema>;

/** Whether findings in a region of this kind are reported by `scan` (never narrows scrub or verify). */
export function regionSelected(kind: RegionKind, sel: RegionSelection): boolean {
  if (sel.exclude.includes(kind)) return false;
  return sel.include.length === 0 || sel.include.includes(kind);
}

const ScrubOptionsSchema = z.object({
  entropy: EntropySchema.default(DEFAULT_ENTROPY),
  allowlist: AllowlistSchema.default({ ruleIds: [], fingerprints: [], regexes: [], paths: [] }),
  fill: FillSchema.default({ text: '*', binary: 0 }),
  /** Bytes per chunk handed to detectors (plus an overlap sized to the longest possible hit). */
  chunkSize: z
    .number()
    .int()
    .min(4096)
    .default(16 * 1024 * 1024),
  /** Worker threads for scanning; 0 = one per core. */
  jobs: z.number().int().min(0).max(256).default(0),
  /** Move a copy that failed verification here (mode 0600) instead of deleting it. */
  quarantine: z.string().optional(),
  /** Self-hunt: hunt the private halves of public keys found in the dump itself. */
  selfHunt: z.boolean().default(true),
  /** Seconds the input must be unchanged (and not open for writing) before starting. */
  waitStable: z.number().min(0).default(0),
  inPlace: z.boolean().default(false),
  /** Region kinds `scan` reports (scrub and verify always cover everything). */
  regions: RegionSelectionSchema.default({ include: [], exclude: [] }),
});
export type ScrubOptionsInput = z.input<typeof ScrubOptionsSchema>;

export type ScrubOptions = z.infer<typeof ScrubOptionsSchema> & {
  /** Public keys from --known-key (parsed by the CLI). */
  knownKeys: KnownKey[];
  /** Literal secrets from --known-secret. */
  knownSecrets: Buffer[];
  /** SHA-256 digests of secrets (from `sha256:` lines of --known-secret). */
  knownSecretDigests: Buffer[];
  /** User rules from the config file, already validated against the rule schema. */
  extraRules: unknown[];
  /** Called with progress events; never writes stdout. */
  onProgress?: (phase: 'scan' | 'write' | 'verify', done: number, total: number) => void;
  /** Called with warnings as they happen (format doubts, skipped inputs). */
  onWarning?: (message: string) => void;
};

export function makeOptions(input: ScrubOptionsInput = {}, extra: Partial<ScrubOptions> = {}): ScrubOptions {
  return { ...ScrubOptionsSchema.parse(input), knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [], ...extra };
}

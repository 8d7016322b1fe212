// Library API: the same pipeline the CLI runs, for programmatic use.
import * as path from 'node:path';
import { makeOptions } from './options.js';
import type { ScrubOptions, ScrubOptionsInput } from './options.js';
import { scanFile, scrubFile, verifyCopyOf, verifyFile } from './scrub.js';
import type { FileResult } from './types.js';

export type { Finding, FileResult, Report, Span, Region, Hit, Detector, KnownKey, Verdict, Encoding } from './types.js';
export type { ScrubOptions, ScrubOptionsInput } from './options.js';
export { EXIT } from './types.js';
export { builtinDetectors } from './detectors/index.js';

export type ApiOptions = ScrubOptionsInput & Partial<Pick<ScrubOptions, 'knownKeys' | 'knownSecrets' | 'knownSecretDigests' | 'extraRules' | 'onProgress' | 'onWarning'>>;

function resolve(options: ApiOptions): ScrubOptions {
  const { knownKeys, knownSecrets, knownSecretDigests, extraRules, onProgress, onWarning, ...rest } = options;
  return makeOptions(rest, {
    knownKeys: knownKeys ?? [],
    knownSecrets: knownSecrets ?? [],
    knownSecretDigests: knownSecretDigests ?? [],
    extraRules: extraRules ?? [],
    onProgress,
    onWarning,
  });
}

/** Report the secrets in one file; writes nothing. `verdict` is 'clean' or 'secrets-found' (or an error). */
export function scan(file: string, options: ApiOptions = {}): Promise<FileResult> {
  return scanFile(file, resolve(options));
}

/**
 * Write a redacted, same-length copy of `file` to `output`, verify it from disk, and publish it only
 * if it is clean and the input did not change. `verdict` is 'redacted-verified' only then.
 */
export function scrub(file: string, output: string, options: ApiOptions = {}): Promise<FileResult> {
  return scrubFile(file, { path: output, tempDir: path.dirname(path.resolve(output)) }, resolve(options));
}

/** The independent verification pass: every detector, built-in allowlist only. */
export function verify(file: string, options: ApiOptions = {}): Promise<FileResult> {
  return verifyFile(file, resolve(options));
}

/** Verification of `copy` against its `original`: also every value found in the original, in every encoding and piece. */
export function verifyCopy(copy: string, original: string, options: ApiOptions = {}): Promise<FileResult> {
  return verifyCopyOf(copy, original, resolve(options));
}

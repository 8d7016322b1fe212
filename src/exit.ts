// Verdicts to exit codes: one mapping for the CLI, the gate and the audit trail.
import { EXIT } from './types.js';
import type { ExitCode, Verdict } from './types.js';

/** 0 clean or verified, 1 secrets (found or survived), 2 usage, 3 I/O or integrity. */
export function exitOf(verdict: Verdict): ExitCode {
  if (verdict === 'io-error') return EXIT.IO;
  if (verdict === 'usage-error') return EXIT.USAGE;
  if (verdict === 'secrets-found' || verdict === 'survived-verification') return EXIT.SECRETS;
  return EXIT.CLEAN;
}

/** The codes are ordered by severity, so the worst is the largest. */
export function worst(a: ExitCode, b: ExitCode): ExitCode {
  return Math.max(a, b) as ExitCode;
}

/** The exit code of a run: the worst over its files (0 for none). */
export function worstOf(results: readonly { verdict: Verdict }[]): ExitCode {
  return results.reduce<ExitCode>((code, r) => worst(code, exitOf(r.verdict)), EXIT.CLEAN);
}

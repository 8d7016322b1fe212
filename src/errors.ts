// The error kinds every layer throws, and the exit code each maps to (usage 2, I/O and integrity 3).

/** The command line or configuration is wrong (exit 2). */
export class UsageError extends Error {}

/** Reading or writing failed, or an integrity check did not hold (exit 3). */
export class IoError extends Error {}

/** The input's bytes or identity changed while we read it (exit 3); one wording everywhere. */
export class InputChangedError extends IoError {
  constructor(file: string, why: string) {
    super(`${file}: input changed during the run (${why})`);
  }
}

/** A destination that cannot take what the run would write; reported as `FAILED <path>: <reason>`. */
export class DestinationError extends IoError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** Turn an fs error into a one-line message that names the path but never any content. */
export function ioMessage(err: unknown, what: string): string {
  const e = err as NodeJS.ErrnoException;
  return `${what}: ${e.code ?? 'error'}${e.message && !e.code ? ` ${e.message}` : ''}`;
}

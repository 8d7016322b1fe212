// --wait-stable: do not start on a dump that is still being written (the incident's race).
import * as path from 'node:path';
import { IoError, UsageError } from './errors.js';
import { openForWriting } from './io/procfs.js';
import { realPath, sizeAndMtime } from './io/input.js';

export interface StableOptions {
  /** Give up (IoError, exit 3) when the file has not settled after this long. Default: 10 min + 10 × seconds. */
  maxWaitMs?: number;
  /** Poll interval; default a quarter of the window, between 50 ms and 1 s. */
  pollMs?: number;
  /** Told once per reason while waiting ("size or mtime changed", "open for writing"). */
  onWait?: (reason: string) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Resolves once `file` kept the same size, mtime and inode for `seconds` and (on Linux) no process
 * has it open for writing; throws IoError when that does not happen within the deadline.
 */
export async function waitStable(file: string, seconds: number, opts: StableOptions = {}): Promise<void> {
  if (!(seconds > 0)) return;
  const windowMs = seconds * 1000;
  const pollMs = opts.pollMs ?? Math.min(1000, Math.max(50, windowMs / 4));
  const deadline = Date.now() + (opts.maxWaitMs ?? 600_000 + 10 * windowMs);
  // /proc fd links name the real path, so compare against the real directory
  const dirReal = path.dirname(await realPath(file));
  const told = new Set<string>();
  const tell = (reason: string) => {
    if (!told.has(reason)) opts.onWait?.(reason);
    told.add(reason);
  };
  let last = await sizeAndMtime(file);
  let since = Date.now();
  for (;;) {
    const writers = await openForWriting(new Set([last.key]), dirReal);
    if (writers.size > 0) {
      tell('open for writing by another process');
      since = Date.now();
    } else if (Date.now() - since >= windowMs) {
      return;
    }
    if (Date.now() >= deadline) {
      throw new IoError(`${file}: not stable after ${Math.round((opts.maxWaitMs ?? 600_000 + 10 * windowMs) / 1000)} s (still growing, changing or open for writing)`);
    }
    await sleep(pollMs);
    const now = await sizeAndMtime(file);
    if (now.size !== last.size || now.mtimeMs !== last.mtimeMs || now.key !== last.key) {
      tell('size or mtime changed');
      since = Date.now();
      last = now;
    }
  }
}

/** `--wait-stable` value: seconds, fractions allowed, at most a day. */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(value) || Number(value) > 86_400) {
    throw new UsageError(`${flag}: expected seconds between 0 and 86400, got "${value.slice(0, 40)}"`);
  }
  return Number(value);
}

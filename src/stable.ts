// Stability, for --wait-stable and the gate: a file is touched only once it kept its identity for a
// window and (on Linux) no process has it open for writing. One rule, one poll period, one clock.
import * as path from 'node:path';
import { IoError, UsageError } from './errors.js';
import { realPath, sizeAndMtime } from './io/input.js';
import { openForWriting } from './io/procfs.js';

/** Time as the stability rule reads it; tests inject one they step by hand. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Milliseconds since the epoch, what file mtimes are compared with. */
  wall(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Poll period for a stability window: a quarter of it, within 100 ms…1 s. */
export function pollInterval(windowMs: number): number {
  return Math.min(1000, Math.max(100, Math.floor(windowMs / 4)));
}

/** What one poll saw of a file (`key` is `dev:ino`). */
export interface Sighting {
  key: string;
  size: number;
  mtimeMs: number;
}

export interface Observation extends Sighting {
  /** Monotonic time this exact identity was first seen (or last held open for writing). */
  since: number;
  polls: number;
}

/** The observation after one more poll: the same identity counts a poll, any change starts over. */
export function observe(prev: Observation | undefined, seen: Sighting, nowMono: number): Observation {
  if (prev && prev.key === seen.key && prev.size === seen.size && prev.mtimeMs === seen.mtimeMs) {
    prev.polls++;
    return prev;
  }
  return { key: seen.key, size: seen.size, mtimeMs: seen.mtimeMs, since: nowMono, polls: 1 };
}

/** Stable: same identity on at least two polls, and unchanged for the window (observed, or by an old mtime). */
export function isStable(o: Observation, nowMono: number, nowWall: number, stableMs: number): boolean {
  if (o.polls < 2) return stableMs === 0 && o.polls >= 1;
  return nowMono - o.since >= stableMs || nowWall - o.mtimeMs >= stableMs;
}

export interface StableOptions {
  /** Give up (IoError, exit 3) when the file has not settled after this long. Default: 10 min + 10 × the window. */
  maxWaitMs?: number;
  /** Poll period; default pollInterval(window). */
  pollMs?: number;
  /** Told once per reason while waiting ("size or mtime changed", "open for writing"). */
  onWait?: (reason: string) => void;
  clock?: Clock;
}

/**
 * Resolves once `file` is stable for `seconds` and (on Linux) no process has it open for writing;
 * throws IoError when that does not happen within the deadline.
 */
export async function waitStable(file: string, seconds: number, opts: StableOptions = {}): Promise<void> {
  if (!(seconds > 0)) return;
  const clock = opts.clock ?? realClock;
  const windowMs = seconds * 1000;
  const pollMs = opts.pollMs ?? pollInterval(windowMs);
  const limitMs = opts.maxWaitMs ?? 600_000 + 10 * windowMs;
  const deadline = clock.now() + limitMs;
  // /proc fd links name the real path, so compare against the real directory
  const dirReal = path.dirname(await realPath(file));
  const told = new Set<string>();
  const tell = (reason: string) => {
    if (!told.has(reason)) opts.onWait?.(reason);
    told.add(reason);
  };
  let o = observe(undefined, await sizeAndMtime(file), clock.now());
  for (;;) {
    if (isStable(o, clock.now(), clock.wall(), windowMs)) {
      if ((await openForWriting(new Set([o.key]), dirReal)).size === 0) return;
      tell('open for writing by another process');
      o.since = clock.now();
    }
    if (clock.now() >= deadline) {
      throw new IoError(`${file}: not stable after ${Math.round(limitMs / 1000)} s (still growing, changing or open for writing)`);
    }
    await clock.sleep(pollMs);
    o = observe(o, await sizeAndMtime(file), clock.now());
    if (o.polls === 1) tell('size or mtime changed');
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

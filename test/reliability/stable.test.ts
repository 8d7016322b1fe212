// --wait-stable: nothing starts on a file that is still growing or held open for writing. Time is a
// StepClock: each step is one poll, so windows and deadlines are counted in polls, never measured.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan } from '../../src/index.js';
import { waitStable, parseSeconds } from '../../src/stable.js';
import { tempDir, runCliHere } from '../lead/cli-harness.js';
import { canSeeOpenFiles } from '../../src/io/procfs.js';
import { StepClock } from '../support/step-clock.js';

/** Settles to true or false, never rejects: whether `p` resolved. */
function outcome(p: Promise<unknown>): { settled: () => boolean; ok: () => boolean; error: () => unknown } {
  let settled = false;
  let ok = false;
  let error: unknown;
  p.then(
    () => ((settled = true), (ok = true)),
    (e: unknown) => ((settled = true), (error = e)),
  );
  return { settled: () => settled, ok: () => ok, error: () => error };
}

describe('--wait-stable', () => {
  it('waits while the file grows, then while it is held open, and returns after the writer closed it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'growing.dmp');
    fs.writeFileSync(file, Buffer.alloc(4096));
    const fd = fs.openSync(file, 'a'); // this process is the writer: /proc lists it like any other
    const clock = new StepClock();
    const reasons: string[] = [];
    const waiting = waitStable(file, 0.4, { clock, pollMs: 100, onWait: (r) => reasons.push(r) });
    const w = outcome(waiting);
    for (let i = 0; i < 8; i++) {
      fs.writeSync(fd, Buffer.alloc(8192, 0x61)); // growing on every poll
      await clock.step(waiting);
    }
    expect(w.settled()).toBe(false);
    expect(reasons).toContain('size or mtime changed');
    for (let i = 0; i < 12; i++) await clock.step(waiting); // idle three windows, but still open
    if (canSeeOpenFiles()) {
      expect(w.settled()).toBe(false);
      expect(reasons).toContain('open for writing by another process');
    }
    fs.closeSync(fd);
    await clock.stepUntil(w.settled, 20, waiting);
    expect(w.ok()).toBe(true);
    const result = await scan(file);
    expect(result.verdict).toBe('clean');
    expect(result.size).toBe(4096 + 8 * 8192);
  });

  it('gives up with an io-error when the file never settles', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'busy.dmp');
    fs.writeFileSync(file, Buffer.alloc(10));
    const clock = new StepClock();
    const waiting = waitStable(file, 0.5, { clock, maxWaitMs: 700, pollMs: 50 });
    const w = outcome(waiting);
    // a change on every poll: 700 ms of polls is 14, the deadline comes before any window closes
    const polls = await clock.stepUntil(() => (fs.appendFileSync(file, 'x'), w.settled()), 40, waiting);
    expect(w.settled()).toBe(true);
    expect(String(w.error())).toMatch(/not stable/);
    expect(polls).toBeGreaterThanOrEqual(14);
  });

  it('returns after one window for a file that is already quiet, telling no reason', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'quiet.dmp');
    fs.writeFileSync(file, Buffer.alloc(10));
    const clock = new StepClock();
    const reasons: string[] = [];
    const waiting = waitStable(file, 0.2, { clock, pollMs: 100, maxWaitMs: 60_000, onWait: (r) => reasons.push(r) });
    const w = outcome(waiting);
    const polls = await clock.stepUntil(w.settled, 600, waiting);
    expect(w.ok()).toBe(true);
    expect(polls).toBe(2); // the window, not the deadline
    expect(reasons).toEqual([]);
  });

  it('an mtime older than the window counts as quiet time: two polls, not a whole window', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.dmp');
    fs.writeFileSync(file, Buffer.alloc(10));
    const clock = new StepClock(Date.now() + 60_000);
    const waiting = waitStable(file, 30, { clock, pollMs: 100 });
    const w = outcome(waiting);
    expect(await clock.stepUntil(w.settled, 600, waiting)).toBe(1);
    expect(w.ok()).toBe(true);
  });

  it('CLI: a bad value is a usage error (exit 2); a good one works (exit 0)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.bin');
    fs.writeFileSync(file, Buffer.alloc(1000));
    expect((await runCliHere(['scan', file, '--wait-stable', 'soon'])).code).toBe(2);
    expect((await runCliHere(['scan', file, '--wait-stable', '-1'])).code).toBe(2);
    expect((await runCliHere(['scan', file, '--wait-stable', '0.2'])).code).toBe(0);
    expect(parseSeconds('1.5', '--wait-stable')).toBe(1.5);
  });
});

// A clock the test steps by hand: the code under test sleeps until step() moves time to its wake-up,
// so stability windows are counted in polls, never measured on the wall clock.
import type { Clock } from '../../src/stable.js';

export class StepClock implements Clock {
  private t = 0;
  private sleeper: { until: number; wake: () => void } | undefined;
  private onSleep: (() => void) | undefined;

  /** `wallBase`: what wall() reads at t = 0 (0 keeps every real file's mtime in the future: no old-mtime shortcut). */
  constructor(private readonly wallBase = 0) {}

  now(): number {
    return this.t;
  }

  wall(): number {
    return this.wallBase + this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        if (this.sleeper?.wake === wake) this.sleeper = undefined;
        resolve();
      };
      signal?.addEventListener('abort', wake, { once: true });
      this.sleeper = { until: this.t + ms, wake };
      this.onSleep?.();
      this.onSleep = undefined;
    });
  }

  /** Resolves once the code under test sleeps (or `until` settles: it finished instead). */
  asleep(until?: Promise<unknown>): Promise<void> {
    if (this.sleeper) return Promise.resolve();
    const parked = new Promise<void>((r) => (this.onSleep = r));
    return until
      ? Promise.race([
          parked,
          until.then(
            () => undefined,
            () => undefined,
          ),
        ])
      : parked;
  }

  /** One poll: time moves to the sleeper's wake-up, and the step ends when it sleeps again (or `until` settles). */
  async step(until?: Promise<unknown>): Promise<void> {
    await this.asleep(until);
    const s = this.sleeper;
    if (!s) return;
    this.sleeper = undefined;
    this.t = Math.max(this.t, s.until);
    s.wake();
    await this.asleep(until);
  }

  /** Steps until `done()` holds; returns how many steps that took (at most `max`). */
  async stepUntil(done: () => boolean, max: number, until?: Promise<unknown>): Promise<number> {
    let n = 0;
    while (!done() && n < max) {
      await this.step(until);
      n++;
    }
    return n;
  }
}

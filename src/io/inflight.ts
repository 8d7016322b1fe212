// Temp files and private directories this process made and has not yet published or removed.
import * as fs from 'node:fs';

const inflight = new Set<string>();

export function track(p: string): void {
  inflight.add(p);
}

export function untrack(p: string): void {
  inflight.delete(p);
}

/** Synchronous, for a signal handler about to exit: private dirs hold unredacted bytes. */
export function removeAllInflight(): void {
  for (const p of inflight) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: a later run removes what is left
    }
  }
}

// CLI process guard: an interrupt removes what is in flight and exits 3 with one FAILED line.
import * as fs from 'node:fs';
import { removeAllInflight } from './inflight.js';
import { removeStalePrivateDirsOnce } from './sweep.js';

/** The input the CLI is working on, for the line an interrupt prints ('-' between files). */
let inProgress = '-';

export function setInProgress(display: string): void {
  inProgress = display;
}

/**
 * For CLI runs: sweep private dirs that killed runs left (in the background), and on SIGINT, SIGTERM
 * or SIGHUP remove what is in flight (private dirs hold unredacted bytes), print one FAILED line and
 * exit 3, instead of dying with the leftovers in place.
 */
export function guardCliRun(): void {
  void removeStalePrivateDirsOnce();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      removeAllInflight();
      process.stderr.write(`dumpscrub: FAILED ${inProgress}: interrupted by ${sig}; not published\n`);
      process.exit(3);
    });
  }
}

/** True when this module is the script node was started with (also through an npm bin symlink). */
export function isEntryPoint(moduleUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(new URL(moduleUrl));
  } catch {
    return false;
  }
}

// Long-lived child processes a suite starts (targets to core); all are killed when a suite ends or the eval exits.
const live = new Set();

/** Registers a child so it is killed on every exit path. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function killAll() {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

// A one-line progress reporter for big inputs on an interactive stderr; silent everywhere else.
import { formatBytes, safeText } from './report.js';

export type Phase = 'scan' | 'write' | 'verify';

/** Inputs at or below this size finish too fast for a progress line to help. */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
/** At most 5 redraws per second. */
export const PROGRESS_INTERVAL_MS = 200;

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  enabled: boolean;
  total: number;
  label: string;
  /** Clock in milliseconds; tests inject one. */
  now?: () => number;
}

export interface Progress {
  phase(name: Phase): void;
  /** Adds bytes done in the current phase. */
  advance(bytes: number): void;
  /** Sets the bytes done in the current phase (for callbacks that report absolute positions). */
  set(done: number): void;
  /** Changes the byte total (a gzip input reports progress over its decompressed size). */
  resize(total: number): void;
  /** Restarts the rate clock at `done` bytes (a callback that first reports mid-phase). */
  rebase(done: number): void;
  /** Clears the line; safe to call twice. */
  done(): void;
}

/** Progress only on a TTY stderr, never with --quiet, and only for inputs over 64 MiB. */
export function shouldShowProgress(o: { isTTY: boolean | undefined; quiet: boolean; total: number; env?: Record<string, string | undefined> }): boolean {
  if (!o.isTTY || o.quiet) return false;
  // a dumb terminal cannot erase the line, so the updates would pile up
  if (o.env?.TERM === 'dumb') return false;
  return o.total > PROGRESS_MIN_BYTES;
}

const CLEAR = '\r\u001b[2K';

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const NOOP: Progress = { phase() {}, advance() {}, set() {}, resize() {}, rebase() {}, done() {} };

export function createProgress(opts: ProgressOptions): Progress {
  if (!opts.enabled) return NOOP;
  const now = opts.now ?? (() => performance.now());
  let total = Math.max(0, opts.total);
  const label = safeText(opts.label);
  let phase: Phase = 'scan';
  let done = 0;
  let phaseStart = now();
  let baseDone = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;

  const line = (t: number): string => {
    const elapsed = (t - phaseStart) / 1000;
    // too short a window gives absurd rates; show none until there is one
    const rate = elapsed >= 0.1 && done > baseDone ? (done - baseDone) / elapsed : 0;
    const pct = total > 0 ? Math.min(100, (done / total) * 100) : 100;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const text = `${label}  ${phase.padEnd(6)} ${pct.toFixed(0).padStart(3)}%  ${formatBytes(done)} / ${formatBytes(total)}  ${rate > 0 ? (rate / 1e6).toFixed(1) : '--'} MB/s  ETA ${clock(eta)}`;
    const width = opts.stream.columns && opts.stream.columns > 20 ? opts.stream.columns - 1 : 0;
    return width && text.length > width ? `…${text.slice(text.length - width + 1)}` : text;
  };

  const draw = (force: boolean): void => {
    if (finished) return;
    const t = now();
    if (!force && t - lastDraw < PROGRESS_INTERVAL_MS) return;
    lastDraw = t;
    drawn = true;
    opts.stream.write(`${CLEAR}${line(t)}`);
  };

  return {
    phase(name) {
      if (finished || name === phase) return;
      phase = name;
      done = 0;
      baseDone = 0;
      phaseStart = now();
      // no draw here: the next advance/set shows the new phase with its real position
    },
    advance(bytes) {
      done = Math.min(total, done + Math.max(0, bytes));
      draw(false);
    },
    set(value) {
      done = Math.min(total, Math.max(0, value));
      draw(false);
    },
    resize(value) {
      total = Math.max(0, value);
    },
    rebase(value) {
      done = Math.min(total, Math.max(0, value));
      baseDone = done;
      phaseStart = now();
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) opts.stream.write(CLEAR);
    },
  };
}

/** Adapts a Progress to ScrubOptions.onProgress (phase, absolute done, total). */
export function progressCallback(p: Progress): (phase: Phase, done: number, total: number) => void {
  let current: Phase | undefined;
  return (phase, done, total) => {
    p.resize(total);
    if (phase !== current) {
      current = phase;
      p.phase(phase);
      p.rebase(done);
    }
    p.set(done);
  };
}

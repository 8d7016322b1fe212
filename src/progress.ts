// A one-line progress reporter for big inputs on an interactive stderr; silent everywhere else.
import { formatBytes, safeText } from './report.js';

export type Phase = 'spool' | 'scan' | 'write' | 'verify';

/** The stages of one run, in order: one bar and one ETA cover them all. */
export const SCAN_STAGES: Phase[] = ['scan'];
export const SCRUB_STAGES: Phase[] = ['scan', 'write', 'verify'];

/** Inputs at or below this size finish too fast for a progress line to help. */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
/** At most 5 redraws per second. */
const PROGRESS_INTERVAL_MS = 200;

interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

interface ProgressOptions {
  stream: ProgressStream;
  enabled: boolean;
  /** Bytes each stage goes through; 0 while unknown (a pipe being spooled). */
  total: number;
  label: string;
  /** Defaults to SCAN_STAGES. */
  stages?: Phase[];
  /** Clock in milliseconds; tests inject one. */
  now?: () => number;
}

export interface Progress {
  /** Moves on to a later stage; an earlier one again (a second redaction round) leaves the bar where it is. */
  phase(name: Phase): void;
  /** Adds bytes done in the current stage. */
  advance(bytes: number): void;
  /** Sets the bytes done in the current stage (for callbacks that report absolute positions). */
  set(done: number): void;
  /** Changes the byte total of each stage (a gzip input is worked on at its decompressed size). */
  resize(total: number): void;
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

const NOOP: Progress = { phase() {}, advance() {}, set() {}, resize() {}, done() {} };

export function createProgress(opts: ProgressOptions): Progress {
  if (!opts.enabled) return NOOP;
  const now = opts.now ?? (() => performance.now());
  const stages = opts.stages?.length ? opts.stages : SCAN_STAGES;
  let total = Math.max(0, opts.total);
  const label = safeText(opts.label);
  let stage = 0;
  let done = 0;
  // a stage met again after a later one (a redaction round) does not move the bar back
  let behind = false;
  let furthest = 0;
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let finished = false;

  const line = (t: number): string => {
    const whole = total * stages.length;
    const position = Math.max(furthest, Math.min(whole, stage * total + done));
    furthest = position;
    const elapsed = (t - started) / 1000;
    // too short a window gives absurd rates; show none until there is one
    const rate = elapsed >= 0.1 && position > 0 ? position / elapsed : 0;
    const pct =
      total > 0
        ? `${Math.min(100, (position / whole) * 100)
            .toFixed(0)
            .padStart(3)}%`
        : '   ?';
    const eta = rate > 0 && total > 0 ? (whole - position) / rate : Number.NaN;
    const shown = total > 0 ? `${formatBytes(done)} / ${formatBytes(total)}` : formatBytes(done);
    const name = stages[stage] ?? 'scan';
    const text = `${label}  ${name.padEnd(6)} ${pct}  ${shown}  ${rate > 0 ? (rate / 1e6).toFixed(1) : '--'} MB/s  ETA ${clock(eta)}  step ${stage + 1}/${stages.length}`;
    const width = opts.stream.columns && opts.stream.columns > 20 ? opts.stream.columns - 1 : 0;
    return width && text.length > width ? `…${text.slice(text.length - width + 1)}` : text;
  };

  const draw = (force: boolean): void => {
    if (finished || behind) return;
    const t = now();
    if (!force && t - lastDraw < PROGRESS_INTERVAL_MS) return;
    lastDraw = t;
    drawn = true;
    opts.stream.write(`${CLEAR}${line(t)}`);
  };

  const clampToStage = (value: number): number => Math.max(0, total > 0 ? Math.min(total, value) : value);

  return {
    phase(name) {
      if (finished) return;
      const i = stages.indexOf(name);
      if (i < 0) return;
      behind = i < stage;
      if (behind || i === stage) return;
      stage = i;
      done = 0;
      // no draw here: the next advance/set shows the new stage with its real position
    },
    advance(bytes) {
      if (behind) return;
      done = clampToStage(done + Math.max(0, bytes));
      draw(false);
    },
    set(value) {
      if (behind) return;
      done = clampToStage(value);
      draw(false);
    },
    resize(value) {
      total = Math.max(0, value);
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
  return (phase, done, total) => {
    p.resize(total);
    p.phase(phase);
    p.set(done);
  };
}

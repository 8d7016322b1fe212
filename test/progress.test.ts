import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress, progressCallback, PROGRESS_MIN_BYTES, SCRUB_STAGES, shouldShowProgress } from '../src/progress.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const ESC = '\u001b';

function fakeStream(columns = 200) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, write: (s: string) => (writes.push(s), true) } };
}

describe('createProgress', () => {
  it('writes nothing when disabled', () => {
    const { writes, stream } = fakeStream();
    const p = createProgress({ stream, enabled: false, total: 1 << 30, label: 'x' });
    p.phase('scan');
    p.advance(1 << 29);
    p.done();
    expect(writes).toEqual([]);
  });

  it('one bar for the whole run: scan, write and verify are stages of one percent and one ETA', () => {
    const { writes, stream } = fakeStream();
    let t = 0;
    const total = 100 * 1024 * 1024;
    const p = createProgress({ stream, enabled: true, total, label: 'core.123', stages: SCRUB_STAGES, now: () => t });
    t = 1000;
    p.advance(total / 4);
    const line = writes.at(-1)!;
    expect(line.startsWith(`\r${ESC}[2K`)).toBe(true);
    expect(line).toContain('core.123');
    expect(line).toContain('scan');
    expect(line).toContain('  8%'); // 25 MiB of 3 x 100 MiB
    expect(line).toContain('25 MiB / 100 MiB');
    expect(line).toContain('26.2 MB/s');
    expect(line).toContain('ETA 0:11'); // the whole run left, not the scan alone
    expect(line).toContain('step 1/3');
    t = 2000;
    p.phase('write');
    p.set(total / 2);
    expect(writes.at(-1)).toContain('write');
    expect(writes.at(-1)).toContain(' 50%');
    expect(writes.at(-1)).toContain('ETA 0:02');
    expect(writes.at(-1)).toContain('step 2/3');
    // a second redaction round scans again: the bar neither moves back nor redraws
    const n = writes.length;
    t = 3000;
    p.phase('scan');
    p.set(1);
    expect(writes.length).toBe(n);
    t = 4000;
    p.phase('verify');
    p.set(0);
    expect(writes.at(-1)).toContain('verify');
    expect(writes.at(-1)).toContain(' 67%');
    expect(writes.at(-1)).toContain('step 3/3');
    p.done();
    expect(writes.at(-1)).toBe(`\r${ESC}[2K`);
    const m = writes.length;
    p.advance(1);
    p.done();
    expect(writes.length).toBe(m);
  });

  it('a spooled stdin is the first stage, its size unknown until the spool ends', () => {
    const { writes, stream } = fakeStream();
    let t = 0;
    const mib = 1024 * 1024;
    const p = createProgress({ stream, enabled: true, total: 0, label: '-', stages: ['spool', 'scan'], now: () => t });
    t = 1000;
    p.set(100 * mib);
    expect(writes.at(-1)).toContain('spool');
    expect(writes.at(-1)).toContain('100 MiB');
    expect(writes.at(-1)).toContain('ETA --:--');
    expect(writes.at(-1)).toContain('step 1/2');
    p.resize(100 * mib);
    p.phase('scan');
    t = 2000;
    p.set(50 * mib);
    expect(writes.at(-1)).toContain(' 75%');
    expect(writes.at(-1)).toContain('50 MiB / 100 MiB');
    expect(writes.at(-1)).toContain('ETA 0:01');
    expect(writes.at(-1)).toContain('step 2/2');
    p.done();
  });

  it('redraws at most 5 times a second', () => {
    const { writes, stream } = fakeStream();
    let t = 0;
    const p = createProgress({ stream, enabled: true, total: 1e9, label: 'f', now: () => t });
    for (let i = 0; i < 300; i++) {
      t = i * 10; // 3 s of updates every 10 ms
      p.advance(1e6);
    }
    expect(writes.length).toBeGreaterThanOrEqual(14);
    expect(writes.length).toBeLessThanOrEqual(16);
  });

  it('fits the terminal width and neutralises control characters in the label', () => {
    const { writes, stream } = fakeStream(40);
    const p = createProgress({ stream, enabled: true, total: 1e9, label: `evil${ESC}]0;x\u0007${'n'.repeat(80)}`, now: () => 0 });
    p.advance(1);
    const visible = writes[0].slice(`\r${ESC}[2K`.length);
    expect(visible.length).toBeLessThanOrEqual(39);
    expect(visible.includes(ESC)).toBe(false);
  });

  it('adapts absolute (phase, done, total) callbacks', () => {
    const { writes, stream } = fakeStream();
    let t = 0;
    const cb = progressCallback(createProgress({ stream, enabled: true, total: 1000, label: 'f', stages: SCRUB_STAGES, now: () => t }));
    cb('scan', 500, 1000);
    expect(writes.at(-1)).toContain(' 17%');
    t = 500;
    cb('write', 250, 1000);
    expect(writes.at(-1)).toContain('write');
    expect(writes.at(-1)).toContain(' 42%');
    t = 1000;
    cb('verify', 1000, 4000); // totals from the callback win (gzip: decompressed size)
    expect(writes.at(-1)).toContain(' 75%');
  });
});

describe('shouldShowProgress', () => {
  it('needs a TTY, no --quiet, a big input and a terminal that can erase lines', () => {
    const big = PROGRESS_MIN_BYTES + 1;
    expect(shouldShowProgress({ isTTY: true, quiet: false, total: big })).toBe(true);
    expect(shouldShowProgress({ isTTY: false, quiet: false, total: big })).toBe(false);
    expect(shouldShowProgress({ isTTY: undefined, quiet: false, total: big })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, quiet: true, total: big })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, quiet: false, total: PROGRESS_MIN_BYTES })).toBe(false);
    expect(shouldShowProgress({ isTTY: true, quiet: false, total: big, env: { TERM: 'dumb' } })).toBe(false);
  });
});

function hasScript(): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe.skipIf(!hasScript())('the CLI under a pseudo-terminal (script)', () => {
  let dir: string;
  let big: string;
  let small: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-progress-'));
    big = path.join(dir, 'big.raw');
    // sparse zeros just over the 64 MiB threshold: cheap to make, as cheap as possible to scan
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, PROGRESS_MIN_BYTES + 1024 * 1024);
    small = path.join(dir, 'small.raw');
    fs.writeFileSync(small, Buffer.alloc(1024 * 1024));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs `cmd` in a pty; returns the terminal transcript. */
  function inPty(cmd: string): { code: number | null; transcript: string } {
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, TERM: 'xterm', NO_COLOR: '1', FORCE_COLOR: undefined },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, transcript: r.stdout };
  }

  const node = quote(process.execPath);
  const cli = quote(CLI);

  it('shows progress on stderr for a big input and clears it; stdout stays clean', () => {
    const out = path.join(dir, 'report.txt');
    const { code, transcript } = inPty(`${node} ${cli} scan ${quote(big)} > ${quote(out)}`);
    expect(code).toBe(0);
    expect(transcript).toMatch(/big\.raw\s+scan\s+\d+%.*MB\/s\s+ETA/);
    expect(transcript.endsWith(`\r${ESC}[2K`) || transcript.includes(`\r${ESC}[2K`)).toBe(true);
    const report = fs.readFileSync(out, 'utf8');
    expect(report).toContain('clean');
    expect(report.includes('MB/s')).toBe(false);
    expect(report.includes(ESC)).toBe(false);
  });

  it('shows progress while scrubbing too, and clears it before the report', () => {
    // which phases get a redraw depends on speed (at most 5 redraws a second); the unit tests cover phase names
    const clean = path.join(dir, 'big.clean');
    const { code, transcript } = inPty(`${node} ${cli} scrub ${quote(big)} -o ${quote(clean)}`);
    fs.rmSync(clean, { force: true });
    expect(code).toBe(0);
    expect(transcript).toMatch(/big\.raw\s+(scan|write|verify)\s+\d+%/);
    const lastProgress = transcript.lastIndexOf('MB/s');
    const report = transcript.indexOf('redacted copy verified clean');
    expect(report).toBeGreaterThan(lastProgress);
    expect(transcript.slice(lastProgress, report)).toContain(`\r${ESC}[2K`);
  });

  it('a big pipe on stdin: the bar starts while it is spooled and goes on with the same steps', () => {
    const { code, transcript } = inPty(`cat ${quote(big)} | ${node} ${cli} scan -`);
    expect(code).toBe(0);
    expect(transcript).toMatch(/-\s+spool\s+\?\s+\d+(\.\d+)? MiB.*step 1\/2/);
    // one bar: every line counts the same steps
    const steps = [...transcript.matchAll(/step \d+\/(\d+)/g)].map((m) => m[1]);
    expect(new Set(steps)).toEqual(new Set(['2']));
  });

  it('stays silent with --quiet, for small inputs, and on a pipe', () => {
    expect(inPty(`${node} ${cli} scan --quiet ${quote(big)}`).transcript.includes('MB/s')).toBe(false);
    expect(inPty(`${node} ${cli} scan ${quote(small)}`).transcript.includes('MB/s')).toBe(false);
    // stderr redirected to a pipe inside the pty: not a TTY, so no progress
    const piped = inPty(`${node} ${cli} scan ${quote(big)} 2>&1 | cat`);
    expect(piped.code).toBe(0);
    expect(piped.transcript.includes('MB/s')).toBe(false);
  });
});

// Runs the built CLI on a file and measures what it changed: the byte diff of the published copy, or,
// when nothing was published (exit ≠ 0), the union of the reported finding spans.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { track } from './children.mjs';

/** Runs `node cli args…` (asynchronously, so a signal still cleans up); never throws on a non-zero exit. */
export function runCli(cli, args, { timeoutMs = 900_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`dumpscrub ${args[0]} failed to run: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? `signal ${signal}` : -1), stdout, stderr });
    });
  });
}

/** Half-open runs [start, end) where a and b differ (same length). */
export function diffSpans(a, b) {
  if (a.length !== b.length) throw new Error(`scrubbed copy has length ${b.length}, input ${a.length}`);
  const spans = [];
  const BLK = 4096;
  let open = -1;
  for (let blk = 0; blk < a.length; blk += BLK) {
    const end = Math.min(a.length, blk + BLK);
    if (open < 0 && a.compare(b, blk, end, blk, end) === 0) continue;
    for (let i = blk; i < end; i++) {
      const d = a[i] !== b[i];
      if (d && open < 0) open = i;
      else if (!d && open >= 0) {
        spans.push([open, i]);
        open = -1;
      }
    }
  }
  if (open >= 0) spans.push([open, a.length]);
  return spans;
}

/** Sorted, merged union of half-open spans. */
export function mergeSpans(spans) {
  const s = [...spans].sort((x, y) => x[0] - y[0]);
  const out = [];
  for (const [a, b] of s) {
    if (out.length && a <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], b);
    else out.push([a, b]);
  }
  return out;
}

/** A query over merged spans: how many bytes of [start, end) they cover. */
export function coverage(spans) {
  const starts = spans.map((s) => s[0]);
  return (start, end) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid][1] <= start) lo = mid + 1;
      else hi = mid;
    }
    let n = 0;
    for (let i = lo; i < spans.length && spans[i][0] < end; i++) n += Math.min(end, spans[i][1]) - Math.max(start, spans[i][0]);
    return n;
  };
}

/**
 * `dumpscrub scrub input -o output --format json`: exit code, findings, survivors and the changed spans.
 * `published` says whether the spans are a real byte diff (true) or the reported findings (false).
 * `inspect(input, output | null, spans)` sees both buffers before the copy is deleted.
 */
export async function scrubMeasure(cli, input, output, reportFile, extra = [], { inspect } = {}) {
  rmSync(output, { force: true });
  const r = await runCli(cli, ['scrub', input, '-o', output, '--format', 'json', '--report', reportFile, '--quiet', ...extra]);
  let report;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    throw new Error(`scrub exit ${r.code} wrote no readable report: ${r.stderr.split('\n')[0].slice(0, 200)}`);
  }
  const file = report.files[0] ?? {};
  const findings = file.findings ?? [];
  const survivors = file.survivors ?? [];
  const size = file.size ?? readFileSync(input).length;
  let spans;
  const published = r.code === 0 && existsSync(output);
  if (published) {
    const a = readFileSync(input);
    const b = readFileSync(output);
    spans = diffSpans(a, b);
    inspect?.(a, b);
  } else {
    spans = mergeSpans(findings.map((f) => [f.start, f.end]));
    inspect?.(readFileSync(input), null, spans);
  }
  rmSync(output, { force: true });
  const changed = spans.reduce((n, [a, b]) => n + b - a, 0);
  return { code: r.code, verdict: file.verdict, error: file.error, size, findings, survivors, spans, changed, published };
}

/** Counts per rule id, most frequent first: what a report may show instead of values. */
export function byRule(findings, top = 8) {
  const m = new Map();
  for (const f of findings) m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');
}

// Start-up of the installed command against `node -e 0`, both measured in the same run: --version,
// --help and a scan of a 4 KiB file. Uses hyperfine when installed, else a timing loop of its own.
// Usage: node bench/startup.mjs [--bin dist/bin.js] [--runs 20] [--no-hyperfine] [--tmp DIR];
// prints a table, then one JSON line (the last line).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { which } from './measure.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Per-run means in ms: wall, and CPU (user + system) where the tool reports it. */
function viaHyperfine(cases, runs) {
  const out = path.join(os.tmpdir(), `dumpscrub-startup-${process.pid}.json`);
  const quote = (a) => (/^[\w./=-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const args = ['-N', '--warmup', '3', '--runs', String(runs), '--style', 'none', '--export-json', out, ...cases.map((c) => c.argv.map(quote).join(' '))];
  const r = spawnSync('hyperfine', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`hyperfine exit ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`);
  const { results } = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  return results.map((x) => ({ wallMs: x.mean * 1000, cpuMs: (x.user + x.system) * 1000 }));
}

/** bash's `times` prints the CPU time its children used (second line: user, system), summed over the loop. */
function viaLoop(cases, runs) {
  const seconds = (s) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(s);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const loop = (argv, n) => {
    const script = `for i in $(seq ${n}); do "$@" >/dev/null 2>&1; done; times`;
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', script, 'bash', ...argv], { encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const [user, sys] = (r.stdout.trim().split('\n')[1] ?? '').split(/\s+/).map(seconds);
    return { wallMs: wall / n, cpuMs: ((user + sys) * 1000) / n };
  };
  return cases.map((c) => {
    loop(c.argv, 3);
    return loop(c.argv, runs);
  });
}

/** A seeded 4 KiB of memory-like bytes: words, pointers and random bytes. */
function smallInput(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'startup-4k.bin');
  const buf = Buffer.alloc(4096);
  let s = 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  buf.write('connection closed by peer; retrying request to the worker pool\n', 0, 'latin1');
  for (let i = 1024; i < 2048; i += 8) buf.writeBigUInt64LE(0x7f0000000000n + BigInt(next() & 0xffff0), i);
  for (let i = 2048; i < 4096; i++) buf[i] = next() & 0xff;
  fs.writeFileSync(file, buf);
  return file;
}

/** Measures every case against `node -e 0` in one run; returns rows with ratios and the targets. */
export function measureStartup({ bin = path.join(ROOT, 'dist', 'bin.js'), runs = 20, hyperfine = true, tmp = path.join(os.tmpdir(), 'dumpscrub-bench') } = {}) {
  const input = smallInput(tmp);
  const node = process.execPath;
  const cases = [
    { name: 'node -e 0', argv: [node, '-e', '0'] },
    { name: 'dumpscrub --version', argv: [node, bin, '--version'], target: 2 },
    { name: 'dumpscrub --help', argv: [node, bin, '--help'] },
    { name: 'dumpscrub scan (4 KiB file)', argv: [node, bin, 'scan', input], target: 3 },
  ];
  let tool = 'loop';
  let times;
  let fallback;
  if (hyperfine && which('hyperfine')) {
    try {
      times = viaHyperfine(cases, runs);
      tool = 'hyperfine';
    } catch (err) {
      fallback = err.message;
    }
  }
  times ??= viaLoop(cases, runs);
  const base = times[0];
  const rows = cases.map((c, i) => ({ name: c.name, ...times[i], wallRatio: times[i].wallMs / base.wallMs, cpuRatio: times[i].cpuMs / base.cpuMs, target: c.target }));
  return { tool, fallback, runs, bin, loadAvg: os.loadavg(), rows };
}

export function printStartup(s, log = console.log) {
  log(`start-up against node -e 0, same run (${s.tool}${s.fallback ? `; hyperfine failed: ${s.fallback}` : ''}, ${s.runs} runs each, load average ${s.loadAvg.map((x) => x.toFixed(1)).join(' ')}):`);
  for (const r of s.rows) {
    log(`  ${r.name.padEnd(30)} wall ${r.wallMs.toFixed(0).padStart(5)} ms ${r.wallRatio.toFixed(2).padStart(5)}x   cpu ${r.cpuMs.toFixed(0).padStart(5)} ms ${r.cpuRatio.toFixed(2).padStart(5)}x`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const s = measureStartup({
    bin: opt('--bin') ? path.resolve(opt('--bin')) : undefined,
    runs: opt('--runs') ? Number(opt('--runs')) : undefined,
    hyperfine: !args.includes('--no-hyperfine'),
    tmp: opt('--tmp'),
  });
  printStartup(s);
  for (const r of s.rows.filter((x) => x.target)) console.log(`  ${r.cpuRatio <= r.target ? 'PASS' : 'MISS'}  ${r.name} <= ${r.target}x node -e 0 (CPU): ${r.cpuRatio.toFixed(2)}`);
  console.log(JSON.stringify(s));
}

// `npm run bench`: dumpscrub against the tools people would use instead, on the same file in the
// same run. Usage:
//   node bench/bench.mjs [file] [--size 1G] [--sizes 256M,1G,4G] [--seed 1] [--jobs-list 1,2,4,8,16]
//                        [--no-peers] [--no-install] [--no-scrub] [--no-rules] [--timeout 1800]
//                        [--cli path/to/dist/cli.js] (e.g. a snapshot of dist/ while others rebuild it)
//                        [--gcore] (a real core of a TLS-using Node process) [--no-cliff] [--no-shares]
//                        [--no-startup] (start-up against node -e 0; bench/startup.mjs alone measures only that)
// Prints MB/s, ratios dumpscrub/peer and peak RSS; writes the same as JSON to bench/results/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateImage, generateNoise, parseSize, publicMaterial, GENERATOR_VERSION } from './gen-image.mjs';
import { tlsCore } from './gcore-tls.mjs';
import { measure, which } from './measure.mjs';
import { measureStartup, printStartup } from './startup.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let CLI = path.join(ROOT, 'dist', 'cli.js');
const PEERS = path.join(ROOT, 'bench', 'peers');
const MiB = 1024 * 1024;

function parseArgs(argv) {
  const o = {
    size: '1G',
    sizes: undefined,
    seed: 1,
    jobsList: undefined,
    peers: true,
    install: true,
    scrub: true,
    rules: true,
    cliff: true,
    shares: true,
    startup: true,
    gcore: false,
    timeout: 1800,
    file: undefined,
    tmp: path.join(os.tmpdir(), 'dumpscrub-bench'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--size') o.size = next();
    else if (a === '--sizes') o.sizes = (argv[i + 1] && !argv[i + 1].startsWith('--') ? next() : '256M,1G,4G').split(',');
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--jobs-list') o.jobsList = next().split(',').map(Number);
    else if (a === '--no-peers') o.peers = false;
    else if (a === '--no-install') o.install = false;
    else if (a === '--no-scrub') o.scrub = false;
    else if (a === '--no-rules') o.rules = false;
    else if (a === '--no-cliff') o.cliff = false;
    else if (a === '--no-shares') o.shares = false;
    else if (a === '--no-startup') o.startup = false;
    else if (a === '--gcore') o.gcore = true;
    else if (a === '--timeout') o.timeout = Number(next());
    else if (a === '--tmp') o.tmp = next();
    else if (a === '--cli') o.cli = path.resolve(next());
    else if (a === '-h' || a === '--help') {
      console.log(
        fs
          .readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(0, 5)
          .join('\n'),
      );
      process.exit(0);
    } else if (!a.startsWith('--')) o.file = a;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function machine() {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' });
  const model = /Model name:\s*(.+)/.exec(lscpu.stdout ?? '')?.[1]?.trim() ?? os.cpus()[0]?.model;
  return { cpus: os.availableParallelism(), model, memGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.type()} ${os.release()}` };
}

function ensureBuilt() {
  if (fs.existsSync(CLI) && fs.existsSync(path.join(ROOT, 'dist', 'workers', 'scan-worker.js'))) return;
  console.log('building dist/ (npm run build)');
  spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run npm ci && npm run build');
}

/** The generated image for (size, seed), cached in the temp dir between runs. */
function imageFor(size, o) {
  fs.mkdirSync(o.tmp, { recursive: true });
  const file = path.join(o.tmp, `image-${size}-s${o.seed}-g${GENERATOR_VERSION}.bin`);
  const manifest = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(manifest) && fs.statSync(file).size === size) return file;
  process.stdout.write(`generating ${fmtSize(size)} memory-like image (seed ${o.seed}) ... `);
  const t0 = Date.now();
  const m = generateImage(file, size, o.seed);
  fs.writeFileSync(manifest, JSON.stringify(m, null, 2));
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

/** Read the file once so every tool starts from the page cache. */
function warm(file) {
  const fd = fs.openSync(file, 'r');
  const b = Buffer.allocUnsafe(16 * MiB);
  for (let off = 0; fs.readSync(fd, b, 0, b.length, off) > 0; off += b.length);
  fs.closeSync(fd);
}

function fmtSize(n) {
  return n >= 1024 ** 3 ? `${+(n / 1024 ** 3).toFixed(2)} GiB` : `${+(n / MiB).toFixed(1)} MiB`;
}

const APT = { yara: 'yara', rg: 'ripgrep', aeskeyfind: 'aeskeyfind', rsakeyfind: 'rsakeyfind' };

function installPeers(o) {
  const missing = Object.keys(APT).filter((c) => !which(c));
  if (!missing.length || !o.install) return;
  if (process.env.CI === 'true' || process.getuid?.() !== 0 || !which('apt-get')) {
    console.log(`peers missing (${missing.join(', ')}): not installing (needs root and apt-get, not CI)`);
    return;
  }
  console.log(`installing peers with apt-get: ${missing.map((c) => APT[c]).join(' ')}`);
  spawnSync('apt-get', ['install', '-y', ...missing.map((c) => APT[c])], { stdio: 'ignore', timeout: 300_000 });
}

/** dumpscrub's JSON report → number of findings (reports hold fingerprints, never values). */
function findingsOf(r) {
  try {
    const rep = JSON.parse(r.stdout);
    return rep.files.reduce((n, f) => n + f.findings.length, 0);
  } catch {
    return undefined;
  }
}

function cliArgs(cmd, file, jobs, out) {
  const a = [CLI, cmd, file, '--jobs', String(jobs), '-f', 'json'];
  if (cmd === 'scrub') a.push('-o', out);
  return a;
}

async function runDumpscrub(cmd, file, jobs, o, threads = false) {
  const out = path.join(o.tmp, `scrubbed-${process.pid}.bin`);
  const r = await measure(process.execPath, cliArgs(cmd, file, jobs, out), { timeoutS: o.timeout, keepStdout: true, threads });
  fs.rmSync(out, { force: true });
  // scan exits 1 when it finds the planted secrets; scrub exits 0 once the copy verified clean, and 1
  // when a finding survived verification (it still did all the work: timed, but flagged)
  // a crash exits 1 too: it has no report
  const ok = r.code === 0 || (r.code === 1 && findingsOf(r) !== undefined);
  const res = { tool: `dumpscrub ${cmd} --jobs ${jobs}`, ok, code: r.code, seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssMiB: r.peakRssMiB, found: findingsOf(r), threadCpu: r.threadCpu };
  if (!ok) res.error = (r.stderrTail || '').slice(-400);
  if (cmd === 'scrub' && r.code === 1) res.warning = 'a finding survived verification: nothing published (exit 1)';
  return res;
}

/** Peers print what they find: only exit codes and line counts are kept. */
async function runPeer(name, file, o) {
  const bin = which(name === 'secretlint' ? 'secretlint' : name);
  if (!bin) return { tool: name, skipped: 'not installed' };
  const argsOf = {
    yara: ['-c', path.join(PEERS, 'credentials.yar'), file],
    rg: ['-a', '-c', '-f', path.join(PEERS, 'patterns.txt'), file],
    aeskeyfind: [file],
    rsakeyfind: [file],
    secretlint: ['--format', 'json', file],
  };
  const r = await measure(bin, argsOf[name], { timeoutS: o.timeout, keepStdout: name !== 'aeskeyfind' && name !== 'rsakeyfind' });
  const ok = r.code === 0 || (name === 'rg' && r.code === 1) || (name === 'secretlint' && r.code === 1);
  let found = r.stdoutLines;
  if (name === 'rg' || name === 'yara') found = Number((r.stdout ?? '').trim()) || 0;
  if (name === 'yara') found = `${found} rule(s) matched`;
  if (name === 'rg') found = `${found} line(s)`;
  if (name === 'aeskeyfind') found = `${r.stdoutLines} key line(s)`;
  if (name === 'rsakeyfind') found = `${r.stdoutLines} output line(s)`;
  return { tool: name, ok, code: r.code, seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssMiB: r.peakRssMiB, found };
}

/**
 * What the scan runs would take on `cores` free cores, from CPU per thread (wall time on a shared
 * machine depends on the neighbours): at least the busiest scan thread, and at least all CPU spread
 * over the cores. The scan threads are the main thread with --jobs 1, else the N busiest threads
 * besides it; the rest is V8 (compile, GC) and I/O. Prints one line per run.
 */
function threadScaling(runs, cores = os.availableParallelism()) {
  if (!runs.length) return [];
  console.log(`\nCPU by thread (scan, s; the speed-up is what ${cores} free cores would give, from these figures):`);
  const rows = runs.map((r) => {
    const jobs = Number(/--jobs (\d+)/.exec(r.tool)[1]);
    const t = r.threadCpu;
    const workers = jobs > 1 ? t.others.slice(0, jobs) : [];
    const rest = (jobs > 1 ? t.others.slice(jobs) : t.others).reduce((a, b) => a + b, 0);
    const total = t.main + workers.reduce((a, b) => a + b, 0) + rest;
    const busiest = Math.max(jobs > 1 ? 0 : t.main, ...workers);
    const ideal = Math.max(busiest, total / cores);
    return { jobs, main: t.main, workers, rest, total, ideal };
  });
  const one = rows.find((x) => x.jobs === 1);
  for (const x of rows) {
    x.speedup = one ? one.ideal / x.ideal : undefined;
    const w = x.workers.length ? `, workers ${x.workers.map((v) => v.toFixed(2)).join(' + ')}` : '';
    console.log(
      `  jobs ${String(x.jobs).padStart(3)}: main ${x.main.toFixed(2)}${w}, other threads ${x.rest.toFixed(2)}, total ${x.total.toFixed(2)}${x.speedup ? `; speed-up ${x.speedup.toFixed(2)}x` : ''}`,
    );
  }
  return rows;
}

function mbps(size, r) {
  return r && r.ok && r.seconds ? size / 1e6 / r.seconds : undefined;
}

function row(size, r) {
  if (r.skipped) return `  ${r.tool.padEnd(30)} skipped: ${r.skipped}`;
  const rate = mbps(size, r);
  const status = r.warning ? `  ${r.warning}` : r.ok ? '' : `  FAILED (exit ${r.code})${r.error ? `: ${r.error.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
  const cpu = r.cpuSeconds === undefined ? '' : ` (cpu ${r.cpuSeconds.toFixed(1)} s)`;
  return `  ${r.tool.padEnd(30)} ${r.seconds.toFixed(2).padStart(8)} s${cpu.padEnd(15)} ${rate ? rate.toFixed(1).padStart(9) : '        -'} MB/s ${String(r.peakRssMiB).padStart(8)} MiB peak   found: ${r.found ?? '-'}${status}`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.cli) CLI = o.cli;
  else ensureBuilt();
  const m = machine();
  const all = m.cpus;
  console.log(
    `machine: ${m.cpus} CPUs, ${m.model}, ${m.memGiB} GiB RAM, node ${m.node}, ${m.platform}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (o.peers) installPeers(o);
  let startup;
  if (o.startup) {
    // the installed command (bin.js beside the CLI): in shell loops over many small dumps, start-up dominates
    startup = measureStartup({ bin: path.join(path.dirname(CLI), 'bin.js'), tmp: o.tmp });
    console.log('');
    printStartup(startup);
  }

  if (o.gcore) {
    const core = await tlsCore(o.tmp);
    if (!core.file) throw new Error(`--gcore: ${core.skipped}`);
    o.file = core.file;
  }
  const size = o.file ? fs.statSync(o.file).size : parseSize(o.size);
  const file = o.file ?? imageFor(size, o);
  warm(file);
  console.log(`\ninput: ${file} (${fmtSize(size)})`);
  const results = [];
  const record = (r) => (results.push(r), console.log(row(size, r)));
  const jobsList = o.jobsList ?? [...new Set([1, all])];
  for (const j of jobsList) record(await runDumpscrub('scan', file, j, o, true));
  if (o.scrub) for (const j of [...new Set([1, all])]) record(await runDumpscrub('scrub', file, j, o));
  if (o.peers) for (const p of ['yara', 'rg', 'aeskeyfind', 'rsakeyfind', 'secretlint']) record(await runPeer(p, file, o));

  const get = (t) => results.find((r) => r.tool === t);
  const scan1 = get('dumpscrub scan --jobs 1');
  const scanN = get(`dumpscrub scan --jobs ${all}`);
  const ratios = {};
  console.log('\nratios (same file, same run):');
  for (const p of ['yara', 'rg', 'aeskeyfind', 'rsakeyfind', 'secretlint']) {
    const pr = mbps(size, get(p));
    if (!pr) continue;
    for (const [label, s] of [
      ['jobs 1', scan1],
      [`jobs ${all}`, scanN],
    ]) {
      const d = mbps(size, s);
      if (!d) continue;
      ratios[`scan(${label})/${p}`] = d / pr;
      console.log(`  dumpscrub scan (${label}) / ${p}: ${(d / pr).toFixed(2)}x throughput`);
    }
    // on a busy machine wall time depends on the neighbours; CPU time per byte does much less
    const pc = get(p)?.cpuSeconds;
    if (scan1?.ok && scan1.cpuSeconds && pc) {
      ratios[`cpu:scan(jobs 1)/${p}`] = pc / scan1.cpuSeconds;
      console.log(`  dumpscrub scan (jobs 1) / ${p}: ${(pc / scan1.cpuSeconds).toFixed(2)}x by CPU time per byte`);
    }
  }
  const byThread = threadScaling(jobsList.map((j) => get(`dumpscrub scan --jobs ${j}`)).filter((r) => r?.ok && r.threadCpu));
  const targets = [];
  const target = (name, value, ok) => {
    if (value === undefined || Number.isNaN(value)) return;
    targets.push({ name, value, pass: ok });
    console.log(`  ${ok ? 'PASS' : 'MISS'}  ${name}: ${typeof value === 'number' ? value.toFixed(2) : value}`);
  };
  console.log('\ntargets:');
  target(`scan (jobs ${all}) / yara-30 >= 1.0x`, ratios[`scan(jobs ${all})/yara`], ratios[`scan(jobs ${all})/yara`] >= 1.0);
  target(`scan (jobs ${all}) / aeskeyfind >= 5x`, ratios[`scan(jobs ${all})/aeskeyfind`], ratios[`scan(jobs ${all})/aeskeyfind`] >= 5);
  for (const j of [...new Set([1, all])]) {
    const sc = get(`dumpscrub scrub --jobs ${j}`);
    const sn = get(`dumpscrub scan --jobs ${j}`);
    if (sc?.ok && sn?.ok) target(`scrub/scan time (jobs ${j}) <= 2.5x`, sc.seconds / sn.seconds, sc.seconds / sn.seconds <= 2.5);
  }
  const scan2 = get('dumpscrub scan --jobs 2');
  if (scan1?.ok && scan2?.ok) target('2 workers / 1 worker >= 1.6x', scan1.seconds / scan2.seconds, scan1.seconds / scan2.seconds >= 1.6);
  const cpu2 = byThread.find((t) => t.jobs === 2);
  if (cpu2 && byThread[0]?.jobs === 1) target(`2 workers / 1 worker >= 1.6x, by CPU per thread on ${os.availableParallelism()} free cores`, cpu2.speedup, cpu2.speedup >= 1.6);
  for (const r of startup?.rows.filter((x) => x.target) ?? []) target(`${r.name} <= ${r.target}x node -e 0 (CPU, same run)`, r.cpuRatio, r.cpuRatio <= r.target);
  const peak = Math.max(...results.filter((r) => r.tool.startsWith('dumpscrub') && r.ok).map((r) => r.peakRssMiB));
  if (Number.isFinite(peak)) target('peak RSS of any dumpscrub run <= 512 MiB', peak, peak <= 512);

  let shares;
  if (o.shares) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'shares.mjs'), file, '--mib', '256', '--dist', path.dirname(CLI)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    try {
      shares = JSON.parse(r.stdout.trim().split('\n').pop());
      const total = Object.values(shares.passes).reduce((a, b) => a + b, 0);
      const pct = (x, of) => `${((100 * x) / of).toFixed(0).padStart(3)} %`;
      console.log(`\nCPU share per pass, one thread, first ${fmtSize(shares.bytes)} (${shares.learned.length} value(s) learnt by the scan; factor sieve: ${shares.kernels ?? 'js'}):`);
      for (const [k, v] of Object.entries(shares.passes)) console.log(`  ${k.padEnd(10)} ${v.toFixed(2).padStart(7)} s  ${pct(v, total)}`);
      console.log('CPU share per detector in the scan pass:');
      for (const [k, v] of Object.entries(shares.detectors).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(20)} ${v.toFixed(2).padStart(7)} s  ${pct(v, shares.passes.scan)}`);
    } catch {
      console.log(`\nCPU shares: skipped (${(r.stderr || 'no output').split('\n')[0].slice(0, 200)})`);
    }
  }

  // the self-hunt's worst case: random bytes with a leaf certificate appended, against the bytes alone
  const cliff = [];
  if (o.cliff) {
    const n = 256 * MiB;
    const noise = path.join(o.tmp, `noise-${n}-s${o.seed}.bin`);
    if (!fs.existsSync(noise) || fs.statSync(noise).size !== n) generateNoise(noise, n, o.seed);
    warm(noise);
    const alone = await runDumpscrub('scan', noise, 1, o);
    console.log(`\nself-hunt on ${fmtSize(n)} of random bytes (scan --jobs 1, CPU s): alone ${alone.cpuSeconds?.toFixed(2)}`);
    for (const m of publicMaterial().filter((x) => x.kind.startsWith('leaf-cert'))) {
      const f = path.join(o.tmp, `noise-${m.kind}.bin`);
      fs.copyFileSync(noise, f);
      fs.appendFileSync(f, m.bytes);
      warm(f);
      const r = await runDumpscrub('scan', f, 1, o);
      fs.rmSync(f, { force: true });
      const ratio = r.ok && alone.ok ? r.cpuSeconds / alone.cpuSeconds : undefined;
      cliff.push({ kind: m.kind, cpuSeconds: r.cpuSeconds, alone: alone.cpuSeconds, ratio });
      console.log(`  + ${m.kind.padEnd(18)} ${r.cpuSeconds?.toFixed(2)} s = ${ratio?.toFixed(2)}x`);
      target(`random + ${m.kind} <= 1.5x random alone (CPU)`, ratio, ratio <= 1.5);
    }
  }
  if (jobsList.length > 2) {
    console.log('\nscaling curve (scan):');
    for (const j of jobsList) {
      const r = get(`dumpscrub scan --jobs ${j}`);
      if (r?.ok) console.log(`  jobs ${String(j).padStart(3)}: ${mbps(size, r).toFixed(1)} MB/s, speed-up ${(scan1.seconds / r.seconds).toFixed(2)}x, ${r.peakRssMiB} MiB peak`);
    }
  }

  // linearity: same tool on images of growing size
  const linearity = [];
  if (!o.file) {
    const sizes = (o.sizes ?? ['256M', o.size]).map(parseSize);
    console.log(`\nlinearity (scan --jobs ${all}):`);
    for (const s of [...new Set(sizes)].sort((a, b) => a - b)) {
      const f = s === size ? file : imageFor(s, o);
      if (f !== file) warm(f);
      const r = s === size && scanN ? scanN : await runDumpscrub('scan', f, all, o);
      linearity.push({ bytes: s, ...r });
      console.log(
        `  ${fmtSize(s).padStart(10)}: ${r.ok ? `${r.seconds.toFixed(2)} s, ${mbps(s, r).toFixed(1)} MB/s, ${(r.seconds / (s / 1024 ** 3)).toFixed(2)} s/GiB` : `FAILED (exit ${r.code})`}, ${r.peakRssMiB} MiB peak`,
      );
      if (s >= 4 * 1024 ** 3) target(`peak RSS on ${fmtSize(s)} <= 512 MiB`, r.peakRssMiB, r.peakRssMiB <= 512);
      if (f !== file && s > 1024 ** 3) fs.rmSync(f, { force: true }); // multi-GiB images are not worth the disk
    }
    const ok = linearity.filter((l) => l.ok);
    if (ok.length >= 2) {
      const a = ok[0];
      const b = ok[ok.length - 1];
      target(`cost per byte ${fmtSize(b.bytes)} vs ${fmtSize(a.bytes)} (1.0 = linear) <= 1.2`, b.seconds / b.bytes / (a.seconds / a.bytes), b.seconds / b.bytes / (a.seconds / a.bytes) <= 1.2);
    }
  }

  let rules;
  if (o.rules) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'rules-scaling.mjs'), file, '--mib', '256', '--dist', path.dirname(CLI)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    try {
      rules = JSON.parse(r.stdout.trim().split('\n').pop());
      console.log(`\nrules engine alone, ${fmtSize(rules.bytes)}, one thread, entropy off:`);
      console.log(`  ${rules.few.rules} rules: ${rules.few.mbPerS.toFixed(1)} MB/s;  all ${rules.all.rules} rules: ${rules.all.mbPerS.toFixed(1)} MB/s`);
      target(`cost all/10 rules (${rules.ruleRatio.toFixed(1)}x the rules) sub-linear`, rules.costRatio, rules.costRatio < rules.ruleRatio);
    } catch {
      console.log(`\nrules scaling: skipped (${(r.stderr || 'no output').split('\n')[0].slice(0, 200)})`);
    }
  }

  const outDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = path.join(outDir, `bench-${stamp}.json`);
  const strip = (r) => ({ ...r, error: r.error ? r.error.slice(0, 400) : undefined });
  fs.writeFileSync(
    json,
    JSON.stringify(
      {
        when: new Date().toISOString(),
        machine: m,
        loadAvgAtEnd: os.loadavg(),
        input: { file, bytes: size, seed: o.file ? undefined : o.seed, generator: GENERATOR_VERSION },
        results: results.map(strip),
        ratios,
        targets,
        startup,
        linearity: linearity.map(strip),
        rules,
        shares,
        cliff,
        byThread,
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${path.relative(ROOT, json)}`);
}

main().catch((err) => {
  console.error(`bench failed: ${err?.message ?? err}`);
  process.exit(1);
});

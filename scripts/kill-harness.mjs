#!/usr/bin/env node
// Kill-anywhere harness: SIGKILL `dumpscrub scrub` at seeded random moments and prove nothing is lost,
// nothing half-written is published, and the next run cleans the leftovers.
//
//   node scripts/kill-harness.mjs [--kills 20] [--size-mib 256] [--seed 1] [--gzip] [--in-place] [--dir DIR] [--keep] [--json]
//
// --gzip scrubs a .gz input (decompressed into a private temp dir): a killed run's plain copy must be
// removed by a later run too. --in-place kills `scrub --in-place` on a fresh copy of the input each round:
// that copy must end as the original or the complete scrubbed copy.
//
// Exit 0 when every kill left: the input byte-identical, the destination absent / unchanged / a complete
// verified copy, only recognisably named temp files; and a final run removed them all.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const TEMP_RE = /^\.dumpscrub-tmp-(\d+)-[0-9a-f]{12}-/;

function args(argv) {
  const o = { kills: 20, sizeMib: 256, seed: 1, gzip: false, inPlace: false, dir: undefined, keep: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--kills') o.kills = Number(argv[++i]);
    else if (a === '--size-mib') o.sizeMib = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--dir') o.dir = argv[++i];
    else if (a === '--keep') o.keep = true;
    else if (a === '--gzip') o.gzip = true;
    else if (a === '--in-place') o.inPlace = true;
    else if (a === '--json') o.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** xorshift32: the kill schedule repeats for a seed. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
}

const sha256 = (p) => {
  const h = createHash('sha256');
  const fd = fs.openSync(p, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = (n) => Array.from(randomBytes(n), (x) => ALNUM[x % ALNUM.length]).join('');

/** A memory-like image: seeded filler with secrets (made now, never stored) planted every few MiB. */
function makeInput(file, sizeMib, seed) {
  const next = rng(seed);
  const block = Buffer.alloc(1 << 20);
  const words = ['thread', 'pool', 'worker', 'request', 'socket', 'buffer', 'retry', 'ok'];
  for (let off = 0; off < block.length; off += 4096) {
    const kind = Math.floor(next() * 3);
    if (kind === 1) for (let i = off; i < off + 4096; i += 8) block.writeBigUInt64LE(0x7f0000000000n + BigInt(Math.floor(next() * 0xffff0)), i);
    else if (kind === 2) {
      let t = '';
      while (t.length < 4096) t += `${words[Math.floor(next() * words.length)]} `;
      block.write(t.slice(0, 4096), off, 'latin1');
    }
  }
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  const pem = String(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }));
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    for (let mib = 0; mib < sizeMib; mib++) {
      const b = Buffer.from(block);
      if (mib % 4 === 0) Buffer.from(`\0db_password=${token(20)}\0`).copy(b, 100_000);
      if (mib % 16 === 0) Buffer.from(`\0${pem}\0`).copy(b, 500_000);
      fs.writeSync(fd, b);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function temps(dir) {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.dumpscrub-tmp-'));
}

function runToEnd(cliArgs) {
  const r = spawnSync(process.execPath, [CLI, ...cliArgs], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stderr: r.stderr.toString('utf8') };
}

function killAfter(cliArgs, delayMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...cliArgs], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, NO_COLOR: '1' } });
    const t0 = Date.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, pid: child.pid, ranMs: Date.now() - t0 });
    });
  });
}

export async function runHarness(o) {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: build first (npx tsc -p .)');
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-kill-'));
  const ext = o.gzip ? '.bin.gz' : '.bin';
  const input = path.join(dir, `core${ext}`);
  const dest = path.join(dir, `core.clean${ext}`);
  const ref = path.join(dir, `reference${ext}`);
  const killedPids = [];
  const failures = [];
  const kills = [];
  try {
    if (o.gzip) {
      const plain = path.join(dir, 'plain.tmp');
      makeInput(plain, o.sizeMib, o.seed);
      fs.writeFileSync(input, gzipSync(fs.readFileSync(plain), { level: 1 }));
      fs.rmSync(plain);
    } else makeInput(input, o.sizeMib, o.seed);
    const inputHash = sha256(input);
    const t0 = Date.now();
    const first = runToEnd(['scrub', input, '-o', ref, '-q']);
    const fullMs = Date.now() - t0;
    if (first.code !== 0) throw new Error(`reference run failed with exit ${first.code}`);
    const refHash = sha256(ref);
    const sentinel = path.join(dir, 'sentinel.bin');
    fs.writeFileSync(sentinel, randomBytes(4096));
    const sentinelHash = sha256(sentinel);
    const next = rng(o.seed * 7919 + 1);
    for (let i = 0; i < o.kills; i++) {
      // odd rounds start with an older copy at the destination: it must survive intact or be replaced whole;
      // with --in-place the destination is a fresh copy of the input, replaced in place
      const preexisting = o.inPlace || i % 2 === 1;
      fs.rmSync(dest, { force: true });
      if (o.inPlace) fs.copyFileSync(input, dest);
      else if (preexisting) fs.copyFileSync(sentinel, dest);
      const before = new Set(temps(dir));
      // stratified: round i lands in the i-th slice of the run, so every phase gets its share of kills
      const delayMs = Math.round(((i + next()) / o.kills) * fullMs * 1.15);
      const r = await killAfter(o.inPlace ? ['scrub', dest, '--in-place', '-q'] : ['scrub', input, '-o', dest, '-q'], delayMs);
      if (r.signal === 'SIGKILL') killedPids.push(r.pid);
      const k = { round: i, delayMs, killed: r.signal === 'SIGKILL', exit: r.code, preexisting, dest: 'absent', newTemps: 0 };
      if (sha256(input) !== inputHash) failures.push(`round ${i}: INPUT CHANGED`);
      if (fs.existsSync(dest)) {
        const h = sha256(dest);
        if (h === refHash) k.dest = 'complete';
        else if (!o.inPlace && preexisting && h === sentinelHash) k.dest = 'old copy intact';
        else if (o.inPlace && h === inputHash) k.dest = 'original intact';
        else {
          k.dest = 'CORRUPT';
          failures.push(`round ${i}: destination is neither absent, the old copy, nor the complete copy`);
        }
        if ((fs.statSync(dest).mode & 0o777) !== 0o600 && k.dest === 'complete' && !o.inPlace) failures.push(`round ${i}: destination mode is not 0600`);
      } else if (preexisting) {
        failures.push(`round ${i}: ${o.inPlace ? 'THE INPUT VANISHED' : 'the older copy at the destination vanished'}`);
      }
      const now = temps(dir);
      for (const n of now) if (!TEMP_RE.test(n)) failures.push(`round ${i}: temp file with unrecognisable name ${n}`);
      k.newTemps = now.filter((n) => !before.has(n)).length;
      k.phase = !k.killed ? 'finished' : k.dest === 'complete' ? 'after publish' : k.newTemps ? 'writing or verifying' : 'before temp file';
      kills.push(k);
    }
    // every 'complete' destination is byte-identical to the reference, so verifying that covers them all
    const v = runToEnd(['verify', ref, '-q']);
    if (v.code !== 0) failures.push(`verify of the complete copy exited ${v.code}`);
    // the next run removes every leftover of the dead runs and names each one
    const leftovers = temps(dir);
    const last = runToEnd(['scrub', input, '-o', dest]);
    if (last.code !== 0)
      failures.push(
        `final run exited ${last.code}: ${last.stderr
          .split('\n')
          .filter((l) => l.includes('FAILED'))
          .join(' | ')}`,
      );
    const remaining = temps(dir);
    if (remaining.length) failures.push(`${remaining.length} temp file(s) left after the final run`);
    for (const n of leftovers) if (!last.stderr.includes(n)) failures.push(`final run did not report removing ${n}`);
    if (!fs.existsSync(dest) || sha256(dest) !== refHash) failures.push('final copy missing or different from the reference');
    // private temp dirs (stdin spools, decompressed gzip: unredacted bytes) of killed runs are gone too
    const privateLeft = fs.readdirSync(os.tmpdir()).filter((n) => killedPids.some((pid) => n.startsWith(`dumpscrub-${pid}-`)));
    if (privateLeft.length) failures.push(`${privateLeft.length} private temp dir(s) of killed runs left in ${os.tmpdir()}`);
    if (sha256(input) !== inputHash) failures.push('INPUT CHANGED');
    const tempsLeftByKills = kills.reduce((n, k) => n + k.newTemps, 0);
    return { sizeMib: o.sizeMib, seed: o.seed, gzip: o.gzip, inPlace: o.inPlace, fullRunMs: fullMs, kills, tempsLeftByKills, leftoversCleaned: leftovers.length, failures };
  } finally {
    if (!o.keep && !o.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const o = args(process.argv.slice(2));
  const res = await runHarness(o);
  if (o.json) process.stdout.write(`${JSON.stringify(res)}\n`);
  else {
    console.log(`input ${res.sizeMib} MiB${res.gzip ? ' (gzip)' : ''}${res.inPlace ? ' (--in-place)' : ''}, seed ${res.seed}, uninterrupted run ${res.fullRunMs} ms`);
    for (const k of res.kills)
      console.log(
        `  kill ${String(k.round).padStart(2)} at ${String(k.delayMs).padStart(6)} ms: ${k.phase.padEnd(20)} destination ${k.dest}${k.preexisting && !res.inPlace ? ' (had an older copy)' : ''}, new temps ${k.newTemps}`,
      );
    console.log(`temp files left by killed runs: ${res.tempsLeftByKills}; all removed by later runs (the final run named the last ${res.leftoversCleaned})`);
    console.log(res.failures.length ? `FAILED:\n  ${res.failures.join('\n  ')}` : 'OK: nothing lost, nothing half-written published');
  }
  process.exitCode = res.failures.length ? 1 : 0;
}

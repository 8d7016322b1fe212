#!/usr/bin/env node
// Long fuzz run of the format parsers (the seeded quick run is test/fuzz-formats.test.ts).
//   npx tsc -p . && node scripts/fuzz-formats.mjs [--cases 20000] [--seed 1] [--max-ms 1000] [--scan-every 0]
// Mutates every shared minidump, synthetic full dump / ELF core / HPROF, and (when gcore works) a
// real core of `sleep`; parses each; fails on any exception, slow case, out-of-bounds output or
// heap growth. With --scan-every N, every Nth mutated file gets a generated secret planted and
// `dumpscrub scan` must still find it (formats are hints: every byte is scanned raw).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpus, runFuzz } from '../fixtures/gen/fuzz.mjs';
import { mutate } from '../fixtures/gen/mutate.mjs';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    'max-ms': { type: 'string', default: '1000' },
    'scan-every': { type: 'string', default: '0' },
  },
});
const dist = join(root, 'dist', 'formats', 'index.js');
if (!existsSync(dist)) {
  console.error('fuzz-formats: dist/formats/index.js missing; run `npx tsc -p .` first');
  process.exit(2);
}
const { detectFormat, regionAt } = await import(dist);

function check(info, size) {
  if (!['minidump', 'elf-core', 'hprof', 'raw'].includes(info.format)) return `format ${info.format}`;
  for (const r of info.regions) if (!(r.start >= 0 && r.end > r.start && r.end <= size)) return `region ${r.start}-${r.end} outside ${size}`;
  let prev = -1;
  for (const s of info.structural) {
    if (!(s.start > prev && s.end > s.start && s.end <= size)) return `structural ${s.start}-${s.end}`;
    prev = s.end;
  }
  if (info.regions.length > size / 4 + 64) return `${info.regions.length} regions for ${size} bytes`;
  for (let o = 0; o < size; o += Math.max(1, size >> 3)) regionAt(info.regions, o);
  return undefined;
}

async function liveCore() {
  try {
    execFileSync('sh', ['-c', 'command -v gcore'], { stdio: 'ignore' });
  } catch {
    console.warn('fuzz-formats: gcore not installed; no real ELF core in the corpus');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-core-'));
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  try {
    execFileSync('gcore', ['-o', join(dir, 'core'), String(child.pid)], { stdio: 'ignore', timeout: 60_000 });
    return [{ name: 'gcore-sleep.core', bytes: readFileSync(join(dir, `core.${child.pid}`)) }];
  } catch (err) {
    console.warn(`fuzz-formats: gcore failed (${err.message}); no real ELF core in the corpus`);
    return [];
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const seeds = corpus(await liveCore());
const cases = Number(values.cases);
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const stats = runFuzz({ detectFormat, check, cases, seed: Number(values.seed), seeds, maxMsPerCase: Number(values['max-ms']) });
const ms = performance.now() - t0;
globalThis.gc?.();
const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
console.log(
  `fuzz-formats: ${stats.cases}/${cases} cases, ${seeds.length} seeds, ${(ms / 1000).toFixed(1)} s, max ${stats.maxMs.toFixed(1)} ms/case, mean ${(stats.totalMs / cases).toFixed(2)} ms/case`,
);
console.log(`  formats ${JSON.stringify(stats.byFormat)}; warned ${stats.warned}; heap growth ${heapMiB.toFixed(1)} MiB`);
console.log(`  mutations ${JSON.stringify(stats.byKind)}`);

let scanFailures = 0;
const every = Number(values['scan-every']);
if (every > 0) {
  const cli = join(root, 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-scan-'));
  let runs = 0;
  for (let i = 0; i < cases; i += every) {
    const seed = seeds[i % seeds.length];
    const { bytes } = mutate(seed.bytes, Number(values.seed) * 7919 + i);
    if (bytes.length < 200) continue;
    const token = randomBytes(18).toString('base64url');
    const at = Math.floor(((bytes.length - 100) * ((i * 2654435761) % 1000)) / 1000);
    bytes.write(`password=${token}`, at, 'latin1');
    const f = join(dir, 'case.bin');
    writeFileSync(f, bytes);
    const r = spawnSync(process.execPath, [cli, 'scan', f, '--format', 'json'], { encoding: 'utf8' });
    runs++;
    if (r.status !== 1) {
      scanFailures++;
      console.error(`  scan of mutated ${seed.name} (case ${i}) exited ${r.status}, expected 1 (planted secret)`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`  planted-secret scans: ${runs}, missed ${scanFailures}`);
}

for (const f of stats.failures.slice(0, 20)) console.error(`  FAIL ${f}`);
const bad = stats.failures.length > 0 || scanFailures > 0 || heapMiB > 256;
process.exit(bad ? 1 : 0);

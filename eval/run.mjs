#!/usr/bin/env node
// `npm run eval [-- suite…]`: runs each eval/suites/*.mjs against the built CLI and prints recall and
// precision tables with PASS/MISS per target. Results also go to eval/results/latest.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { killAll } from './lib/children.mjs';
import { formatSuite, formatSummary } from './lib/table.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const SUITES = join(HERE, 'suites');

const log = (msg) => process.stderr.write(`eval: ${msg}\n`);

// DUMPSCRUB_CLI points the eval at another build (e.g. an older checkout) for before/after figures.
const cli = resolve(process.env.DUMPSCRUB_CLI ?? join(ROOT, 'dist', 'cli.js'));
if (!existsSync(cli)) {
  if (process.env.DUMPSCRUB_CLI) {
    log(`DUMPSCRUB_CLI=${cli} does not exist`);
    process.exit(2);
  }
  log('dist/cli.js missing: building with tsc');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}

const available = readdirSync(SUITES)
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .map((f) => basename(f, '.mjs'));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  log(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? available.filter((s) => wanted.includes(s)) : available;

const tmpRoot = mkdtempSync(join(tmpdir(), 'dumpscrub-eval-'));
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  killAll();
  rmSync(tmpRoot, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    cleanup();
    process.exit(130);
  });
}

function commitOf(dir) {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const results = [];
for (const name of selected) {
  const tmp = join(tmpRoot, name);
  mkdirSync(tmp);
  const started = performance.now();
  log(`suite ${name}…`);
  let result;
  try {
    const mod = await import(pathToFileURL(join(SUITES, `${name}.mjs`)).href);
    const out = await mod.default({ cli, tmp, log: (m) => log(`[${name}] ${m}`), root: ROOT });
    result = { suite: name, ...out };
  } catch (err) {
    result = {
      suite: name,
      title: name,
      rows: [],
      error: String(err?.stack ?? err)
        .split('\n')
        .slice(0, 4)
        .join('\n'),
    };
  } finally {
    killAll();
    rmSync(tmp, { recursive: true, force: true });
  }
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  results.push(result);
  process.stdout.write(formatSuite(result) + '\n');
}

process.stdout.write(formatSummary(results) + '\n');
const cliDir = dirname(dirname(cli));
const record = { schema: 'dumpscrub.eval/v1', when: new Date().toISOString(), cli, commit: commitOf(cliDir), node: process.version, suites: results };
mkdirSync(join(HERE, 'results'), { recursive: true });
writeFileSync(join(HERE, 'results', 'latest.json'), JSON.stringify(record, null, 2) + '\n');
log(`wrote eval/results/latest.json`);
cleanup();
process.exit(results.some((r) => r.error) ? 1 : 0);

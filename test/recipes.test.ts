// Every shell recipe we ship (`--help` examples, README and docs/ sh blocks, CI `run:` steps) runs here
// end to end, with `dumpscrub` on PATH, absolute paths moved into a sandbox, and remote or registry
// commands (ssh, npx, upload) replaced by local shims. A recipe the table does not know fails the test.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CLI, filler, leakCount, randomToken, ROOT } from './lead/cli-harness.js';

// --- extraction

/** Logical commands of a shell block: continuation lines joined, if…fi kept whole, comments dropped. */
function units(block: string): string[] {
  const out: string[] = [];
  const raw = block.replace(/\\\n\s*/g, '').split('\n');
  let compound: string[] | undefined;
  for (const line of raw) {
    if (compound) {
      compound.push(line);
      if (/^fi\b/.test(line.trim())) (out.push(compound.join('\n')), (compound = undefined));
      continue;
    }
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (/^if\b/.test(line.trim())) compound = [line];
    else out.push(line);
  }
  return out;
}

interface Unit {
  source: string;
  text: string;
  /** `set -o pipefail` and the like, from earlier in the same block. */
  prelude: string;
}

function fromMarkdown(file: string): Unit[] {
  const md = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const out: Unit[] = [];
  for (const m of md.matchAll(/^```(sh|bash|yaml)\n([\s\S]*?)^```/gm)) {
    const bodies = m[1] === 'yaml' ? [...m[2].matchAll(/^(\s*)run: \|\n((?:\1\s+.*\n)+)/gm)].map((r) => r[2].replace(new RegExp(`^${r[1]}\\s{2}`, 'gm'), '').trimEnd()) : [m[2]];
    for (const body of bodies) {
      if (m[1] === 'yaml') {
        if (/\bdumpscrub\b/.test(body)) out.push({ source: file, text: body, prelude: '' });
        continue;
      }
      let prelude = '';
      for (const u of units(body)) {
        if (/^set -o /.test(u)) prelude += `${u}\n`;
        else if (/\bdumpscrub\b/.test(u)) out.push({ source: file, text: u, prelude });
      }
    }
  }
  return out;
}

function fromHelp(): Unit[] {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
  const block = help.split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim().replace(/\s{2,}[a-z][^$"']*$/, ''))
    .filter(Boolean)
    .map((text) => ({ source: '--help', text, prelude: '' }));
}

const docs = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

// --- sandbox

const made: string[] = [];
const children: number[] = [];
afterAll(() => {
  for (const pid of children.splice(0))
    (() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    })();
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  secrets: string[];
  /** A memory-like dump with a password made now, at `rel` inside the sandbox. */
  dump(rel: string, opts?: { gzip?: boolean; clean?: boolean; oldMtime?: boolean }): void;
  read(rel: string): Buffer;
}

function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-test-recipe-'));
  made.push(dir);
  const bin = path.join(dir, '.bin');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(dir, 'tmp'));
  const shim = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  shim('dumpscrub', `exec "${process.execPath}" "${CLI}" "$@"`);
  // the remote host is this one: run its command here
  shim('ssh', 'shift; exec bash -c "$*"');
  // the registry is this checkout
  shim('npx', 'while [ "${1#-}" != "$1" ]; do shift; done; shift; exec dumpscrub "$@"');
  shim('upload', 'mkdir -p uploaded && cp "$@" uploaded/');
  const secrets: string[] = [];
  return {
    dir,
    secrets,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: path.join(dir, 'tmp'), SB: dir, NO_COLOR: '1' },
    dump(rel, opts = {}) {
      const buf = filler(64 * 1024, secrets.length + 1);
      if (!opts.clean) {
        const s = randomToken(24);
        secrets.push(s);
        buf.write(`\0db_password=${s}\0`, 30_000, 'latin1');
      }
      const p = path.join(dir, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, opts.gzip ? gzipSync(buf) : buf);
      if (opts.oldMtime) fs.utimesSync(p, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    },
    read: (rel) => fs.readFileSync(path.join(dir, rel)),
  };
}

/** Absolute paths of the recipes (/srv, /var, /tmp) live inside the sandbox; cron schedules are dropped. */
function localize(text: string): string {
  return text
    .replace(/^[\d*/,-]+(\s+[\d*/,-]+){4}\s+/, '')
    .replace(/(^|[\s'"=(])\/(srv|var|tmp)\//g, '$1$SB/$2/')
    .replace(/(?<!\$)\bPID\b/g, '$PID');
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runRecipe(u: Unit, sb: Sandbox, timeoutS?: number): Promise<Outcome> {
  const script = `${u.prelude}${localize(u.text)}`;
  const argv = timeoutS ? ['timeout', String(timeoutS), 'bash', '-c', script] : ['bash', '-c', script];
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: sb.dir, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// --- what each recipe needs and must do

interface Case {
  setup(sb: Sandbox): void;
  code: number;
  check?(sb: Sandbox, o: Outcome): void;
  timeoutS?: number;
  needs?: string;
}

const clean = (sb: Sandbox, rel: string, gz = false) => {
  const bytes = gz ? gunzipSync(sb.read(rel)) : sb.read(rel);
  expect(bytes.length).toBe(64 * 1024);
  expect(leakCount(bytes, sb.secrets)).toBe(0);
};
const sarifResults = (sb: Sandbox, rel: string) => JSON.parse(sb.read(rel).toString()).runs[0].results.length as number;

/** A live process with a password in its environment, for gcore. */
const process_ = (sb: Sandbox) => {
  const s = randomToken(24);
  sb.secrets.push(s);
  const child = spawn('sleep', ['120'], { env: { db_password: s }, stdio: 'ignore' });
  children.push(child.pid!);
  sb.env.PID = String(child.pid);
};
const gcoreCase: Case = {
  needs: 'gcore',
  setup: process_,
  code: 0,
  check(sb) {
    const core = sb.read('core.clean');
    expect(core.length).toBeGreaterThan(4096);
    expect(leakCount(core, sb.secrets)).toBe(0);
    expect(fs.readdirSync(path.join(sb.dir, 'tmp'))).toEqual([]);
  },
};
const gateSetup = (sb: Sandbox) => {
  fs.mkdirSync(path.join(sb.dir, 'srv/dumps/clean'), { recursive: true });
  fs.mkdirSync(path.join(sb.dir, 'var/log/dumpscrub'), { recursive: true });
  sb.dump('srv/dumps/incoming/app.dmp', { oldMtime: true });
};
const gateCheck = (sb: Sandbox) => {
  clean(sb, 'srv/dumps/clean/app.dmp');
  expect(fs.existsSync(path.join(sb.dir, 'srv/dumps/incoming/app.dmp'))).toBe(false);
  expect(JSON.parse(sb.read('var/log/dumpscrub/audit.jsonl').toString().split('\n')[0]).event).toBe('published');
};

const RECIPES: Record<string, Case[] | { skip: string }> = {
  'dumpscrub scan core.1234': [{ setup: (sb) => sb.dump('core.1234'), code: 1 }],
  'dumpscrub scrub app.dmp': [{ setup: (sb) => sb.dump('app.dmp'), code: 0, check: (sb) => clean(sb, 'app.scrubbed.dmp') }],
  "dumpscrub scrub 'dumps/**/*.dmp' --out-dir clean/": [
    { setup: (sb) => (sb.dump('dumps/a/x.dmp'), sb.dump('dumps/b/x.dmp')), code: 0, check: (sb) => (clean(sb, 'clean/a/x.dmp'), clean(sb, 'clean/b/x.dmp')) },
  ],
  'd=$(mktemp -d) && gcore -o "$d/core" PID && dumpscrub scrub "$d/core.PID" -o core.clean; rc=$?; rm -rf "$d"; [ $rc = 0 ]': [gcoreCase],
  'dumpscrub scrub - -o - < app.dmp > app.clean.dmp': [{ setup: (sb) => sb.dump('app.dmp'), code: 0, check: (sb) => clean(sb, 'app.clean.dmp') }],
  'dumpscrub verify clean/app.dmp': [{ setup: (sb) => sb.dump('clean/app.dmp', { clean: true }), code: 0 }],
  'dumpscrub scan /srv/dumps --format json --report findings.json': [
    { setup: (sb) => sb.dump('srv/dumps/a.dmp'), code: 1, check: (sb) => expect(JSON.parse(sb.read('findings.json').toString()).files.length).toBe(1) },
  ],
  'd=$(mktemp -d) && gcore -o "$d/core" "$PID" && dumpscrub scrub "$d/core.$PID" -o core.clean; rc=$?; rm -rf "$d"; [ "$rc" = 0 ]': [gcoreCase],
  "ssh prod-host 'cat /var/crash/app.core' | dumpscrub scrub - -o - > app.core.clean": [{ setup: (sb) => sb.dump('var/crash/app.core'), code: 0, check: (sb) => clean(sb, 'app.core.clean') }],
  'dumpscrub scrub crash.dmp.gz            # → crash.scrubbed.dmp.gz': [{ setup: (sb) => sb.dump('crash.dmp.gz', { gzip: true }), code: 0, check: (sb) => clean(sb, 'crash.scrubbed.dmp.gz', true) }],
  'if dumpscrub scrub crash.dmp -o crash.clean.dmp --summary; then\n  upload crash.clean.dmp\nelse\n  rc=$?\n  echo "dumpscrub refused (exit $rc): not uploading" >&2\n  exit "$rc"\nfi': [
    { setup: (sb) => sb.dump('crash.dmp'), code: 0, check: (sb) => clean(sb, 'uploaded/crash.clean.dmp') },
  ],
  'dumpscrub scan /srv/dumps --format sarif --report out.sarif --summary': [
    { setup: (sb) => sb.dump('srv/dumps/a.dmp'), code: 1, check: (sb) => expect(sarifResults(sb, 'out.sarif')).toBeGreaterThan(0) },
  ],
  'dumpscrub scan /srv/dumps --format jsonl | jq -c \'select(.type=="finding") | {file, ruleId, start, fingerprint}\'': [
    { setup: (sb) => sb.dump('srv/dumps/a.dmp'), code: 0, needs: 'jq', check: (_sb, o) => expect(o.stdout).toMatch(/"ruleId":/) },
  ],
  "mkdir -p scrubbed\nnpx --yes dumpscrub@0.1.0 scrub 'artifacts/**/*.dmp' --out-dir scrubbed/ \\\n  --summary --format sarif --report dumpscrub.sarif": [
    { setup: (sb) => sb.dump('artifacts/job1/crash.dmp'), code: 0, check: (sb) => (clean(sb, 'scrubbed/job1/crash.dmp'), expect(sarifResults(sb, 'dumpscrub.sarif')).toBeGreaterThan(0)) },
    // a job that produced no dumps passes with an empty, valid report
    { setup: () => undefined, code: 0, check: (sb) => expect(sarifResults(sb, 'dumpscrub.sarif')).toBe(0) },
  ],
  'dumpscrub gate --inbox /srv/dumps/incoming --outbox /srv/dumps/clean --quarantine /srv/dumps/quarantine --audit-log /var/log/dumpscrub/audit.jsonl --stable-seconds 10': [
    // a service: it runs until stopped, so the run ends by timeout (124) after the dump was published
    { setup: gateSetup, code: 124, timeoutS: 6, check: gateCheck },
  ],
  '*/5 * * * * dumpscrub gate --once -q --inbox /srv/dumps/incoming --outbox /srv/dumps/clean --audit-log /var/log/dumpscrub/audit.jsonl': [{ setup: gateSetup, code: 0, check: gateCheck }],
};

/** The baseline recipe's first half, run in the sandbox (a scan report of the share). */
const baselineOf = (sb: Sandbox) => {
  sb.dump('srv/dumps/a.dmp');
  spawnSync(process.execPath, [CLI, 'scan', path.join(sb.dir, 'srv/dumps'), '--format', 'json', '--report', path.join(sb.dir, 'baseline.json'), '-q']);
};
RECIPES['dumpscrub scan /srv/dumps --format json --report baseline.json   # once, reviewed'] = [
  { setup: (sb) => sb.dump('srv/dumps/a.dmp'), code: 1, check: (sb) => expect(JSON.parse(sb.read('baseline.json').toString()).files.length).toBe(1) },
];
RECIPES['dumpscrub scan /srv/dumps --baseline baseline.json               # later: only what is new'] = [
  { setup: baselineOf, code: 0 },
  { setup: (sb) => (baselineOf(sb), sb.dump('srv/dumps/new.dmp')), code: 1 },
];

const all = [...fromHelp(), ...docs.flatMap(fromMarkdown)];

describe('recipes', () => {
  it('every shipped recipe has a test case, and every case a shipped recipe', () => {
    const shipped = new Set(all.map((u) => u.text));
    expect(all.length).toBeGreaterThan(10);
    expect([...shipped].filter((t) => !(t in RECIPES))).toEqual([]);
    expect(Object.keys(RECIPES).filter((t) => !shipped.has(t))).toEqual([]);
  });

  const seen = new Set<string>();
  for (const u of all) {
    if (seen.has(u.text)) continue;
    seen.add(u.text);
    const entry = RECIPES[u.text];
    if (!entry || 'skip' in entry) continue;
    it(`${u.source}: ${u.text.split('\n')[0].slice(0, 80)}`, async () => {
      for (const c of entry) {
        if (c.needs && spawnSync('bash', ['-c', `command -v ${c.needs}`]).status !== 0) {
          console.warn(`skipped: ${c.needs} is not installed (.ci/run installs it)`);
          continue;
        }
        const sb = sandbox();
        c.setup(sb);
        const o = await runRecipe(u, sb, c.timeoutS);
        if (o.code !== c.code) console.error(`recipe exit ${o.code}, stderr:\n${o.stderr.slice(0, 2000)}`);
        expect(o.code).toBe(c.code);
        c.check?.(sb, o);
      }
    });
  }
});

// The CLI as a user meets it: version, help, rules listing, and the paths around the pipeline
// (destinations, stdin, expansion, closed pipes, usage errors), each across the process boundary.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLI, filler, leakCount, randomToken, runCliHere, ROOT } from './lead/cli-harness.js';
import { VERSION } from '../src/version.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-test-cli-'));
  made.push(d);
  return d;
}

/** A small memory-like dump with one password assignment made now. */
function dump(file: string, seed = 3): string {
  const secret = randomToken(24);
  const buf = filler(64 * 1024, seed);
  buf.write(`\0db_password=${secret}\0`, 20_000, 'latin1');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buf);
  return secret;
}

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('cli', () => {
  it('--version matches package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    const r = await runCliHere(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString().trim()).toBe(pkg.version);
  });

  it('rules lists detectors and rules as text and JSON', async () => {
    const text = await runCliHere(['rules']);
    expect(text.code).toBe(0);
    const json = await runCliHere(['rules', '--format', 'json']);
    expect(json.code).toBe(0);
    const rules = JSON.parse(json.stdout.toString()) as Array<{ id: string; name: string; kind: string }>;
    expect(rules.length).toBeGreaterThanOrEqual(150);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(text.stdout.toString()).toContain(r.id);
  });

  it('an unknown command is a usage error', async () => {
    expect((await runCliHere(['frobnicate'])).code).toBe(2);
  });
});

describe('destinations', () => {
  it('two inputs with one name under --out-dir are refused before any work (exit 2)', async () => {
    const d = scratch();
    dump(path.join(d, 'a', 'core'));
    dump(path.join(d, 'b', 'core'), 4);
    const r = await runCliHere(['scrub', 'a/core', 'b/core', '--out-dir', 'out', '-q'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a\/core and b\/core would both be written to/);
    expect(fs.existsSync(path.join(d, 'out')) ? fs.readdirSync(path.join(d, 'out')) : []).toEqual([]);
  });

  it('a directory under --out-dir keeps its relative paths, so no copy replaces another', async () => {
    const d = scratch();
    const s1 = dump(path.join(d, 'in', 'a', 'core'));
    const s2 = dump(path.join(d, 'in', 'b', 'core'), 4);
    const r = await runCliHere(['scrub', 'in', '--out-dir', 'out', '-q'], { cwd: d });
    expect(r.code).toBe(0);
    for (const sub of ['a', 'b']) {
      const copy = fs.readFileSync(path.join(d, 'out', sub, 'core'));
      expect(copy.length).toBe(64 * 1024);
      expect(leakCount(copy, [s1, s2])).toBe(0);
    }
  });

  it('an unusable --report, --audit-log or -o fails at once naming the option, and publishes nothing', async () => {
    const d = scratch();
    dump(path.join(d, 'x.dmp'));
    fs.mkdirSync(path.join(d, 'adir'));
    const cases: Array<[string[], RegExp]> = [
      [['--report', 'adir'], /^dumpscrub: --report adir: is a directory/],
      [['--report', 'missing/r.json'], /^dumpscrub: --report missing\/r\.json: directory .* does not exist/],
      [['--audit-log', 'missing/a.jsonl'], /^dumpscrub: --audit-log missing\/a\.jsonl: directory/],
      [['-o', 'adir'], /^dumpscrub: -o\/--output adir: is a directory/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCliHere(['scrub', 'x.dmp', ...flags], { cwd: d });
      expect(r.code).toBe(2);
      expect(lines(r.stderr).length).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(fs.existsSync(path.join(d, 'x.scrubbed.dmp'))).toBe(false);
    }
    expect(fs.readdirSync(path.join(d, 'adir'))).toEqual([]);
  });

  it('a missing --out-dir is created', async () => {
    const d = scratch();
    dump(path.join(d, 'x.dmp'));
    expect((await runCliHere(['scrub', 'x.dmp', '--out-dir', 'new/clean', '-q'], { cwd: d })).code).toBe(0);
    expect(fs.existsSync(path.join(d, 'new', 'clean', 'x.dmp'))).toBe(true);
  });
});

describe('expansion', () => {
  it('a second run over a directory does not re-scrub its own outputs or --out-dir inside the tree', async () => {
    const d = scratch();
    dump(path.join(d, 'dumps', 'x.dmp'));
    expect((await runCliHere(['scrub', 'dumps', '-q'], { cwd: d })).code).toBe(0);
    const again = await runCliHere(['scrub', 'dumps', '-q'], { cwd: d });
    expect(again.code).toBe(0);
    expect(fs.readdirSync(path.join(d, 'dumps')).sort()).toEqual(['x.dmp', 'x.scrubbed.dmp']);
    for (let i = 0; i < 2; i++) expect((await runCliHere(['scrub', 'dumps', '--out-dir', 'dumps/clean', '-q'], { cwd: d })).code).toBe(0);
    expect(fs.readdirSync(path.join(d, 'dumps', 'clean'))).toEqual(['x.dmp']);
    // named explicitly, an output is an input like any other
    expect((await runCliHere(['scan', 'dumps/x.scrubbed.dmp', '-q'], { cwd: d })).code).toBe(0);
  });

  it('a glob that matches nothing is exit 0 with an empty, valid report in every format', async () => {
    const d = scratch();
    const sarif = await runCliHere(['scan', 'none/**/*.dmp', '--format', 'sarif', '--report', 'r.sarif'], { cwd: d });
    expect(sarif.code).toBe(0);
    const doc = JSON.parse(fs.readFileSync(path.join(d, 'r.sarif'), 'utf8'));
    expect(doc.version).toBe('2.1.0');
    expect(doc.runs[0].results).toEqual([]);
    const json = await runCliHere(['scan', 'none/*.dmp', '--format', 'json'], { cwd: d });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout.toString()).files).toEqual([]);
    for (const format of ['text', 'jsonl']) expect((await runCliHere(['verify', 'none/*.dmp', '--format', format], { cwd: d })).code).toBe(0);
    expect((await runCliHere(['scrub', 'none/*.dmp', '--out-dir', 'o'], { cwd: d })).code).toBe(0);
  });

  it('a corrupt .gz is its own io-error; the other files are still scanned and reported', async () => {
    const d = scratch();
    dump(path.join(d, 'a.dmp'));
    fs.writeFileSync(path.join(d, 'b.dmp.gz'), gzipSync(filler(32 * 1024)).subarray(0, 300));
    dump(path.join(d, 'c.dmp'), 4);
    for (const command of ['scan', 'verify']) {
      const r = await runCliHere([command, 'a.dmp', 'b.dmp.gz', 'c.dmp', '--format', 'json'], { cwd: d });
      expect(r.code).toBe(3);
      const report = JSON.parse(r.stdout.toString());
      expect(report.files.map((f: { file: string }) => f.file)).toEqual(['a.dmp', 'b.dmp.gz', 'c.dmp']);
      expect(report.files.map((f: { verdict: string }) => f.verdict)).toEqual(['secrets-found', 'io-error', 'secrets-found']);
      expect(r.stderr).toMatch(/^dumpscrub: FAILED b\.dmp\.gz: /m);
    }
  });
});

describe('stdin and stdout', () => {
  it('a closed stdout ends the output quietly with the exit code of the work', async () => {
    for (const args of [['rules'], ['--help'], ['rules', '--format', 'json']]) {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('scrub - refuses to write binary to a terminal unless -o - is explicit', async () => {
    const script = spawnSync('script', ['--version']);
    if (script.status !== 0) return void console.warn('skipped: `script` (bsdutils) is not installed; .ci/run installs it');
    const run = spawnSync('script', ['-qec', `${process.execPath} ${CLI} scrub -`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/refusing to write a binary dump to a terminal/);
  });

  it('a piped stdin is spooled where it says, and a SIGKILL leaves no clear bytes behind', async () => {
    const d = scratch();
    const secret = randomToken(24);
    const child = spawn(process.execPath, [CLI, 'scrub', '-', '-o', path.join(d, 'out.dmp')], { env: { ...process.env, TMPDIR: d }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // the kill below closes the pipe under writes still queued: EPIPE there is expected
    child.stdin.on('error', () => {});
    child.stdin.write(Buffer.from(`\0db_password=${secret}\0`));
    child.stdin.write(filler(256 * 1024));
    const announced = await new Promise<boolean>((resolve) => {
      const t = setInterval(() => {
        if (/spooling stdin/.test(stderr)) (clearInterval(t), resolve(true));
      }, 20);
      child.on('close', () => (clearInterval(t), resolve(false)));
    });
    expect(announced).toBe(true);
    expect(stderr).toContain(d);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const left: Buffer[] = [];
    const walk = (p: string) => (fs.statSync(p).isDirectory() ? fs.readdirSync(p).forEach((n) => walk(path.join(p, n))) : left.push(fs.readFileSync(p)));
    walk(d);
    expect(leakCount(Buffer.concat(left), [secret])).toBe(0);
  });

  it('a full spool directory is exit 3 and leaves nothing; a regular file on stdin is not spooled at all', async () => {
    const d = scratch();
    const spool = path.join(d, 'spool');
    fs.mkdirSync(spool);
    const secret = dump(path.join(d, 'x.dmp'));
    // a 32 KiB file-size limit makes the spool's write fail like a full disk (EFBIG)
    const full = spawnSync('bash', ['-c', `ulimit -f 32; cat x.dmp | "${process.execPath}" "${CLI}" scrub - -o out.dmp --spool-dir spool`], { cwd: d, encoding: 'utf8' });
    expect(full.status).toBe(3);
    expect(full.stderr).toMatch(/cannot spool stdin/);
    expect(fs.readdirSync(spool)).toEqual([]);
    expect(fs.existsSync(path.join(d, 'out.dmp'))).toBe(false);
    const direct = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" scrub - -o out.dmp --spool-dir spool < x.dmp`], { cwd: d, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stderr).not.toMatch(/spooling/);
    expect(leakCount(fs.readFileSync(path.join(d, 'out.dmp')), [secret])).toBe(0);
  });
});

describe('usage errors', () => {
  it('a bad fill is exit 2 with one line naming the option', async () => {
    const d = scratch();
    dump(path.join(d, 'x.dmp'));
    for (const [flags, option] of [
      [['--fill-text', 'ab'], '--fill-text'],
      [['--fill-binary', '300'], '--fill-binary'],
    ] as const) {
      const r = await runCliHere(['scrub', 'x.dmp', ...flags], { cwd: d });
      expect(r.code).toBe(2);
      expect(lines(r.stderr).length).toBe(1);
      expect(r.stderr.startsWith(`dumpscrub: ${option}: `)).toBe(true);
      expect(fs.existsSync(path.join(d, 'x.scrubbed.dmp'))).toBe(false);
    }
  });
});

describe("the peers' conventions", () => {
  it('rules lists every id a finding can carry, beyond the rules engine', async () => {
    const ids = (JSON.parse((await runCliHere(['rules', '--format', 'json'])).stdout.toString()) as Array<{ id: string }>).map((r) => r.id);
    for (const id of ['entropy-token', 'entropy-context', 'aes-key', 'aes-schedule', 'der-rsa', 'cng-rsa', 'capi-rsa', 'known-secret-digest']) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('--baseline: findings of an earlier scan are not reported and do not set exit 1; new ones are', async () => {
    const d = scratch();
    dump(path.join(d, 'a.dmp'));
    const first = await runCliHere(['scan', 'a.dmp', '-f', 'json', '-r', 'base.json', '-q'], { cwd: d });
    expect(first.code).toBe(1);
    const again = await runCliHere(['scan', 'a.dmp', '--baseline', 'base.json', '-f', 'json'], { cwd: d });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.toString()).files[0].findings).toEqual([]);
    dump(path.join(d, 'b.dmp'), 5);
    expect((await runCliHere(['scan', 'a.dmp', 'b.dmp', '--baseline', 'base.json', '-q'], { cwd: d })).code).toBe(1);
    // scrub takes no baseline: it redacts everything
    expect((await runCliHere(['scrub', 'a.dmp', '--baseline', 'base.json'], { cwd: d })).code).toBe(2);
  });

  it('--enable-rule / --disable-rule select what scan reports; an unknown id is exit 2', async () => {
    const d = scratch();
    dump(path.join(d, 'a.dmp'));
    const all = JSON.parse((await runCliHere(['scan', 'a.dmp', '-f', 'json'], { cwd: d })).stdout.toString()).files[0].findings as Array<{ ruleId: string }>;
    const rule = all[0].ruleId;
    const off = await runCliHere(['scan', 'a.dmp', '-f', 'json', ...all.flatMap((f) => ['--disable-rule', f.ruleId])], { cwd: d });
    expect(off.code).toBe(0);
    const only = await runCliHere(['scan', 'a.dmp', '-f', 'json', '--enable-rule', rule], { cwd: d });
    expect(only.code).toBe(1);
    expect((JSON.parse(only.stdout.toString()).files[0].findings as Array<{ ruleId: string }>).every((f) => f.ruleId === rule)).toBe(true);
    const bad = await runCliHere(['scan', 'a.dmp', '--disable-rule', 'no-such-rule'], { cwd: d });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--disable-rule: unknown rule id "no-such-rule"/);
  });

  it('.dumpscrubignore and ./dumpscrub.config.json are announced when picked up; unknown ids in them are errors', async () => {
    const d = scratch();
    dump(path.join(d, 'a.dmp'));
    const ids = (JSON.parse((await runCliHere(['scan', 'a.dmp', '-f', 'json'], { cwd: d })).stdout.toString()).files[0].findings as Array<{ ruleId: string }>).map((f) => f.ruleId);
    fs.writeFileSync(path.join(d, '.dumpscrubignore'), `# accepted\n${[...new Set(ids)].join('\n')}\n`);
    const ignored = await runCliHere(['scan', 'a.dmp'], { cwd: d });
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(/^dumpscrub: using \.\/\.dumpscrubignore \(\d+ entr(y|ies); scan only\)$/m);
    fs.writeFileSync(path.join(d, '.dumpscrubignore'), 'no-such-rule\n');
    expect((await runCliHere(['scan', 'a.dmp'], { cwd: d })).stderr).toMatch(/\.dumpscrubignore:1: unknown rule id "no-such-rule"/);
    fs.rmSync(path.join(d, '.dumpscrubignore'));
    fs.writeFileSync(path.join(d, 'dumpscrub.config.json'), JSON.stringify({ allowlist: { ruleIds: ['jwtt'] } }));
    const config = await runCliHere(['scan', 'a.dmp'], { cwd: d });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^dumpscrub: using \.\/dumpscrub\.config\.json$/m);
    expect(config.stderr).toMatch(/allowlist\.ruleIds: unknown rule id "jwtt"/);
  });

  it('DUMPSCRUB_CONFIG stands in for --config; -r writes the report and the counts still reach stdout', async () => {
    const d = scratch();
    dump(path.join(d, 'a.dmp'));
    fs.writeFileSync(path.join(d, 'cfg.json'), JSON.stringify({ report: { format: 'json' } }));
    const r = await runCliHere(['scan', 'a.dmp', '-r', 'out.json'], { cwd: d, env: { DUMPSCRUB_CONFIG: path.join(d, 'cfg.json') } });
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(d, 'out.json'), 'utf8')).files.length).toBe(1);
    expect(r.stdout.toString()).toMatch(/^dumpscrub scan: 1 file, \d+ findings?, 0 survivors, exit 1$/m);
    expect((await runCliHere(['scan', 'a.dmp'], { cwd: d, env: { DUMPSCRUB_CONFIG: path.join(d, 'missing.json') } })).code).toBe(2);
  });

  it('--color always colours a piped report, --color never and --no-color do not', async () => {
    const d = scratch();
    dump(path.join(d, 'a.dmp'));
    const esc = async (args: string[]) => (await runCliHere(['scan', 'a.dmp', ...args], { cwd: d, env: { NO_COLOR: '' } })).stdout.includes(0x1b);
    expect(await esc(['--color', 'always'])).toBe(true);
    expect(await esc(['--color', 'never'])).toBe(false);
    expect(await esc(['--no-color'])).toBe(false);
    expect(await esc([])).toBe(false);
  });
});

describe('one line for each thing', () => {
  it('a warning is printed once, whether or not --verbose lists it in the report', async () => {
    const d = scratch();
    fs.writeFileSync(path.join(d, 'a.dmp.gz'), gzipSync(filler(16 * 1024)));
    for (const verbose of [[], ['--verbose']]) {
      const r = await runCliHere(['scan', 'a.dmp.gz', ...verbose], { cwd: d });
      expect(r.code).toBe(0);
      const all = r.stdout.toString() + r.stderr;
      expect(all.split('offsets refer to the decompressed stream').length - 1).toBe(1);
    }
  });
});

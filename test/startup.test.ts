// The installed command's start-up: --version loads nothing but the version; the rest is the CLI,
// shipped as one bundled file plus one for the scan worker.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filler, freshPem } from './lead/cli-harness.js';

const DIST = path.resolve(import.meta.dirname, '..', 'dist');
const PKG = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

describe('dumpscrub bin', () => {
  it('is dist/bin.js, and --version / -V answer with the bin and version.js alone', () => {
    expect(PKG.bin.dumpscrub).toBe('dist/bin.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-bin-'));
    try {
      for (const f of ['bin.js', 'version.js']) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
      for (const flag of ['--version', '-V']) {
        const r = spawnSync(process.execPath, [path.join(dir, 'bin.js'), flag], { encoding: 'utf8' });
        expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: `${PKG.version}\n` });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the CLI for everything else: same help, same exit codes', () => {
    const bin = spawnSync(process.execPath, [path.join(DIST, 'bin.js'), '--help'], { encoding: 'utf8' });
    const cli = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), '--help'], { encoding: 'utf8' });
    expect(bin.status).toBe(0);
    expect(bin.stdout).toBe(cli.stdout);
    expect(spawnSync(process.execPath, [path.join(DIST, 'bin.js'), 'scan', '--no-such-flag'], { encoding: 'utf8' }).status).toBe(2);
  });
});

describe('the bundled command', () => {
  const CHUNKS = fs.readdirSync(DIST).filter((f) => /^chunk-.*\.js$/.test(f));
  const BUNDLED = ['cli.js', 'workers/scan-worker.js', ...CHUNKS];

  it('imports nothing but node: built-ins and its own chunks (a few files to read, not a module tree)', () => {
    for (const f of BUNDLED) {
      // code lines only: bundled JSDoc mentions import("./command.js")
      const text = fs
        .readFileSync(path.join(DIST, f), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
        .join('\n');
      const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
      expect(specifiers.length).toBeGreaterThan(0);
      expect(specifiers.filter((s) => !s.startsWith('node:') && !CHUNKS.includes(s.replace(/^\.\//, '')))).toEqual([]);
    }
  });

  it('--help and usage errors never load the pipeline: with its chunk gone they answer the same, and a scan fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-help-'));
    try {
      const run = CHUNKS.filter((f) => f.startsWith('chunk-cli-run-'));
      expect(run.length).toBe(1);
      for (const f of ['bin.js', 'version.js', 'cli.js', ...CHUNKS.filter((c) => !run.includes(c))]) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
      const both = (args: string[]) => [DIST, dir].map((d) => spawnSync(process.execPath, [path.join(d, 'bin.js'), ...args], { encoding: 'utf8', cwd: dir }));
      for (const args of [['--help'], ['scan', '--help'], ['scrub', '--help'], ['gate', '--help'], ['config', '--help'], ['rules', '--help'], ['scan', '--no-such-flag'], ['scan']]) {
        const [full, alone] = both(args);
        expect({ args, status: alone.status, out: alone.stdout, err: alone.stderr }).toEqual({ args, status: full.status, out: full.stdout, err: full.stderr });
      }
      const input = path.join(dir, 'x.bin');
      fs.writeFileSync(input, Buffer.alloc(4096));
      expect(both(['scan', input]).map((r) => r.status)).toEqual([0, 3]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships a notice with the name, version and licence text of every package whose code it contains', () => {
    const notices = fs.readFileSync(path.join(DIST, 'THIRD-PARTY-NOTICES.md'), 'utf8');
    const packages = new Set<string>();
    for (const f of BUNDLED) {
      // the bundler's own runtime chunk has no map and no package code
      if (!fs.existsSync(path.join(DIST, `${f}.map`))) continue;
      const map = JSON.parse(fs.readFileSync(path.join(DIST, `${f}.map`), 'utf8')) as { sources: string[] };
      for (const s of map.sources) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s);
        if (m) packages.add(m[1]);
      }
    }
    expect([...packages]).toEqual(expect.arrayContaining(['commander', 'zod', 'chalk', 'fast-glob']));
    for (const name of packages) {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string; license: string };
      expect({ name, heading: notices.includes(`## ${name} ${pkg.version} (${pkg.license})\n`) }).toEqual({ name, heading: true });
    }
    expect(notices).toMatch(/Permission is hereby granted, free of charge/);
  });

  it('runs alone, without node_modules: a pool scan with worker threads finds what an in-thread scan finds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-bundle-'));
    try {
      for (const f of ['bin.js', 'version.js', ...BUNDLED]) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
      }
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
      const dump = path.join(dir, 'app.dmp');
      const body = filler(96 * 1024);
      body.write(freshPem(), 40 * 1024, 'latin1');
      fs.writeFileSync(dump, body);
      const scan = (jobs: string) => spawnSync(process.execPath, [path.join(dir, 'bin.js'), 'scan', dump, '--jobs', jobs, '--chunk-size', '16384', '-f', 'json'], { encoding: 'utf8', cwd: dir });
      const rules = (r: ReturnType<typeof scan>) =>
        (JSON.parse(r.stdout) as { files: Array<{ findings: Array<{ ruleId: string; start: number; end: number }> }> }).files[0].findings.map((f) => `${f.ruleId}@${f.start}-${f.end}`).sort();
      const pooled = scan('2');
      const inThread = scan('1');
      expect({ pooled: pooled.status, inThread: inThread.status }).toEqual({ pooled: 1, inThread: 1 });
      expect(rules(pooled).length).toBeGreaterThan(0);
      expect(rules(pooled)).toEqual(rules(inThread));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

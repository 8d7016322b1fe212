// --audit-log: one JSON line per file with hashes, counts per rule, verdict, duration — never a secret.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { auditLine } from '../../src/audit.js';
import type { FileResult, Finding } from '../../src/types.js';
import { CLI, leakCount, tempDir, runCliHere } from '../lead/cli-harness.js';
import { plant, sha256File } from './util.js';

const KEYS = ['time', 'tool', 'command', 'file', 'size', 'sha256', 'output', 'outputSha256', 'verdict', 'exitCode', 'findings', 'rules', 'survivors', 'survivorRules', 'durationMs'];

function finding(ruleId: string, start: number): Finding {
  return { ruleId, start, end: start + 10, encoding: 'ascii', fingerprint: 'abcdefabcdef', preview: 'ab**', region: 'raw', note: 'n' };
}

describe('auditLine', () => {
  it('counts per rule and carries no preview, fingerprint or note', async () => {
    const r: FileResult = {
      file: 'a.dmp',
      size: 100,
      format: 'raw',
      findings: [finding('jwt', 0), finding('jwt', 20), finding('password-assignment', 40)],
      verdict: 'redacted-verified',
      warnings: [],
      sha256: 'aa',
      output: 'b.dmp',
      outputSha256: 'bb',
      durationMs: 5,
    };
    const line = auditLine('scrub', r, new Date(0));
    expect(Object.keys(line).sort()).toEqual([...KEYS].sort());
    expect(line.rules).toEqual({ jwt: 2, 'password-assignment': 1 });
    expect(line.time).toBe('1970-01-01T00:00:00.000Z');
    expect(JSON.stringify(line)).not.toMatch(/ab\*\*|abcdefabcdef/);
  });

  it('a failure has no output, its exit code, and a one-line error', async () => {
    const r: FileResult = { file: 'a.dmp', size: 0, format: 'raw', findings: [], verdict: 'io-error', warnings: [], error: 'a.dmp: input changed\nduring the run', durationMs: 1, output: 'x' };
    const line = auditLine('scrub', r);
    expect(line.output).toBeNull();
    expect(line.sha256).toBeNull();
    expect(line.exitCode).toBe(3);
    expect(line.error).toBe('a.dmp: input changed during the run');
  });
});

describe('--audit-log through the CLI', () => {
  it('one line per file, hashes that match the files, appended across runs, mode 0600, no secret', async () => {
    const dir = tempDir();
    const a = plant(dir, 'a.bin');
    const b = plant(dir, 'b.bin');
    const outDir = path.join(dir, 'clean');
    fs.mkdirSync(outDir);
    const log = path.join(dir, 'audit.jsonl');
    expect((await runCliHere(['scrub', path.join(dir, '*.bin'), '--out-dir', outDir, '--audit-log', log])).code).toBe(0);
    // a missing input fails on its own line; the other input still runs
    expect((await runCliHere(['scan', path.join(dir, 'nope.bin'), path.join(outDir, 'a.bin'), '--audit-log', log])).code).toBe(3);
    const lines = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(4);
    const [la, lb, missing, lc] = lines;
    expect(missing).toMatchObject({ command: 'scan', verdict: 'io-error', exitCode: 3, sha256: null });
    expect(missing.error).toMatch(/ENOENT/);
    for (const [line, src] of [
      [la, a.file],
      [lb, b.file],
    ] as const) {
      expect(line.command).toBe('scrub');
      expect(line.verdict).toBe('redacted-verified');
      expect(line.sha256).toBe(sha256File(src));
      expect(line.outputSha256).toBe(sha256File(path.join(outDir, path.basename(src))));
      expect(line.findings).toBeGreaterThanOrEqual(4);
      expect(Object.values(line.rules).reduce((x: number, y) => x + (y as number), 0)).toBe(line.findings);
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(typeof line.durationMs).toBe('number');
    }
    expect(lc).toMatchObject({ command: 'scan', verdict: 'clean', findings: 0 });
    expect((fs.statSync(log).mode & 0o777).toString(8)).toBe('600');
    expect(leakCount(fs.readFileSync(log), [...a.secrets, ...b.secrets])).toBe(0);
  });

  it('refuses a symlink at the log path (target unchanged) and a FIFO (no hang): exit 3, one FAILED line', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'in.bin');
    fs.writeFileSync(input, Buffer.alloc(1024));
    const victim = path.join(dir, 'victim.rc');
    fs.writeFileSync(victim, 'unchanged\n');
    const link = path.join(dir, 'audit.jsonl');
    fs.symlinkSync(victim, link);
    const viaLink = await runCliHere(['scan', input, '--audit-log', link]);
    expect(viaLink.code).toBe(3);
    expect(viaLink.stderr).toMatch(/^dumpscrub: FAILED .*audit\.jsonl: audit log: .*symlink refused$/m);
    expect(fs.readFileSync(victim, 'utf8')).toBe('unchanged\n');
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // spawnSync with a timeout: a blocking open would otherwise hang the whole suite
    const viaFifo = spawnSync(process.execPath, [CLI, 'scan', input, '--audit-log', fifo], { timeout: 30_000 });
    expect(viaFifo.status).toBe(3);
  });
});

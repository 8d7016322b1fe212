// Concurrency: simultaneous runs on the same input and destination end with one whole verified copy, never a mix.
import { describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir, runCliHere } from '../lead/cli-harness.js';
import { plant, runCliAsync, sha256File, tempsIn } from './util.js';
import { quarantineFile } from '../../src/io/publish.js';

describe('two or more scrubs at once', () => {
  it('same input, same destination, 2 rounds of 3 runs: every run succeeds or refuses clearly; the copy is whole', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'core.bin', 3 * 1024 * 1024);
    const before = sha256File(file);
    const ref = path.join(dir, 'reference.bin');
    expect((await runCliHere(['scrub', file, '-o', ref, '-q'])).code).toBe(0);
    const refHash = sha256File(ref);
    const dest = path.join(dir, 'core.clean.bin');
    const audit = path.join(dir, 'audit.jsonl');
    for (let round = 0; round < 2; round++) {
      const runs = await Promise.all([0, 1, 2].map(() => runCliAsync(['scrub', file, '-o', dest, '--chunk-size', String(256 * 1024), '--audit-log', audit])));
      for (const r of runs) {
        expect([0, 3]).toContain(r.code);
        if (r.code === 3) expect(r.stderr).toMatch(/^dumpscrub: FAILED /m);
      }
      expect(runs.some((r) => r.code === 0)).toBe(true);
      expect(sha256File(dest)).toBe(refHash);
      expect(tempsIn(dir)).toEqual([]);
    }
    expect((await runCliHere(['verify', dest, '-q'])).code).toBe(0);
    expect(sha256File(file)).toBe(before);
    // concurrent appends keep whole lines
    const lines = fs.readFileSync(audit, 'utf8').trim().split('\n');
    expect(lines.length).toBe(6);
    for (const l of lines) expect(JSON.parse(l).file).toBe(file);
  }, 180_000);

  it('two --in-place runs on one file: the file ends as one whole verified copy; a loser fails with exit 3', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'core.bin', 3 * 1024 * 1024);
    const ref = path.join(dir, 'reference.bin');
    expect((await runCliHere(['scrub', file, '-o', ref, '-q'])).code).toBe(0);
    const runs = await Promise.all([0, 1].map(() => runCliAsync(['scrub', file, '--in-place', '--chunk-size', String(256 * 1024)])));
    for (const r of runs) expect([0, 3]).toContain(r.code);
    expect(runs.some((r) => r.code === 0)).toBe(true);
    expect(sha256File(file)).toBe(sha256File(ref));
    expect(tempsIn(dir)).toEqual([]);
  }, 180_000);
});

describe('quarantine', () => {
  it('two failed copies of the same name in the same millisecond both survive (no overwrite)', async () => {
    const dir = tempDir();
    const q = path.join(dir, 'q');
    const a = path.join(dir, 'a.tmp');
    const b = path.join(dir, 'b.tmp');
    fs.writeFileSync(a, 'first copy');
    fs.writeFileSync(b, 'second copy');
    const now = vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    try {
      const [qa, qb] = [await quarantineFile(a, q, 'core.dmp'), await quarantineFile(b, q, 'core.dmp')];
      expect(qa).not.toBe(qb);
      expect(fs.readFileSync(qa, 'utf8')).toBe('first copy');
      expect(fs.readFileSync(qb, 'utf8')).toBe('second copy');
      for (const p of [qa, qb]) expect((fs.statSync(p).mode & 0o777).toString(8)).toBe('600');
    } finally {
      now.mockRestore();
    }
  });
});

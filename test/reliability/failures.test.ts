// Every failing file gets exactly one greppable stderr line: `dumpscrub: FAILED <file>: <reason>`; successes get none.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir, runCliHere } from '../lead/cli-harness.js';
import { plant } from './util.js';

const LINE = /^dumpscrub: FAILED (\S.*?): (\S.*)$/;

function failed(stderr: string): Array<{ file: string; reason: string }> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('dumpscrub: FAILED'))
    .map((l) => {
      const m = LINE.exec(l);
      expect(m).not.toBeNull();
      return { file: m![1], reason: m![2] };
    });
}

describe('FAILED lines', () => {
  it('a batch with good and bad inputs: one line per bad file, none for good ones, worst exit code', async () => {
    const dir = tempDir();
    const good = plant(dir, 'good.bin').file;
    const stars = path.join(dir, 'stars.bin');
    fs.writeFileSync(stars, Buffer.concat([Buffer.alloc(4096), Buffer.from(`\0${'*'.repeat(24)}\0`), Buffer.alloc(4096)]));
    const known = path.join(dir, 'known.txt');
    fs.writeFileSync(known, `${'*'.repeat(24)}\n`);
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir);
    // a directory squatting on the destination name: the publish step fails after verification
    fs.mkdirSync(path.join(outDir, 'blocked.bin'));
    fs.copyFileSync(good, path.join(dir, 'blocked.bin'));
    const r = await runCliHere(['scrub', good, stars, path.join(dir, 'blocked.bin'), '--out-dir', outDir, '--known-secret', known, '--fill-binary', '42', '--fill-text', '#', '-q']);
    expect(r.code).toBe(3);
    const lines = failed(r.stderr);
    expect(lines.map((l) => path.basename(l.file)).sort()).toEqual(['blocked.bin', 'stars.bin']);
    expect(lines.find((l) => l.file.endsWith('stars.bin'))!.reason).toMatch(/survived verification; nothing published/);
    expect(lines.find((l) => l.file.endsWith('blocked.bin'))!.reason).toMatch(/cannot publish .*: (EISDIR|EEXIST|ENOTEMPTY)/);
    expect(fs.existsSync(path.join(outDir, 'good.bin'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'stars.bin'))).toBe(false);
  });

  it('scan with secrets is exit 1 without a FAILED line (finding secrets is the job, not a failure)', async () => {
    const dir = tempDir();
    const r = await runCliHere(['scan', plant(dir, 'a.bin').file]);
    expect(r.code).toBe(1);
    expect(failed(r.stderr)).toEqual([]);
  });

  it('usage refusals name the file too', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'a.bin');
    const r = await runCliHere(['scrub', file, '-o', file]);
    expect(r.code).toBe(2);
    expect(failed(r.stderr).map((l) => l.file)).toEqual([file]);
  });

  it('a missing input in a batch gets its own line; the other inputs still run', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'a.bin');
    const missing = path.join(dir, 'gone.bin');
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir);
    const r = await runCliHere(['scrub', missing, file, '--out-dir', outDir, '-q']);
    expect(r.code).toBe(3);
    expect(failed(r.stderr)).toEqual([{ file: missing, reason: expect.stringMatching(/ENOENT/) }]);
    expect(fs.existsSync(path.join(outDir, 'a.bin'))).toBe(true);
  });
});

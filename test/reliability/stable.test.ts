// --wait-stable: nothing starts on a file that is still growing or held open for writing.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan } from '../../src/index.js';
import { waitStable, parseSeconds } from '../../src/stable.js';
import { runCli, tempDir } from '../lead/cli-harness.js';
import { canSeeOpenFiles } from '../../src/io/procfs.js';

/**
 * A child that appends 8 KiB every 100 ms for `writeMs`, then holds the file open (idle) for `holdMs`;
 * right after closing it creates `<file>.closed`.
 */
function slowWriter(file: string, writeMs: number, holdMs: number): Promise<void> {
  const code = `
    const fs = require('node:fs');
    const fd = fs.openSync(process.argv[1], 'a');
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (Date.now() - t0 < ${writeMs}) { fs.writeSync(fd, Buffer.alloc(8192, 0x61)); return; }
      clearInterval(tick);
      setTimeout(() => { fs.closeSync(fd); fs.writeFileSync(process.argv[1] + '.closed', ''); process.exit(0); }, ${holdMs});
    }, 100);`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', code, file], { stdio: 'ignore' });
    child.on('exit', () => resolve());
  });
}

describe('--wait-stable', () => {
  it('waits until the writer stopped growing the file AND closed it, then scans all of it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'growing.dmp');
    fs.writeFileSync(file, Buffer.alloc(4096));
    const writerDone = slowWriter(file, 800, 1200);
    await new Promise((r) => setTimeout(r, 150));
    const result = await scan(file, { waitStable: 0.4 });
    // the file was idle (but open) for 1.2 s, longer than the window: only the close releases it
    const closedBeforeScan = fs.existsSync(`${file}.closed`);
    await writerDone;
    expect(result.verdict).toBe('clean');
    expect(result.size).toBe(fs.statSync(file).size);
    if (canSeeOpenFiles()) expect(closedBeforeScan).toBe(true);
  }, 30_000);

  it('gives up with an io-error when the file never settles', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'busy.dmp');
    fs.writeFileSync(file, Buffer.alloc(10));
    const writer = slowWriter(file, 1500, 0);
    await new Promise((r) => setTimeout(r, 150));
    await expect(waitStable(file, 0.5, { maxWaitMs: 700, pollMs: 50 })).rejects.toThrow(/not stable/);
    await writer;
  }, 30_000);

  it('returns at once for a file that is already quiet', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'quiet.dmp');
    fs.writeFileSync(file, Buffer.alloc(10));
    const reasons: string[] = [];
    // no reason to wait was ever seen: it returned once the window passed, not at the deadline
    await waitStable(file, 0.2, { maxWaitMs: 60_000, onWait: (r) => reasons.push(r) });
    expect(reasons).toEqual([]);
  });

  it('CLI: a bad value is a usage error (exit 2); a good one works (exit 0)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.bin');
    fs.writeFileSync(file, Buffer.alloc(1000));
    expect(runCli(['scan', file, '--wait-stable', 'soon']).code).toBe(2);
    expect(runCli(['scan', file, '--wait-stable', '-1']).code).toBe(2);
    expect(runCli(['scan', file, '--wait-stable', '0.2']).code).toBe(0);
    expect(parseSeconds('1.5', '--wait-stable')).toBe(1.5);
  });
});

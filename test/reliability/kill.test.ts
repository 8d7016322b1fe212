// Kill at any moment (seeded short version of scripts/kill-harness.mjs): nothing lost, nothing half-written published.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { gzipSync } from 'node:zlib';
import { CLI, ROOT, filler, tempDir } from '../lead/cli-harness.js';
import { tempsIn } from './util.js';

interface Kill {
  killed: boolean;
  dest: string;
  newTemps: number;
}
interface HarnessResult {
  kills: Kill[];
  failures: string[];
  tempsLeftByKills: number;
}

describe('SIGKILL at random points', () => {
  it('5 seeded kills on a 64 MiB file: input intact, destination absent/old/complete, temps cleaned', async () => {
    const { runHarness } = (await import(path.join(ROOT, 'scripts', 'kill-harness.mjs'))) as {
      runHarness: (o: { kills: number; sizeMib: number; seed: number }) => Promise<HarnessResult>;
    };
    const res = await runHarness({ kills: 5, sizeMib: 64, seed: 20261123 });
    expect(res.failures).toEqual([]);
    expect(res.kills.length).toBe(5);
    expect(res.kills.some((k) => k.killed)).toBe(true);
    expect(res.kills.every((k) => ['absent', 'old copy intact', 'complete'].includes(k.dest))).toBe(true);
  }, 240_000);

  it('a leftover temp file of a dead pid is removed by the next run and named in a warning', () => {
    const dir = tempDir();
    const input = path.join(dir, 'in.bin');
    fs.writeFileSync(input, Buffer.alloc(64 * 1024, 0x41));
    // a pid that cannot be alive: above the kernel's pid_max
    const stale = path.join(dir, '.dumpscrub-tmp-4194305-0123456789ab-out.bin');
    fs.writeFileSync(stale, Buffer.alloc(1000));
    // a temp of a live process (ours) must be left alone
    const live = path.join(dir, `.dumpscrub-tmp-${process.pid}-0123456789ab-out.bin`);
    fs.writeFileSync(live, Buffer.alloc(10));
    const r = spawnSync(process.execPath, [CLI, 'scrub', input, '-o', path.join(dir, 'out.bin')], { env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(r.stderr.toString()).toMatch(/removed leftover temp file .*\.dumpscrub-tmp-4194305-0123456789ab-out\.bin/);
    expect(tempsIn(dir)).toEqual([path.basename(live)]);
  });

  it('the unredacted plain copy of a killed gzip scrub is removed from the temp dir by the next run', async () => {
    const dir = tempDir();
    const gz = path.join(dir, 'core.bin.gz');
    fs.writeFileSync(gz, gzipSync(filler(48 * 1024 * 1024, 3), { level: 1 }));
    const child = spawn(process.execPath, [CLI, 'scrub', gz, '-o', path.join(dir, 'out.gz')], { stdio: 'ignore' });
    const prefix = `dumpscrub-${child.pid}-`;
    const privateDir = () => fs.readdirSync(os.tmpdir()).find((n) => n.startsWith(prefix));
    // kill as soon as the decompressed copy exists
    const deadline = Date.now() + 60_000;
    let seen: string | undefined;
    while (Date.now() < deadline && child.exitCode === null) {
      seen = privateDir();
      if (seen && fs.existsSync(path.join(os.tmpdir(), seen, 'plain'))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(seen).toBeDefined();
    expect(privateDir()).toBe(seen);
    // any later run sweeps it, even one that needs no private dir itself
    const plain = path.join(dir, 'small.bin');
    fs.writeFileSync(plain, Buffer.alloc(4096));
    const next = spawnSync(process.execPath, [CLI, 'scan', plain, '-q'], { env: { ...process.env, NO_COLOR: '1' } });
    expect(next.status).toBe(0);
    expect(privateDir()).toBeUndefined();
  }, 120_000);

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`${sig} mid-write: exit 3, one FAILED line, temp file and private dir removed at once`, async () => {
      const dir = tempDir();
      const gz = path.join(dir, 'core.bin.gz');
      fs.writeFileSync(gz, gzipSync(filler(48 * 1024 * 1024, 4), { level: 1 }));
      const child = spawn(process.execPath, [CLI, 'scrub', gz, '-o', path.join(dir, 'out.gz')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const prefix = `dumpscrub-${child.pid}-`;
      const deadline = Date.now() + 60_000;
      // wait for the unredacted plain copy in the private dir: the worst moment to be interrupted
      while (Date.now() < deadline && child.exitCode === null) {
        const d = fs.readdirSync(os.tmpdir()).find((n) => n.startsWith(prefix));
        if (d && fs.existsSync(path.join(os.tmpdir(), d, 'plain'))) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill(sig);
      expect(await exited).toBe(3);
      expect(stderr).toMatch(new RegExp(`^dumpscrub: FAILED \\S.*: interrupted by ${sig}`, 'm'));
      expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(prefix))).toEqual([]);
      expect(tempsIn(dir)).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'out.gz'))).toBe(false);
    }, 120_000);
  }
});

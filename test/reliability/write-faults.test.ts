// Write failures: disk full, read-only destination, EIO — one clear line, exit 3, no partial file, input intact.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { scrub } from '../../src/index.js';
import { tempDir, runCliHere } from '../lead/cli-harness.js';
import { plant, sha256File, tempsIn } from './util.js';

const mounts: string[] = [];

/** A fresh tmpfs of `size` (needs root and mount rights); undefined where not permitted. */
function smallTmpfs(size: string): string | undefined {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

function remountReadOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
}

const loops: string[] = [];
const extMounts: string[] = [];

/**
 * ext4 on a loop device whose backing file sits on a tmpfs smaller than the file system: write()
 * succeeds into the page cache, the block layer fails later (kernel: error -5), and only fsync tells.
 */
function deferredFailureFs(): string | undefined {
  const back = smallTmpfs('24m');
  if (!back) return undefined;
  const img = path.join(back, 'backing.img');
  try {
    execFileSync('truncate', ['-s', '256M', img]);
    execFileSync('mkfs.ext4', ['-q', '-E', 'lazy_itable_init=1,lazy_journal_init=1', img], { stdio: 'ignore' });
    const loop = execFileSync('losetup', ['-f', '--show', img]).toString().trim();
    loops.push(loop);
    const mnt = tempDir();
    execFileSync('mount', ['-o', 'errors=continue', loop, mnt], { stdio: 'ignore' });
    extMounts.push(mnt);
    return mnt;
  } catch {
    return undefined;
  }
}

function quietly(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

afterAll(() => {
  // file systems on loop devices, then the loop devices, then the tmpfs mounts under them
  for (const m of extMounts) quietly('umount', [m]);
  for (const l of loops) quietly('losetup', ['-d', l]);
  for (const m of mounts) quietly('umount', [m]);
});

let canMount = false;
beforeAll(() => {
  const probe = smallTmpfs('64k');
  canMount = probe !== undefined;
});

function failedLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('dumpscrub: FAILED'));
}

describe('real file systems (root with mount rights; skipped otherwise, the injected faults below still run)', () => {
  it('disk full (1 MiB tmpfs): exit 3, one FAILED line naming ENOSPC, nothing left on the full disk', async (ctx) => {
    if (!canMount) ctx.skip();
    const mnt = smallTmpfs('1m')!;
    const dir = tempDir();
    const { file } = plant(dir, 'core.bin', 3 * 1024 * 1024);
    const before = sha256File(file);
    const r = await runCliHere(['scrub', file, '-o', path.join(mnt, 'core.clean')]);
    expect(r.code).toBe(3);
    const lines = failedLines(r.stderr);
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^dumpscrub: FAILED .*core\.bin: cannot write .*\.dumpscrub-tmp-.*: ENOSPC$/);
    expect(fs.readdirSync(mnt)).toEqual([]);
    expect(sha256File(file)).toBe(before);
  });

  it('read-only destination: exit 3 before any work, one FAILED line naming the option and EROFS, nothing written', async (ctx) => {
    if (!canMount) ctx.skip();
    const mnt = smallTmpfs('4m')!;
    remountReadOnly(mnt);
    const dir = tempDir();
    const a = plant(dir, 'a.bin', 256 * 1024).file;
    const b = plant(dir, 'b.bin', 256 * 1024).file;
    const before = [sha256File(a), sha256File(b)];
    const one = await runCliHere(['scrub', a, '-o', path.join(mnt, 'a.clean')]);
    expect(one.code).toBe(3);
    expect(failedLines(one.stderr)).toEqual([expect.stringMatching(/^dumpscrub: FAILED .*a\.clean: -o\/--output: .* is not writable \(EROFS\)$/)]);
    const batch = await runCliHere(['scrub', path.join(dir, '*.bin'), '--out-dir', mnt]);
    expect(batch.code).toBe(3);
    expect(failedLines(batch.stderr)).toEqual([expect.stringMatching(/^dumpscrub: FAILED .*: --out-dir: .* is not writable \(EROFS\)$/)]);
    expect(fs.readdirSync(mnt)).toEqual([]);
    expect([sha256File(a), sha256File(b)]).toEqual(before);
  });

  it('a write error the kernel reports only at fsync (loop device over a full tmpfs): exit 3, nothing published', async (ctx) => {
    if (!canMount) ctx.skip();
    const mnt = deferredFailureFs();
    if (!mnt) ctx.skip();
    const dir = tempDir();
    const input = path.join(dir, 'big.bin');
    fs.writeFileSync(input, randomBytes(40 * 1024 * 1024));
    const before = sha256File(input);
    const r = await runCliHere(['scrub', input, '-o', path.join(mnt!, 'big.clean')]);
    expect(r.code).toBe(3);
    expect(failedLines(r.stderr)).toEqual([expect.stringMatching(/^dumpscrub: FAILED .*big\.bin: cannot (flush|write) .*: (ENOSPC|EIO)$/)]);
    expect(fs.readdirSync(mnt!).filter((n) => n !== 'lost+found')).toEqual([]);
    expect(sha256File(input)).toBe(before);
  }, 120_000);

  it('a report or audit log that cannot be written turns a clean run into exit 3', async (ctx) => {
    if (!canMount) ctx.skip();
    const mnt = smallTmpfs('1m')!;
    remountReadOnly(mnt);
    const dir = tempDir();
    const file = path.join(dir, 'plain.bin');
    fs.writeFileSync(file, Buffer.alloc(4096, 0x20));
    const rep = await runCliHere(['scan', file, '--report', path.join(mnt, 'r.json'), '--format', 'json']);
    expect(rep.code).toBe(3);
    expect(rep.stderr).toMatch(/EROFS/);
    const aud = await runCliHere(['scan', file, '--audit-log', path.join(mnt, 'audit.jsonl')]);
    expect(aud.code).toBe(3);
    expect(aud.stderr).toMatch(/^dumpscrub: FAILED .*audit\.jsonl: --audit-log: .*EROFS\)$/m);
  });
});

describe('injected faults (library API, every platform)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function errno(code: string, syscall: string): NodeJS.ErrnoException {
    return Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
  }

  /** The FileHandle prototype, so the pipeline's own handles can be made to fail. */
  async function handleProto(): Promise<Record<string, unknown>> {
    const h = await fs.promises.open(__filename, 'r');
    const proto = Object.getPrototypeOf(h) as Record<string, unknown>;
    await h.close();
    return proto;
  }

  async function expectCleanFailure(dir: string, file: string, out: string, before: string, run: () => Promise<{ verdict: string; error?: string }>, code: RegExp) {
    const r = await run();
    expect(r.verdict).toBe('io-error');
    expect(r.error).toMatch(code);
    expect(r.error).not.toMatch(/\n/);
    expect(fs.existsSync(out)).toBe(false);
    expect(tempsIn(dir)).toEqual([]);
    expect(sha256File(file)).toBe(before);
  }

  for (const code of ['ENOSPC', 'EIO', 'EDQUOT']) {
    it(`${code} on the third write of the copy`, async () => {
      const dir = tempDir();
      const { file } = plant(dir, 'in.bin', 1024 * 1024);
      const before = sha256File(file);
      const out = path.join(dir, 'out.bin');
      const proto = await handleProto();
      const real = proto.write as (...a: unknown[]) => Promise<unknown>;
      let writes = 0;
      vi.spyOn(proto as { write: typeof real }, 'write').mockImplementation(function (this: unknown, ...a: unknown[]) {
        if (++writes === 3) return Promise.reject(errno(code, 'write'));
        return real.apply(this, a);
      });
      await expectCleanFailure(dir, file, out, before, () => scrub(file, out, { chunkSize: 64 * 1024 }), new RegExp(`cannot write .*: ${code}$`));
    });
  }

  it('EIO from fsync of the copy', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin', 256 * 1024);
    const before = sha256File(file);
    const out = path.join(dir, 'out.bin');
    const proto = await handleProto();
    vi.spyOn(proto as { sync: () => Promise<void> }, 'sync').mockRejectedValue(errno('EIO', 'fsync'));
    await expectCleanFailure(dir, file, out, before, () => scrub(file, out), /cannot flush .*: EIO$/);
  });

  it('EIO while re-reading the copy for verification', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin', 512 * 1024);
    const before = sha256File(file);
    const out = path.join(dir, 'out.bin');
    const proto = await handleProto();
    const real = proto.read as (...a: unknown[]) => Promise<unknown>;
    let failing = false;
    vi.spyOn(proto as { read: typeof real }, 'read').mockImplementation(function (this: unknown, ...a: unknown[]) {
      if (failing) return Promise.reject(errno('EIO', 'read'));
      return real.apply(this, a);
    });
    await expectCleanFailure(
      dir,
      file,
      out,
      before,
      () =>
        scrub(file, out, {
          chunkSize: 64 * 1024,
          onProgress: (phase, done, total) => {
            if (phase === 'write' && done === total) failing = true;
          },
        }),
      /EIO/,
    );
  });

  it('EIO on the final rename', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin', 256 * 1024);
    const before = sha256File(file);
    const out = path.join(dir, 'out.bin');
    vi.spyOn(fs.promises, 'rename').mockRejectedValue(errno('EIO', 'rename'));
    await expectCleanFailure(dir, file, out, before, () => scrub(file, out), /cannot publish .*: EIO$/);
  });
});

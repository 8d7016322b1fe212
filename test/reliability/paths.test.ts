// Paths: no writing through symlinks, no following directory symlinks unasked, input == output refused, 0600 outputs.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, ROOT, tempDir, runCliHere } from '../lead/cli-harness.js';
import { plant, sha256File, tempsIn } from './util.js';

function scannedFiles(stdout: Buffer): string[] {
  return (JSON.parse(stdout.toString()) as { files: Array<{ file: string }> }).files.map((f) => path.basename(f.file)).sort();
}

describe('symlinks at the destination are replaced, never written through', () => {
  it('-o naming a symlink to another file: the link target stays byte-identical', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin');
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious, must not change');
    const before = sha256File(victim);
    const link = path.join(dir, 'out.bin');
    fs.symlinkSync(victim, link);
    const r = await runCliHere(['scrub', file, '-o', link]);
    expect(r.code).toBe(0);
    expect(sha256File(victim)).toBe(before);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
    expect(fs.statSync(link).size).toBe(fs.statSync(file).size);
  });

  it('--out-dir with a symlink under the input name: replaced, target unchanged', async () => {
    const dir = tempDir();
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir);
    const { file } = plant(dir, 'core.bin');
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, path.join(outDir, 'core.bin'));
    expect((await runCliHere(['scrub', file, '--out-dir', outDir])).code).toBe(0);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.lstatSync(path.join(outDir, 'core.bin')).isFile()).toBe(true);
  });

  it('a dangling symlink at the destination does not create its target', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin');
    const target = path.join(dir, 'elsewhere', 'created.bin');
    fs.mkdirSync(path.dirname(target));
    const link = path.join(dir, 'out.bin');
    fs.symlinkSync(target, link);
    expect((await runCliHere(['scrub', file, '-o', link])).code).toBe(0);
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe('input equal to output is refused', () => {
  it('same path, a symlink to the input, a hard link, --out-dir of its own directory: exit 2, input intact', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin');
    const before = sha256File(file);
    const sym = path.join(dir, 'sym.bin');
    fs.symlinkSync(file, sym);
    const hard = path.join(dir, 'hard.bin');
    fs.linkSync(file, hard);
    for (const args of [
      ['-o', file],
      ['-o', sym],
      ['-o', hard],
      ['--out-dir', dir],
    ]) {
      const r = await runCliHere(['scrub', file, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/same file/);
    }
    expect(sha256File(file)).toBe(before);
    expect(fs.lstatSync(sym).isSymbolicLink()).toBe(true);
    expect(tempsIn(dir)).toEqual([]);
  });

  it('--in-place refuses a symlinked or hard-linked input (the dump would stay readable under the other name)', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'real.bin');
    const before = sha256File(file);
    const sym = path.join(dir, 'link.bin');
    fs.symlinkSync(file, sym);
    const viaLink = await runCliHere(['scrub', sym, '--in-place']);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toMatch(/symbolic link/);
    expect(fs.lstatSync(sym).isSymbolicLink()).toBe(true);
    fs.linkSync(file, path.join(dir, 'second-name.bin'));
    const viaHard = await runCliHere(['scrub', file, '--in-place']);
    expect(viaHard.code).toBe(2);
    expect(viaHard.stderr).toMatch(/hard link/);
    expect(sha256File(file)).toBe(before);
  });
});

describe('directory symlinks in globs and directory inputs', () => {
  it('are not followed unless --follow-symlinks', async () => {
    const dir = tempDir();
    const tree = path.join(dir, 'tree');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(tree, 'sub', 'inside.dmp'), Buffer.alloc(1024));
    fs.writeFileSync(path.join(outside, 'secret-store.dmp'), Buffer.alloc(1024));
    fs.symlinkSync(outside, path.join(tree, 'linked'));
    for (const input of [path.join(tree, '**', '*.dmp'), tree]) {
      const plain = await runCliHere(['scan', input, '--format', 'json']);
      expect(plain.code).toBe(0);
      expect(scannedFiles(plain.stdout)).toEqual(['inside.dmp']);
      const follow = await runCliHere(['scan', input, '--format', 'json', '--follow-symlinks']);
      expect(scannedFiles(follow.stdout)).toEqual(['inside.dmp', 'secret-store.dmp']);
    }
  });
});

describe('modes', () => {
  it('copy, report and audit log are 0600 even under umask 000', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin');
    const out = path.join(dir, 'out.bin');
    const report = path.join(dir, 'report.json');
    const audit = path.join(dir, 'audit.jsonl');
    const cmd = `umask 000 && exec "${process.execPath}" "${CLI}" scrub "${file}" -o "${out}" --format json --report "${report}" --audit-log "${audit}"`;
    const r = spawnSync('/bin/sh', ['-c', cmd], { env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    for (const p of [out, report, audit]) expect((fs.statSync(p).mode & 0o777).toString(8)).toBe('600');
  });
});

describe('special files', () => {
  it('a FIFO given to the library API is refused (usage-error), never blocks the run', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'pipe.dmp');
    spawnSync('mkfifo', [fifo]);
    const api = path.join(ROOT, 'dist', 'index.js');
    const code = `import(${JSON.stringify(api)}).then(async (m) => {
      const out = [];
      for (const r of [await m.scan(process.argv[1]), await m.verify(process.argv[1]), await m.scrub(process.argv[1], process.argv[1] + '.out')]) out.push(r.verdict);
      console.log(out.join(','));
    });`;
    // in a child with a timeout: a blocking open would otherwise hang the suite
    const r = spawnSync(process.execPath, ['-e', code, fifo], { timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.toString().trim()).toBe('usage-error,usage-error,usage-error');
    expect(fs.existsSync(`${fifo}.out`)).toBe(false);
  });
});

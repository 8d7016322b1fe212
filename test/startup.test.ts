// The installed command's start-up: --version loads nothing but the version; the rest is the CLI.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

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

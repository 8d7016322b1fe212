// Core a live child process with gdb's gcore. Returns undefined (with the reason) when impossible.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasGcore(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v gcore && command -v gdb'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Cored {
  core: string;
  pid: number;
  exe: string;
}

/** Starts `cmd args`, feeds `input`, waits for `ready` on its stdout (or a short delay), gcores it, then kills it. */
export async function coreOf(cmd: string, args: string[], ready?: string, input?: string, env?: NodeJS.ProcessEnv): Promise<Cored | string> {
  const dir = mkdtempSync(join(tmpdir(), 'gcore-'));
  const child: ChildProcess = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'], env: env ? { ...process.env, ...env } : process.env });
  if (input !== undefined) child.stdin!.write(input); // secrets go in via stdin, never argv
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (ready ? reject(new Error('child never became ready')) : resolve()), ready ? 10_000 : 300);
      if (ready) {
        let seen = '';
        child.stdout!.on('data', (d: Buffer) => {
          seen += d.toString();
          if (seen.includes(ready)) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
      child.on('error', reject);
    });
    const pid = child.pid!;
    const prefix = join(dir, 'core');
    try {
      execFileSync('gcore', ['-o', prefix, String(pid)], { stdio: 'pipe', timeout: 60_000 });
    } catch (err) {
      return `gcore failed: ${String((err as { stderr?: Buffer }).stderr ?? err).slice(0, 300)}`;
    }
    const core = `${prefix}.${pid}`;
    if (!existsSync(core)) return 'gcore wrote no core file';
    const exe = execFileSync('readlink', ['-f', `/proc/${pid}/exe`], { encoding: 'utf8' }).trim();
    return { core, pid, exe };
  } finally {
    child.kill('SIGKILL');
  }
}

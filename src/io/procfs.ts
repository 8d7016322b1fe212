// What /proc and kill(0) say about other processes: liveness, start time, files open for writing.
import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether `pid` names a live process (EPERM: alive, just not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a Linux process in ms since the epoch, or undefined where /proc cannot tell. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // fields after the parenthesised command name; starttime is field 22 (index 19 after the name)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = /^btime\s+(\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'));
    if (!Number.isFinite(ticks) || !btime) return undefined;
    return Number(btime[1]) * 1000 + (ticks * 1000) / 100; // USER_HZ is 100 on every Linux ABI
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote something last at `mtimeMs` is certainly gone (dead, or its pid reused since). */
export function creatorGone(pid: number, mtimeMs: number): boolean {
  if (!pidAlive(pid)) return true;
  const started = processStartMs(pid);
  // 2 s slack for clock granularity: only a clearly younger process proves pid reuse
  return started !== undefined && started > mtimeMs + 2000;
}

/** Whether /proc exposes other processes' descriptors here (Linux). */
export function canSeeOpenFiles(): boolean {
  return process.platform === 'linux' && fs.existsSync('/proc/self/fdinfo');
}

/**
 * The subset of `keys` (`dev:ino`) that some process has open for writing, from /proc/<pid>/fd links
 * and the access mode in /proc/<pid>/fdinfo. Only links that resolve under `dirReal` are stat'ed.
 */
export async function openForWriting(keys: ReadonlySet<string>, dirReal: string): Promise<Set<string>> {
  const found = new Set<string>();
  if (keys.size === 0 || !canSeeOpenFiles()) return found;
  let pids: string[];
  try {
    pids = (await fsp.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return found;
  }
  const prefix = dirReal.endsWith(path.sep) ? dirReal : dirReal + path.sep;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await fsp.readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's process we may not inspect
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = await fsp.readlink(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!target.startsWith(prefix)) continue;
      try {
        const st = await fsp.stat(`/proc/${pid}/fd/${fd}`);
        const key = `${st.dev}:${st.ino}`;
        if (!keys.has(key) || found.has(key)) continue;
        const info = await fsp.readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        const m = /^flags:\s+([0-7]+)$/m.exec(info);
        // O_ACCMODE: 1 = O_WRONLY, 2 = O_RDWR
        if (m && (parseInt(m[1], 8) & 3) !== 0) found.add(key);
      } catch {
        continue;
      }
    }
  }
  return found;
}

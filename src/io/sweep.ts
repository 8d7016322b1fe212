// What killed runs left behind: temp files beside destinations, private directories in the temp dir.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lstatOrNull } from './input.js';
import { creatorGone } from './procfs.js';
import { TEMP_PREFIX } from './publish.js';

/** A leftover temp file of a run that died, found in a destination directory. */
export interface StaleTemp {
  path: string;
  pid: number;
}

/**
 * Temp files (`.dumpscrub-tmp-<pid>-…`) in `dir` whose creator is gone: its pid is dead, or was
 * reused by a process that started after the file was last written.
 */
export async function findStaleTemps(dir: string): Promise<StaleTemp[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const out: StaleTemp[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const m = /^(\d{1,10})-/.exec(name.slice(TEMP_PREFIX.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid) continue;
    const p = path.join(dir, name);
    const st = await lstatOrNull(p);
    if (!st || !st.isFile() || !creatorGone(pid, st.mtimeMs)) continue;
    out.push({ path: p, pid });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Remove stale temps in `dir`; returns the paths removed (unlink never follows a link). */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const t of await findStaleTemps(dir)) {
    try {
      await fsp.unlink(t.path);
      removed.push(t.path);
    } catch {
      // another run cleaned it first, or we may not: either way it is not ours to report
    }
  }
  return removed;
}

/**
 * Remove private temp directories of dead runs (stdin spools and decompressed gzip inputs: unredacted
 * bytes) from the system temp directory; only our own, only real directories. Returns what was removed.
 */
export async function removeStalePrivateDirs(tmp: string = os.tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(tmp);
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const removed: string[] = [];
  for (const name of names) {
    const m = /^dumpscrub-(\d{1,10})-[A-Za-z0-9]{6}$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    const p = path.join(tmp, name);
    try {
      const st = await fsp.lstat(p);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      if (!creatorGone(Number(m[1]), st.mtimeMs)) continue;
      await fsp.rm(p, { recursive: true, force: true });
      removed.push(p);
    } catch {
      continue;
    }
  }
  return removed;
}

let privateDirsSwept = false;

/** Once per process: the first private dir made, or the CLI guard, sweeps. */
export async function removeStalePrivateDirsOnce(): Promise<void> {
  if (privateDirsSwept) return;
  privateDirsSwept = true;
  await removeStalePrivateDirs();
}

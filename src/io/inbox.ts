// The gate's view of its inbox: one listing (lstat, no symlink following) and a watcher that wakes the poll.
import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IoError, ioMessage } from '../errors.js';
import { lstatOrNull } from './input.js';

/** Where the gate keeps originals it retains, and failures unless told otherwise: under the inbox. */
export const RETAINED_DIR = '.dumpscrub-originals';
export const DEFAULT_QUARANTINE_DIR = '.dumpscrub-quarantine';

/** One directory entry as lstat sees it (symlinks are not followed). */
export interface DirEntry {
  name: string;
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** `dev:ino`, the key open-writer checks compare. */
  key: string;
}

/** The entries directly inside `dir`; entries that vanish while listing are skipped. */
export async function listDirEntries(dir: string): Promise<DirEntry[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot list ${dir}`));
  }
  const out: DirEntry[] = [];
  for (const name of names.sort()) {
    const p = path.join(dir, name);
    const st = await lstatOrNull(p);
    if (!st) continue;
    const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
    out.push({ name, path: p, kind, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, key: `${st.dev}:${st.ino}` });
  }
  return out;
}

/** fs.watch on a directory; returns a closer, or null when the platform or file system cannot watch. */
export function watchDirectory(dir: string, onChange: () => void, onError: (message: string) => void): (() => void) | null {
  try {
    const w = fs.watch(dir, { persistent: true }, () => onChange());
    w.on('error', (err) => {
      onError(ioMessage(err, `watch ${dir}`));
      w.close();
    });
    return () => w.close();
  } catch (err) {
    onError(ioMessage(err, `watch ${dir}`));
    return null;
  }
}

// Private temp directories (0700) for stdin spools and decompressed copies: unredacted bytes, removed on exit.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { track, untrack } from './inflight.js';
import { removeStalePrivateDirsOnce } from './sweep.js';

/** Private temp directories are `<tmpdir>/dumpscrub-<pid>-XXXXXX`. */
export const PRIVATE_PREFIX = 'dumpscrub-';

/** A private temp directory (0700) for stdin spools and decompressed copies. */
export async function makePrivateTempDir(): Promise<string> {
  // the pid in the name lets a later run remove what a killed one left (plain, unredacted copies)
  await removeStalePrivateDirsOnce();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `${PRIVATE_PREFIX}${process.pid}-`));
  track(dir);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  untrack(dir);
}

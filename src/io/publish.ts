// Temp output beside the destination, atomic publish, quarantine, and moves that never overwrite.
import { constants as C, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { IoError, UsageError, ioMessage } from '../errors.js';
import { exists } from './input.js';
import { track, untrack } from './inflight.js';

/** Recognisable prefix of every temp file we create, so a later run can find leftovers. */
export const TEMP_PREFIX = '.dumpscrub-tmp-';

/** A temp file opened for writing: exclusive create, no symlink following, mode 0600. */
export interface TempOutput {
  path: string;
  write(buf: Buffer): Promise<void>;
  /** fsync and close; the data is on disk when this resolves. */
  commit(): Promise<void>;
  /** Close (if open) and delete. Never throws. */
  discard(): Promise<void>;
}

export async function createTemp(dir: string, base: string): Promise<TempOutput> {
  const name = `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}-${path.basename(base)}`;
  const p = path.join(dir, name);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(p, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot create temp file in ${dir}`));
  }
  track(p);
  let open = true;
  return {
    path: p,
    async write(buf) {
      let done = 0;
      try {
        while (done < buf.length) {
          const { bytesWritten } = await handle!.write(buf, done, buf.length - done);
          done += bytesWritten;
        }
      } catch (err) {
        // ENOSPC / EIO / EDQUOT: name the file, keep the one-line code
        throw new IoError(ioMessage(err, `cannot write ${p}`));
      }
    },
    async commit() {
      try {
        await handle!.sync();
        await handle!.close();
      } catch (err) {
        throw new IoError(ioMessage(err, `cannot flush ${p} to disk`));
      }
      open = false;
    },
    async discard() {
      if (open) {
        open = false;
        await handle!.close().catch(() => undefined);
      }
      await fsp.rm(p, { force: true }).catch(() => undefined);
      untrack(p);
    },
  };
}

/** Atomically move a verified temp file to its destination and make the rename durable. */
export async function publish(tempPath: string, dest: string): Promise<void> {
  try {
    await fsp.rename(tempPath, dest);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot publish ${dest}`));
  }
  untrack(tempPath);
  await fsyncDir(path.dirname(dest));
}

async function fsyncDir(dir: string): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(dir, C.O_RDONLY);
    await h.sync();
  } catch {
    // some file systems refuse fsync on directories; the rename itself is still atomic
  } finally {
    await h?.close().catch(() => undefined);
  }
}

/** Move a failed copy into the quarantine directory with mode 0600; returns its new path. */
export async function quarantineFile(tempPath: string, dir: string, name: string): Promise<string> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  // never over another quarantined copy (two runs, same name, same millisecond): link, or a free name
  const dest = await moveInto(tempPath, dir, `${path.basename(name)}.${Date.now()}.quarantined`, 0o600);
  untrack(tempPath);
  return dest;
}

/** `dir/name`, or `dir/stem.N.ext` with the first N that is free (checked, not reserved). */
export async function freePath(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 0; n < 10_000; n++) {
    const p = path.join(dir, n === 0 ? name : `${stem}.${n}${ext}`);
    if (!(await exists(p))) return p;
  }
  throw new IoError(`no free name for ${name} in ${dir}`);
}

/** Move a file into `dir` without ever overwriting (link+unlink, or exclusive copy across devices); chmod `mode`. */
export async function moveInto(src: string, dir: string, name: string, mode: number): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const dest = await freePath(dir, name);
    try {
      await fsp.link(src, dest);
      await fsp.unlink(src);
      await fsp.chmod(dest, mode);
      return dest;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw new IoError(ioMessage(err, `cannot move ${src}`));
      try {
        await fsp.copyFile(src, dest, fs.constants.COPYFILE_EXCL);
        await fsp.chmod(dest, mode);
        await fsp.unlink(src);
        return dest;
      } catch (err2) {
        if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new IoError(ioMessage(err2, `cannot move ${src}`));
      }
    }
  }
  throw new IoError(`cannot move ${src}: destination names kept colliding`);
}

/** Write a small new file exclusively with mode 0600 (reason files). */
export async function writePrivateFile(p: string, text: string): Promise<void> {
  try {
    await fsp.writeFile(p, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot write ${p}`));
  }
}

export async function removeFile(p: string): Promise<void> {
  try {
    await fsp.unlink(p);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot remove ${p}`));
  }
}

export async function ensureDir(dir: string): Promise<void> {
  try {
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) throw new UsageError(`${dir}: not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new IoError(ioMessage(err, `output directory ${dir}`));
  }
}

/** Create a directory (and parents) with mode 0700 if missing; it must end up a directory. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot create ${dir}`));
  }
  await ensureDir(dir);
}

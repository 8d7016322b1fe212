// Inputs: open for random and chunked reads, identity (what "unchanged" compares), small files read whole.
import { constants as C, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import { InputChangedError, IoError, UsageError, ioMessage } from '../errors.js';

/** Identity of a file at one moment: what "the input did not change" compares. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

function identityOf(st: fs.Stats): FileIdentity {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, dev: st.dev };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

export async function identity(p: string): Promise<FileIdentity> {
  return identityOf(await fsp.stat(p));
}

/** An open input: random access for format parsers, sequential chunks for detectors. */
export interface InputFile {
  path: string;
  size: number;
  identity: FileIdentity;
  /** Synchronous read; short at EOF. */
  readAt(offset: number, length: number): Buffer;
  /** Fill `buf` from `offset`; returns bytes read (short only at EOF). */
  read(buf: Buffer, offset: number, length?: number): Promise<number>;
  /** Identity of the open descriptor now (catches in-place rewrites even after a rename). */
  fstat(): Promise<FileIdentity>;
  close(): Promise<void>;
}

export async function openInput(p: string): Promise<InputFile> {
  let handle: fsp.FileHandle;
  try {
    // O_NONBLOCK: a FIFO swapped in for the file must be refused below, not block the run forever
    handle = await fsp.open(p, C.O_RDONLY | C.O_NONBLOCK);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot open ${p}`));
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new UsageError(`${p}: not a regular file`);
  }
  const fd = handle.fd;
  return {
    path: p,
    size: st.size,
    identity: identityOf(st),
    readAt(offset, length) {
      const len = Math.max(0, Math.min(length, st.size - offset));
      const buf = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = fs.readSync(fd, buf, got, len - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return got === len ? buf : buf.subarray(0, got);
    },
    async read(buf, offset, length = buf.length) {
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got;
    },
    async fstat() {
      return identityOf(await handle.stat());
    },
    async close() {
      await handle.close();
    },
  };
}

/** Fill `buf` with exactly `want` bytes from `offset`; a short read means the input shrank under us. */
export async function readExactly(input: InputFile, buf: Buffer, offset: number, want: number, name: string = input.path): Promise<void> {
  const got = await input.read(buf, offset, want);
  if (got !== want) throw new InputChangedError(name, `short read at offset ${offset + got}`);
}

/** True when both paths name the same file (same device and inode). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([fsp.stat(a), fsp.stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** lstat, or null when the entry vanished or cannot be read (a directory listing races its files). */
export async function lstatOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return await fsp.lstat(p);
  } catch {
    return null;
  }
}

export async function realPath(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot resolve ${p}`));
  }
}

/** Size and mtime of `p` now, following symlinks like openInput does. */
export async function sizeAndMtime(p: string): Promise<{ size: number; mtimeMs: number; key: string }> {
  try {
    const st = await fsp.stat(p);
    return { size: st.size, mtimeMs: st.mtimeMs, key: `${st.dev}:${st.ino}` };
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot stat ${p}`));
  }
}

/**
 * Why replacing `p` by rename would leave the dump readable elsewhere: `p` is a symbolic link (the
 * rename replaces the link), or the file has other hard links (they keep the old bytes). Else undefined.
 */
export async function inPlaceHazard(p: string): Promise<string | undefined> {
  let st: fs.Stats;
  try {
    st = await fsp.lstat(p);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) return 'is a symbolic link; --in-place would replace the link, not the dump it points to (pass the real path)';
  if (st.isFile() && st.nlink > 1) return `has ${st.nlink - 1} other hard link(s) that would keep the unscrubbed bytes; refusing --in-place`;
  return undefined;
}

export async function readSmallFile(p: string, what: string): Promise<Buffer> {
  try {
    const st = await fsp.stat(p);
    if (st.size > 64 * 1024 * 1024) throw new UsageError(`${what} ${p}: larger than 64 MiB`);
    return await fsp.readFile(p);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(ioMessage(err, `cannot read ${what} ${p}`));
  }
}

/** A config file's text, or undefined when it does not exist. */
export async function readTextIfExists(p: string): Promise<string | undefined> {
  try {
    const st = await fsp.stat(p);
    if (!st.isFile()) throw new UsageError(`${p}: not a regular file`);
    if (st.size > 4 * 1024 * 1024) throw new UsageError(`${p}: larger than 4 MiB`);
    return await fsp.readFile(p, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(ioMessage(err, `cannot read ${p}`));
  }
}

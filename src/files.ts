// The only module that touches the file system: globbing, chunked reads, temp files, fsync, publish.
import { constants as C, createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import fg from 'fast-glob';

/** Recognisable prefix of every temp file we create, so a later run can find leftovers. */
export const TEMP_PREFIX = '.dumpscrub-tmp-';

export class UsageError extends Error {}
export class IoError extends Error {}

/** Turn an fs error into a one-line message that names the path but never any content. */
export function ioMessage(err: unknown, what: string): string {
  const e = err as NodeJS.ErrnoException;
  return `${what}: ${e.code ?? 'error'}${e.message && !e.code ? ` ${e.message}` : ''}`;
}

export interface ExpandOptions {
  followSymlinks?: boolean;
}

/** Files, directories (recursively) and globs → sorted unique file paths; '-' stays as stdin. */
export async function expandInputs(patterns: string[], opts: ExpandOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (p === '-') {
      out.push('-');
      continue;
    }
    let st: fs.Stats | undefined;
    try {
      st = await fsp.stat(p);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) out.push(p);
    else if (st?.isDirectory()) {
      const found = await fg('**/*', {
        cwd: p,
        onlyFiles: true,
        dot: false,
        followSymbolicLinks: opts.followSymlinks ?? false,
        absolute: false,
      });
      out.push(...found.sort().map((f) => path.join(p, f)));
    } else if (fg.isDynamicPattern(p)) {
      const found = await fg(p, { onlyFiles: true, dot: false, followSymbolicLinks: opts.followSymlinks ?? false });
      if (found.length === 0) throw new UsageError(`no files match ${p}`);
      out.push(...found.sort());
    } else if (st) {
      throw new UsageError(`${p}: not a regular file or directory`);
    } else {
      throw new IoError(`${p}: ENOENT (no such file)`);
    }
  }
  return [...new Set(out)];
}

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
    handle = await fsp.open(p, C.O_RDONLY);
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
  let open = true;
  return {
    path: p,
    async write(buf) {
      let done = 0;
      while (done < buf.length) {
        const { bytesWritten } = await handle!.write(buf, done, buf.length - done);
        done += bytesWritten;
      }
    },
    async commit() {
      await handle!.sync();
      await handle!.close();
      open = false;
    },
    async discard() {
      if (open) {
        open = false;
        await handle!.close().catch(() => undefined);
      }
      await fsp.rm(p, { force: true }).catch(() => undefined);
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
  const dest = path.join(dir, `${path.basename(name)}.${Date.now()}.quarantined`);
  try {
    await fsp.rename(tempPath, dest);
  } catch {
    await fsp.copyFile(tempPath, dest, fs.constants.COPYFILE_EXCL);
    await fsp.rm(tempPath, { force: true });
  }
  await fsp.chmod(dest, 0o600);
  return dest;
}

export async function removeQuietly(p: string): Promise<void> {
  await fsp.rm(p, { force: true }).catch(() => undefined);
}

/** A private temp directory (0700) for stdin spools and decompressed copies. */
export async function makePrivateTempDir(): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'dumpscrub-'));
}

export async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Copy stdin into a file in `dir` (mode 0600) so it can be read twice and verified. */
export async function spoolStdin(dir: string): Promise<string> {
  const p = path.join(dir, 'stdin');
  await pipeline(process.stdin, createWriteStream(p, { flags: 'wx', mode: 0o600 }));
  return p;
}

/** Stream a (verified) file to stdout. */
export async function streamToStdout(p: string): Promise<void> {
  await pipeline(createReadStream(p), process.stdout, { end: false });
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

/** Write a report file atomically (temp + rename), mode 0600. */
export async function writeTextFile(p: string, text: string): Promise<void> {
  const dir = path.dirname(path.resolve(p));
  const tmp = await createTemp(dir, path.basename(p));
  try {
    await tmp.write(Buffer.from(text, 'utf8'));
    await tmp.commit();
    await fsp.rename(tmp.path, p);
  } catch (err) {
    await tmp.discard();
    throw new IoError(ioMessage(err, `cannot write ${p}`));
  }
}

/** Append one line to a log file (created 0600). */
export async function appendLine(p: string, line: string): Promise<void> {
  try {
    await fsp.appendFile(p, line.endsWith('\n') ? line : `${line}\n`, { mode: 0o600 });
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot append to ${p}`));
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

/** True when this module is the script node was started with (also through an npm bin symlink). */
export function isEntryPoint(moduleUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(new URL(moduleUrl));
  } catch {
    return false;
  }
}

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(p: string): Promise<boolean> {
  const h = await fsp.open(p, C.O_RDONLY).catch(() => undefined);
  if (!h) return false;
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await h.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await h.close();
  }
}

/** Decompress a gzip file (all members) into a new private file. */
export async function gunzipFile(src: string, dest: string): Promise<void> {
  try {
    await pipeline(createReadStream(src), createGunzip(), createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot decompress ${src}`));
  }
}

/** Compress `src` into an open temp output (committed by the caller). */
export async function gzipInto(src: string, out: TempOutput): Promise<void> {
  const gz = createReadStream(src).pipe(createGzip({ level: 6 }));
  for await (const chunk of gz) await out.write(chunk as Buffer);
}

export async function hashFile(p: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot read ${p}`));
  }
  return hash.digest('hex');
}

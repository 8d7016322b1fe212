// Temp output, publish and quarantine (split out of the old files.ts, the one module that touched the disk).
import { constants as C, createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';

/** Recognisable prefix of every temp file we create, so a later run can find leftovers. */
export const TEMP_PREFIX = '.dumpscrub-tmp-';

export class UsageError extends Error {}
export class IoError extends Error {}
/** The input's bytes or identity changed while we read it (exit 3); one wording everywhere. */
export class InputChangedError extends IoError {
  constructor(file: string, why: string) {
    super(`${file}: input changed during the run (${why})`);
  }
}

/** Turn an fs error into a one-line message that names the path but never any content. */
export function ioMessage(err: unknown, what: string): string {
  const e = err as NodeJS.ErrnoException;
  return `${what}: ${e.code ?? 'error'}${e.message && !e.code ? ` ${e.message}` : ''}`;
}

export interface ExpandOptions {
  followSymlinks?: boolean;
  /** Directories whose files a directory or glob expansion never yields (--out-dir, --quarantine). */
  excludeDirs?: string[];
}

/** fast-glob and its dependencies load on first use: a plain file path never needs them. */
let globber: typeof import('fast-glob') | undefined;
async function fastGlob(): Promise<typeof import('fast-glob')> {
  return (globber ??= (await import('fast-glob')).default);
}

/** One input: its path, and its path below the directory or glob base it was found under. */
export interface ExpandedInput {
  file: string;
  /** Relative name to keep under --out-dir (the basename for a file named explicitly). */
  rel: string;
}

/** Names dumpscrub gives its own copies (`x.scrubbed.dmp`, `x.scrubbed.dmp.gz`, `stdin.scrubbed`). */
export function isScrubOutputName(name: string): boolean {
  return /\.scrubbed(\.[^./]+)*$/.test(path.basename(name));
}

export interface Expansion {
  inputs: ExpandedInput[];
  /** Patterns (globs) that matched nothing: not an error, nothing to scan. */
  unmatched: string[];
  /** Earlier outputs of dumpscrub a directory or glob expansion left out. */
  skippedOutputs: string[];
}

/**
 * Files, directories (recursively) and globs → unique inputs in order; '-' stays as stdin. Our own
 * outputs (`*.scrubbed.*`, anything under `excludeDirs`) are inputs only when named explicitly.
 */
export async function expandInputs(patterns: string[], opts: ExpandOptions = {}): Promise<Expansion> {
  const out: ExpandedInput[] = [];
  const unmatched: string[] = [];
  const skippedOutputs: string[] = [];
  const excluded = await Promise.all((opts.excludeDirs ?? []).map((d) => fsp.realpath(d).catch(() => path.resolve(d))));
  const keep = async (file: string): Promise<boolean> => {
    const real = await fsp.realpath(file).catch(() => path.resolve(file));
    const ours = isScrubOutputName(file) || excluded.some((d) => real.startsWith(d + path.sep));
    if (ours) skippedOutputs.push(file);
    return !ours;
  };
  for (const p of patterns) {
    if (p === '-') {
      out.push({ file: '-', rel: 'stdin' });
      continue;
    }
    let st: fs.Stats | undefined;
    try {
      st = await fsp.stat(p);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) out.push({ file: p, rel: path.basename(p) });
    else if (st?.isDirectory()) {
      const fg = await fastGlob();
      const found = await fg('**/*', {
        cwd: p,
        onlyFiles: true,
        dot: false,
        followSymbolicLinks: opts.followSymlinks ?? false,
        absolute: false,
      });
      for (const f of found.sort()) if (await keep(path.join(p, f))) out.push({ file: path.join(p, f), rel: f });
    } else if ((await fastGlob()).isDynamicPattern(p)) {
      const fg = await fastGlob();
      const found = await fg(p, { onlyFiles: true, dot: false, followSymbolicLinks: opts.followSymlinks ?? false });
      if (found.length === 0) unmatched.push(p);
      const base = fg.generateTasks([p])[0]?.base ?? '.';
      for (const f of found.sort()) if (await keep(f)) out.push({ file: f, rel: path.relative(base, f) || path.basename(f) });
    } else if (st) {
      throw new UsageError(`${p}: not a regular file or directory`);
    } else {
      // kept: the per-file pass fails it with its own FAILED line and audit record; the rest still run
      out.push({ file: p, rel: path.basename(p) });
    }
  }
  const seen = new Set<string>();
  return { inputs: out.filter((i) => !seen.has(i.file) && Boolean(seen.add(i.file))), unmatched, skippedOutputs };
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
  inflight.add(p);
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
      inflight.delete(p);
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
  inflight.delete(tempPath);
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
  inflight.delete(tempPath);
  return dest;
}

export async function removeQuietly(p: string): Promise<void> {
  await fsp.rm(p, { force: true }).catch(() => undefined);
}

/** A private temp directory (0700) for stdin spools and decompressed copies. */
export async function makePrivateTempDir(): Promise<string> {
  // the pid in the name lets a later run remove what a killed one left (plain, unredacted copies)
  await removeStalePrivateDirsOnce();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `${PRIVATE_PREFIX}${process.pid}-`));
  inflight.add(dir);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  inflight.delete(dir);
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
  const h = await fsp.open(p, C.O_RDONLY | C.O_NONBLOCK).catch(() => undefined);
  if (!h) return false;
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await h.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } catch {
    return false; // not seekable (FIFO) or unreadable: openInput reports why
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

/** Whether an output name asks for gzip: the name decides, as gzip users expect. */
export function namesGzip(p: string): boolean {
  return /\.gz$/i.test(p);
}

export async function copyInto(src: string, out: TempOutput): Promise<void> {
  for await (const chunk of createReadStream(src)) await out.write(chunk as Buffer);
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

// --- gate / config helpers

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

/** lstat, or null when the entry vanished or cannot be read (a directory listing races its files). */
async function lstatOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return await fsp.lstat(p);
  } catch {
    return null;
  }
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

export async function realPath(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot resolve ${p}`));
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

export async function fileMode(p: string): Promise<number> {
  return (await fsp.stat(p)).mode & 0o777;
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

// --- reliability helpers

/** A leftover temp file of a run that died, found in a destination directory. */
export interface StaleTemp {
  path: string;
  pid: number;
}

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

/** Private temp directories are `<tmpdir>/dumpscrub-<pid>-XXXXXX`. */
export const PRIVATE_PREFIX = 'dumpscrub-';

/** Whether the process that wrote something last at `mtimeMs` is certainly gone (dead, or its pid reused since). */
function creatorGone(pid: number, mtimeMs: number): boolean {
  if (!pidAlive(pid)) return true;
  const started = processStartMs(pid);
  // 2 s slack for clock granularity: only a clearly younger process proves pid reuse
  return started !== undefined && started > mtimeMs + 2000;
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
async function removeStalePrivateDirsOnce(): Promise<void> {
  if (privateDirsSwept) return;
  privateDirsSwept = true;
  await removeStalePrivateDirs();
}

/** The input the CLI is working on, for the line an interrupt prints ('-' between files). */
let inProgress = '-';
export function setInProgress(display: string): void {
  inProgress = display;
}

/** Temp files and private directories this process made and has not yet published or removed. */
const inflight = new Set<string>();

/**
 * For CLI runs: sweep private dirs that killed runs left (in the background), and on SIGINT, SIGTERM
 * or SIGHUP remove what is in flight (private dirs hold unredacted bytes), print one FAILED line and
 * exit 3, instead of dying with the leftovers in place.
 */
export function guardCliRun(): void {
  void removeStalePrivateDirsOnce();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const p of inflight) {
        try {
          fs.rmSync(p, { recursive: true, force: true });
        } catch {
          // best effort: a later run removes what is left
        }
      }
      process.stderr.write(`dumpscrub: FAILED ${inProgress}: interrupted by ${sig}; not published\n`);
      process.exit(3);
    });
  }
}

/**
 * Append one line to a log that must be a regular file: a symlink at the path is refused (no
 * redirecting the audit trail), a FIFO cannot block the run (O_NONBLOCK), a new file is 0600.
 */
export async function appendLogLine(p: string, line: string): Promise<void> {
  let h: fsp.FileHandle | undefined;
  try {
    h = await fsp.open(p, C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_NOFOLLOW | C.O_NONBLOCK, 0o600);
    if (!(await h.stat()).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    await h.write(line.endsWith('\n') ? line : `${line}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // O_NOFOLLOW on a symlink fails with ELOOP: say what it means
    throw new IoError(ioMessage(code === 'ELOOP' ? { code: 'symlink refused' } : err, `cannot append to ${p}`));
  } finally {
    await h?.close().catch(() => undefined);
  }
}

// stdin as a file that can be read twice: a regular file on stdin is read where it is; a pipe is spooled
// into a file that loses its name as soon as it is open, so no exit (not even SIGKILL) leaves clear bytes.
import { constants as C, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { IoError, UsageError, ioMessage } from '../errors.js';

export interface Spool {
  /** A path that opens the spooled bytes (a /proc/self/fd link while the file has no name). */
  path: string;
  /** Close the descriptor; the bytes go with it. Never throws. */
  release(): Promise<void>;
}

/** Whether this platform can reopen an open descriptor by path (so the spool can be unlinked at once). */
function canReopenDescriptors(): boolean {
  return process.platform === 'linux' && fs.existsSync('/proc/self/fd');
}

/** Where a pipe on stdin would be spooled: --spool-dir, else the system temp directory. */
export function spoolDirFor(flag: string | undefined): string {
  return path.resolve(flag ?? os.tmpdir());
}

/** stdin is a regular file (`< dump`): it is read in place, no copy is made. */
export function stdinIsFile(): boolean {
  try {
    return fs.fstatSync(0).isFile();
  } catch {
    return false;
  }
}

/** Spool stdin (unless it is a regular file) and return a readable path for it. */
export async function spoolStdin(dir: string, say: (line: string) => void, onBytes?: (spooled: number) => void): Promise<Spool> {
  if (stdinIsFile()) return { path: canReopenDescriptors() ? '/proc/self/fd/0' : '/dev/stdin', release: async () => undefined };
  try {
    if (!(await fsp.stat(dir)).isDirectory()) throw new UsageError(`--spool-dir ${dir}: not a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(ioMessage(err, `--spool-dir ${dir}`));
  }
  const named = path.join(dir, `.dumpscrub-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(named, C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new IoError(ioMessage(err, `cannot spool stdin in ${dir}`));
  }
  const anonymous = canReopenDescriptors();
  if (anonymous) await fsp.unlink(named).catch(() => undefined);
  say(anonymous ? `spooling stdin (unredacted) to an unnamed 0600 file in ${dir}; it is gone when dumpscrub exits` : `spooling stdin (unredacted) to ${named} (0600); removed when dumpscrub exits`);
  const release = async () => {
    await handle.close().catch(() => undefined);
    if (!anonymous) await fsp.rm(named, { force: true }).catch(() => undefined);
  };
  try {
    let spooled = 0;
    for await (const chunk of process.stdin) {
      const buf = chunk as Buffer;
      for (let done = 0; done < buf.length;) done += (await handle.write(buf, done, buf.length - done)).bytesWritten;
      spooled += buf.length;
      onBytes?.(spooled);
    }
    await handle.sync();
  } catch (err) {
    await release();
    throw new IoError(ioMessage(err, `cannot spool stdin in ${dir}`));
  }
  return { path: anonymous ? `/proc/self/fd/${handle.fd}` : named, release };
}

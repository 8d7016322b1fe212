// Report files (written whole, atomically) and append-only logs (audit trail).
import { constants as C, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { IoError, ioMessage } from '../errors.js';
import { createTemp } from './publish.js';

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

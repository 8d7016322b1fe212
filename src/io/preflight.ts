// Every destination is checked before any input is read, so a run that cannot write its report, log or
// copy fails at once with one line naming the option, instead of after publishing something.
import { constants as C, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { DestinationError, UsageError } from '../errors.js';

/** A file the run will create or replace (`-o`, `--report`, `--audit-log`): its directory must take it. */
export async function checkFileDestination(option: string, file: string): Promise<void> {
  const st = await fsp.stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new UsageError(`${option} ${file}: is a directory, expected a file`);
  const dir = path.dirname(path.resolve(file));
  const d = await fsp.stat(dir).catch(() => undefined);
  if (!d) throw new UsageError(`${option} ${file}: directory ${dir} does not exist`);
  if (!d.isDirectory()) throw new UsageError(`${option} ${file}: ${dir} is not a directory`);
  await writable(option, file, dir);
}

/** A directory the run writes into (`--out-dir`, `--quarantine`): created when missing, then it must take files. */
export async function prepareDirDestination(option: string, dir: string, mode = 0o755): Promise<void> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) throw new UsageError(`${option} ${dir}: not a directory`);
  if (!st) {
    try {
      await fsp.mkdir(dir, { recursive: true, mode });
    } catch (err) {
      throw new DestinationError(dir, `${option} cannot be created (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  await writable(option, dir, dir);
}

async function writable(option: string, what: string, dir: string): Promise<void> {
  try {
    await fsp.access(dir, C.W_OK | C.X_OK);
  } catch (err) {
    throw new DestinationError(what, `${option}: ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

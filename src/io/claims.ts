// Claims let many gate workers share one inbox: a dump is taken by renaming it into the worker's own claim
// directory (atomic, so exactly one worker wins), and the claims of a worker that died are put back.
//
// Layout (all on the inbox's and outbox's own file systems, so every move is a rename):
//   INBOX/.dumpscrub-claims/<worker>/lease          heartbeat: rewritten every lease/4, JSON {host, pid}
//   INBOX/.dumpscrub-claims/<worker>/files/<name>   dumps this worker took
//   OUTBOX/.dumpscrub-work/<worker>/<name>/         its temp copy, and `out` once verified clean
// A verified copy becomes `out` first; then the original is removed; then `out` moves into the outbox.
// Whatever step a kill interrupts, recovery finishes it or undoes it, so each dump is published once.
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { moveInto } from './publish.js';
import { pidAlive } from './procfs.js';

export const CLAIMS_DIR = '.dumpscrub-claims';
export const WORK_DIR = '.dumpscrub-work';
const RECLAIMED = '.reclaimed+';

export interface ClaimOptions {
  inbox: string;
  outbox: string;
  workerId?: string;
  /** A worker whose lease was not renewed for this long is dead; its claims are put back. */
  leaseMs: number;
  log: (line: string) => void;
  /** Publishes a verified copy a dead worker left (after removing its original, when still there). */
  finish: FinishRecovered;
}

/** What recovery does with a verified copy whose original may still be in the claim. */
export type FinishRecovered = (out: string, name: string, original: string | undefined) => Promise<void>;

/** `host-pid`, made safe as a directory name. */
export function defaultWorkerId(): string {
  return `${os.hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

interface Lease {
  host: string;
  pid: number;
}

async function readLease(dir: string): Promise<{ lease?: Lease; mtimeMs?: number }> {
  try {
    const p = path.join(dir, 'lease');
    const [text, st] = await Promise.all([fsp.readFile(p, 'utf8'), fsp.stat(p)]);
    return { lease: JSON.parse(text) as Lease, mtimeMs: st.mtimeMs };
  } catch {
    return {};
  }
}

async function names(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch(() => [] as string[]);
}

export class Claims {
  readonly id: string;
  private readonly root: string;
  private readonly mine: string;
  private readonly work: string;
  private beat = 0;

  constructor(private readonly o: ClaimOptions) {
    this.id = o.workerId ?? defaultWorkerId();
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(this.id) || this.id.startsWith('.')) throw new UsageError(`--worker-id ${this.id}: letters, digits, . _ - only`);
    this.root = path.join(o.inbox, CLAIMS_DIR);
    this.mine = path.join(this.root, this.id);
    this.work = path.join(o.outbox, WORK_DIR, this.id);
  }

  /** Creates this worker's directories; a live worker with the same id is refused. */
  async start(): Promise<void> {
    const { lease, mtimeMs } = await readLease(this.mine);
    if (lease && !(await this.dead(lease, mtimeMs))) throw new UsageError(`--worker-id ${this.id} is in use by a live worker (${lease.host} pid ${lease.pid})`);
    if (lease) await this.recover(this.id);
    await fsp.mkdir(path.join(this.mine, 'files'), { recursive: true, mode: 0o700 });
    await this.heartbeat();
  }

  /** Renews the lease (a write, so the file system's clock stamps it). */
  async heartbeat(): Promise<void> {
    this.beat++;
    await fsp.writeFile(path.join(this.mine, 'lease'), JSON.stringify({ host: os.hostname(), pid: process.pid, beat: this.beat }), { mode: 0o600 });
  }

  /** Takes `name` from the inbox; undefined when another worker was first (or it is gone). */
  async claim(name: string): Promise<string | undefined> {
    const to = path.join(this.mine, 'files', name);
    try {
      await fsp.rename(path.join(this.o.inbox, name), to);
      return to;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Puts a claimed dump back into the inbox (never over another file); returns its name there. */
  async release(claimed: string): Promise<string> {
    return path.basename(await moveInto(claimed, this.o.inbox, path.basename(claimed), 0o600));
  }

  /** A private directory in the outbox for one dump's temp copy and its verified `out`. */
  async workDirFor(name: string): Promise<string> {
    const d = path.join(this.work, name);
    await fsp.rm(d, { recursive: true, force: true });
    // another worker may remove the shared parent between the steps of a recursive mkdir: once more then
    await fsp.mkdir(d, { recursive: true, mode: 0o700 }).catch(() => fsp.mkdir(d, { recursive: true, mode: 0o700 }));
    return d;
  }

  /** Removes the dump's work directory, and the parents once empty, so the outbox shows only copies. */
  async doneWith(name: string): Promise<void> {
    await fsp.rm(path.join(this.work, name), { recursive: true, force: true });
    for (const d of [this.work, path.dirname(this.work)]) await fsp.rmdir(d).catch(() => undefined);
  }

  /** Removes this worker's (empty) directories at a clean stop; claims still held stay for recovery. */
  async stop(): Promise<void> {
    if ((await names(path.join(this.mine, 'files'))).length > 0) return;
    await fsp.rm(this.mine, { recursive: true, force: true });
    await fsp.rm(this.work, { recursive: true, force: true });
    // the shared parents go when the last worker leaves (rmdir refuses while another worker has a directory)
    for (const d of [this.root, path.dirname(this.work)]) await fsp.rmdir(d).catch(() => undefined);
  }

  /** Dead: same host and its pid is gone, or its lease is older than ours by more than the lease time. */
  private async dead(lease: Lease | undefined, mtimeMs: number | undefined): Promise<boolean> {
    if (lease && lease.host === os.hostname() && lease.pid !== process.pid && !pidAlive(lease.pid)) return true;
    if (mtimeMs === undefined) return true;
    // compare against our own fresh lease, so clocks of other hosts do not matter
    const ours = await fsp.stat(path.join(this.mine, 'lease')).catch(() => undefined);
    const now = ours?.mtimeMs ?? Date.now();
    return now - mtimeMs > this.o.leaseMs;
  }

  /** Puts back the claims of dead workers; returns the names that went back into the inbox. */
  async recoverStale(): Promise<string[]> {
    const back: string[] = [];
    for (const entry of await names(this.root)) {
      if (entry === this.id) continue;
      if (entry.startsWith(RECLAIMED)) {
        // a recovery that itself was interrupted: its owner is the part before the second '+'
        const [owner] = entry.slice(RECLAIMED.length).split('+');
        const ownerLease = await readLease(path.join(this.root, owner));
        const dir = path.join(this.root, entry);
        const st = await fsp.stat(dir).catch(() => undefined);
        if (!ownerLease.lease && st && Date.now() - st.mtimeMs < this.o.leaseMs) continue;
        if (ownerLease.lease && !(await this.dead(ownerLease.lease, ownerLease.mtimeMs))) continue;
        back.push(...(await this.takeOver(dir, entry.slice(RECLAIMED.length).split('+')[1] ?? '')));
        continue;
      }
      if (entry.startsWith('.')) continue;
      const { lease, mtimeMs } = await readLease(path.join(this.root, entry));
      if (!lease) {
        // a worker that is still creating its directory has no lease for a moment
        const st = await fsp.stat(path.join(this.root, entry)).catch(() => undefined);
        if (!st || Date.now() - st.mtimeMs < this.o.leaseMs) continue;
      } else if (!(await this.dead(lease, mtimeMs))) continue;
      const mark = path.join(this.root, `${RECLAIMED}${this.id}+${entry}+${randomBytes(3).toString('hex')}`);
      try {
        await fsp.rename(path.join(this.root, entry), mark);
      } catch {
        continue; // another worker is recovering it
      }
      this.o.log(`gate: worker ${entry} is gone; recovering its claims`);
      back.push(...(await this.takeOver(mark, entry)));
    }
    return back;
  }

  /** This worker's own claims left by an earlier run under the same id. */
  private async recover(id: string): Promise<void> {
    const mark = path.join(this.root, `${RECLAIMED}${this.id}+${id}+${randomBytes(3).toString('hex')}`);
    await fsp.rename(this.mine, mark);
    await this.takeOver(mark, id);
  }

  private async takeOver(dir: string, dead: string): Promise<string[]> {
    const files = path.join(dir, 'files');
    const work = path.join(this.o.outbox, WORK_DIR, dead);
    for (const name of await names(work)) {
      const out = path.join(work, name, 'out');
      const original = path.join(files, name);
      const st = await fsp.stat(out).catch(() => undefined);
      // linked into the outbox already (the original went first): only the extra name is left to remove
      if (st && st.nlink > 1) await fsp.unlink(out);
      // verified before the kill: finish the publish instead of scrubbing again
      else if (st)
        await this.o.finish(
          out,
          name,
          (await fsp.stat(original).then(
            () => true,
            () => false,
          ))
            ? original
            : undefined,
        );
    }
    const back: string[] = [];
    for (const name of await names(files)) back.push(path.basename(await moveInto(path.join(files, name), this.o.inbox, name, 0o600)));
    if (dead) await fsp.rm(work, { recursive: true, force: true });
    await fsp.rm(dir, { recursive: true, force: true });
    return back;
  }
}

// Gate mode: watch a drop directory, scrub each file once it is stable and closed, publish only verified
// copies, quarantine everything else with a reason, and log one audit line per file.
import * as path from 'node:path';
import { scrubFile } from './scrub.js';
import type { ScrubOptions } from './options.js';
import { AuditWriter, countByRule } from './audit.js';
import { exitOf, worst } from './exit.js';
import { isStable, observe, pollInterval, realClock } from './stable.js';
import type { Clock, Observation } from './stable.js';
import { Claims } from './io/claims.js';
import { EXIT } from './types.js';
import type { ExitCode, FileResult, Verdict } from './types.js';
import { DEFAULT_QUARANTINE_DIR, listDirEntries, RETAINED_DIR, watchDirectory } from './io/inbox.js';
import type { DirEntry } from './io/inbox.js';
import { UsageError } from './errors.js';
import { canSeeOpenFiles, openForWriting } from './io/procfs.js';
import { ensureDir, ensurePrivateDir, moveInto, removeFile, writePrivateFile } from './io/publish.js';
import { exists, realPath, sizeAndMtime } from './io/input.js';

export { DEFAULT_QUARANTINE_DIR, RETAINED_DIR };

export interface GateOptions {
  inbox: string;
  outbox: string;
  /** Defaults to <inbox>/.dumpscrub-quarantine. */
  quarantine?: string;
  once: boolean;
  originals: 'delete' | 'retain';
  auditLog?: string;
  /** A file must be unchanged this long (and closed by every writer) before it is touched. */
  stableSeconds: number;
  /** --once only: give up on files that never settle after this long (they count as failures). */
  maxWaitSeconds: number;
  scrub: ScrubOptions;
  /** Human progress lines (stderr in the CLI). */
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Poll period; defaults to pollInterval(the stable window). */
  pollMs?: number;
  /** Time for the stability window and --max-wait (tests step one by hand). */
  clock?: Clock;
  /** This worker's name among the workers sharing the inbox (default host-pid). */
  workerId?: string;
  /** A worker whose lease is older than this is dead and its claimed dumps go back (default 60). */
  claimTimeoutSeconds?: number;
}

export type GateEvent = 'published' | 'quarantined' | 'retry' | 'pending' | 'skipped';

export interface AuditRecord {
  time: string;
  event: GateEvent;
  file: string;
  size: number;
  sha256?: string;
  verdict?: Verdict;
  findings: number;
  survivors: number;
  rules: Record<string, number>;
  fingerprints: string[];
  output?: string;
  quarantined?: string;
  reasonFile?: string;
  original: 'deleted' | 'retained' | 'quarantined' | 'kept';
  retainedAt?: string;
  /** Set when this worker finished the publish of a worker that died after verifying the copy. */
  recoveredFrom?: string;
  worker?: string;
  exitCode: ExitCode;
  durationMs: number;
  error?: string;
}

export interface GateResult {
  exitCode: ExitCode;
  records: AuditRecord[];
}

/** Names a producer is visibly still writing: dot-files and partial-download suffixes. */
export function isCandidateName(name: string): boolean {
  if (name.startsWith('.')) return false;
  return !/\.(part|partial|tmp|crdownload|filepart)$/i.test(name);
}

/** The reason file: what failed and which findings, never a secret (fingerprints and spans only). */
export function reasonText(r: FileResult, name: string): string {
  const lines = [`dumpscrub gate: ${name} was quarantined and NOT published.`, `time: ${new Date().toISOString()}`, `verdict: ${r.verdict}`];
  if (r.error) lines.push(`reason: ${r.error}`);
  if (r.sha256) lines.push(`sha256 of the original: ${r.sha256}`);
  lines.push(`size: ${r.size} bytes, format: ${r.format}`);
  const list = (title: string, fs: FileResult['findings']) => {
    if (fs.length === 0) return;
    lines.push(`${title}:`);
    for (const f of fs) lines.push(`  [${f.start}, ${f.end}) ${f.ruleId} ${f.encoding} region=${f.region} fp=${f.fingerprint}`);
  };
  list('survived verification in the redacted copy', r.survivors ?? []);
  list('findings in the original', r.findings);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** The gate's directories, resolved and checked: all distinct, quarantine private. */
interface GateDirs {
  inbox: string;
  outbox: string;
  quarantine: string;
  retained: string;
}

async function prepareDirs(o: GateOptions): Promise<GateDirs> {
  const inbox = await realPath(o.inbox);
  await ensureDir(inbox);
  await ensureDir(o.outbox);
  const outbox = await realPath(o.outbox);
  const wanted = path.resolve(o.quarantine ?? path.join(inbox, DEFAULT_QUARANTINE_DIR));
  await ensurePrivateDir(wanted);
  const quarantine = await realPath(wanted);
  if (outbox === inbox) throw new UsageError('--outbox must differ from --inbox');
  if (quarantine === inbox || quarantine === outbox) throw new UsageError('--quarantine must differ from --inbox and --outbox');
  const retained = path.join(inbox, RETAINED_DIR);
  if (o.originals === 'retain') await ensurePrivateDir(retained);
  if (!canSeeOpenFiles()) o.log('gate: cannot inspect open files on this platform; relying on size/mtime stability only');
  return { inbox, outbox, quarantine, retained };
}

type Disposed = { original: AuditRecord['original']; retainedAt?: string };

/** One gate run: poll the inbox, settle, claim, scrub, publish or quarantine, audit. */
class Gate {
  private readonly records: AuditRecord[] = [];
  private exitCode: ExitCode = EXIT.CLEAN;
  /** What the polls saw of each candidate, by name. */
  private readonly seen = new Map<string, Observation>();
  /** Names already told to be ignored (not regular files). */
  private readonly warned = new Set<string>();
  /** Identities that could not even be quarantined: not retried until they change. */
  private readonly failed = new Set<string>();
  /** --once: names handled (or given up on) of those present at the start. */
  private readonly resolved = new Set<string>();
  private initial: Set<string> | undefined;
  /** Ends the current pause early (the inbox changed). */
  private wake: (() => void) | undefined;
  private readonly clock: Clock;
  private readonly stableMs: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly started: number;
  private readonly claims: Claims;
  private readonly audit: AuditWriter | undefined;

  constructor(
    private readonly o: GateOptions,
    private readonly dirs: GateDirs,
  ) {
    this.clock = o.clock ?? realClock;
    this.leaseMs = Math.max(1, o.claimTimeoutSeconds ?? 60) * 1000;
    this.claims = new Claims({
      inbox: dirs.inbox,
      outbox: dirs.outbox,
      workerId: o.workerId,
      leaseMs: this.leaseMs,
      log: o.log,
      finish: (out, name, original) => this.finishRecovered(out, name, original),
    });
    this.audit = o.auditLog ? new AuditWriter(o.auditLog, o.log) : undefined;
    this.stableMs = Math.max(0, o.stableSeconds * 1000);
    this.pollMs = o.pollMs ?? pollInterval(this.stableMs);
    this.started = this.clock.now();
  }

  async run(): Promise<GateResult> {
    const closeWatch = this.o.once
      ? null
      : watchDirectory(
          this.dirs.inbox,
          () => this.wake?.(),
          (m) => this.o.log(`gate: ${m}; falling back to polling every ${this.pollMs} ms`),
        );
    await this.claims.start();
    // the lease is renewed on a timer, so a long scrub does not look like a dead worker
    const heartbeat = setInterval(() => void this.claims.heartbeat().catch(() => undefined), Math.max(250, this.leaseMs / 4));
    try {
      while (!this.o.signal?.aborted) {
        const candidates = await this.poll();
        await this.handleSettled(candidates);
        if (this.o.once && (await this.onceFinished(candidates))) break;
        await this.pause();
      }
    } finally {
      clearInterval(heartbeat);
      closeWatch?.();
      await this.claims.stop().catch(() => undefined);
    }
    return { exitCode: this.exitCode, records: this.records };
  }

  /** One look at the inbox: dead workers' dumps back, the regular files listed, each one observed. */
  private async poll(): Promise<DirEntry[]> {
    const recovered = await this.claims.recoverStale();
    if (recovered.length) this.o.log(`gate: ${recovered.length} dump(s) of a dead worker back in the inbox: ${recovered.join(', ')}`);
    const candidates: DirEntry[] = [];
    for (const e of await listDirEntries(this.dirs.inbox)) {
      if (!isCandidateName(e.name)) continue;
      if (e.kind === 'file') candidates.push(e);
      else if (e.kind !== 'dir' && !this.warned.has(e.name)) {
        this.warned.add(e.name);
        this.o.log(`gate: ignoring ${e.name}: not a regular file (${e.kind})`);
      }
    }
    this.initial ??= new Set(candidates.map((c) => c.name));
    for (const name of recovered) this.initial.add(name);
    const present = new Set(candidates.map((c) => c.name));
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    const nowMono = this.clock.now();
    for (const e of candidates) this.seen.set(e.name, observe(this.seen.get(e.name), e, nowMono));
    return candidates;
  }

  /** Processes the candidates that are stable and closed by every writer. */
  private async handleSettled(candidates: DirEntry[]): Promise<void> {
    const nowMono = this.clock.now();
    const nowWall = this.clock.wall();
    const settled = candidates.filter((e) => isStable(this.seen.get(e.name)!, nowMono, nowWall, this.stableMs));
    const writers = await openForWriting(new Set(settled.map((e) => e.key)), this.dirs.inbox);
    for (const e of settled) {
      if (this.o.signal?.aborted) break;
      if (writers.has(e.key)) {
        // still open for writing: the window restarts when the writer lets go
        this.seen.get(e.name)!.since = this.clock.now();
        continue;
      }
      this.seen.delete(e.name);
      await this.handleOne(e);
    }
  }

  /** One settled file; a failure even to quarantine it is told, audited, and not retried until it changes. */
  private async handleOne(e: DirEntry): Promise<void> {
    const fault = `${e.key}:${e.size}:${e.mtimeMs}`;
    if (this.failed.has(fault)) return;
    try {
      const outcome = await this.claimAndProcess(e);
      if (outcome === 'done' || outcome === 'taken') this.resolved.add(e.name);
    } catch (err) {
      // could not even quarantine: leave it, say so, and do not spin on it until it changes
      this.failed.add(fault);
      this.resolved.add(e.name);
      const message = err instanceof Error ? err.message : 'unknown error';
      this.o.log(`dumpscrub: FAILED ${e.name}: ${message}`);
      await this.auditUnscanned('skipped', e.name, e.size, message);
    }
  }

  /** --once: done when every file present at the start is handled, or the wait ran out (those stay, audited). */
  private async onceFinished(candidates: DirEntry[]): Promise<boolean> {
    const present = new Set(candidates.map((c) => c.name));
    const left = [...(this.initial ?? [])].filter((n) => !this.resolved.has(n) && present.has(n));
    if (left.length === 0) return true;
    if (this.clock.now() - this.started <= this.o.maxWaitSeconds * 1000) return false;
    for (const name of left) {
      const e = candidates.find((c) => c.name === name);
      this.o.log(`gate: ${name} did not settle within ${this.o.maxWaitSeconds}s; left in the inbox`);
      await this.auditUnscanned('pending', name, e?.size ?? 0, 'file did not become stable and closed in time');
    }
    return true;
  }

  /** Sleeps one poll period; an inbox change or the abort signal ends it early. */
  private async pause(): Promise<void> {
    const ac = new AbortController();
    const stop = () => ac.abort();
    this.wake = stop;
    this.o.signal?.addEventListener('abort', stop, { once: true });
    try {
      await this.clock.sleep(this.pollMs, ac.signal);
    } finally {
      this.o.signal?.removeEventListener('abort', stop);
      this.wake = undefined;
    }
  }

  /** Claims the dump (another worker may be first), scrubs it, then publishes or quarantines it. */
  private async claimAndProcess(e: DirEntry): Promise<'done' | 'retry' | 'taken'> {
    const t0 = Date.now();
    const claimed = await this.claims.claim(e.name);
    if (!claimed) return 'taken';
    try {
      return await this.processClaimed(e, claimed, t0);
    } catch (err) {
      // could not finish: the dump goes back to the inbox rather than staying hidden in the claim
      if (await exists(claimed)) await this.claims.release(claimed).catch(() => undefined);
      throw err;
    } finally {
      await this.claims.doneWith(e.name);
    }
  }

  private async processClaimed(e: DirEntry, claimed: string, t0: number): Promise<'done' | 'retry'> {
    const work = await this.claims.workDirFor(e.name);
    // the verified copy lands in the work directory first, so a kill between the steps below is recoverable
    const r = await scrubFile(claimed, { path: path.join(work, 'out'), tempDir: work }, { ...this.o.scrub, quarantine: this.dirs.quarantine, inPlace: false }, e.name);
    const base = {
      time: new Date().toISOString(),
      file: e.name,
      size: r.size,
      sha256: r.sha256,
      verdict: r.verdict,
      findings: r.findings.length,
      survivors: r.survivors?.length ?? 0,
      rules: countByRule(r.findings),
      fingerprints: [...new Set(r.findings.map((f) => f.fingerprint))],
      worker: this.claims.id,
    };
    const now = await sizeAndMtime(claimed).catch(() => undefined);
    const unchanged = now !== undefined && now.key === e.key && now.size === e.size && now.mtimeMs === e.mtimeMs;

    if (r.verdict === 'redacted-verified') {
      let disposed: Disposed = { original: 'kept' };
      if (!unchanged) {
        this.o.log(`gate: ${e.name} changed after it was scrubbed; original kept for another pass`);
        await this.claims.release(claimed);
      } else disposed = await this.disposeOriginal(claimed, e.name);
      const output = await moveInto(path.join(work, 'out'), this.dirs.outbox, e.name, 0o600);
      this.o.log(`gate: published ${e.name} → ${output} (${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} redacted, verified clean)`);
      await this.record({ ...base, event: 'published', output, ...disposed, exitCode: EXIT.CLEAN, durationMs: Date.now() - t0 });
      return 'done';
    }
    if (r.verdict === 'io-error' && !unchanged) {
      // the producer was still at it: wait for it to settle again instead of quarantining a half-written dump
      this.o.log(`gate: ${e.name} changed while it was processed; waiting for it to settle`);
      await this.claims.release(claimed);
      await this.record({ ...base, event: 'retry', original: 'kept', exitCode: EXIT.CLEAN, durationMs: Date.now() - t0, error: r.error });
      return 'retry';
    }
    const q = await this.quarantineOriginal(claimed, e.name, r);
    this.o.log(`gate: QUARANTINED ${e.name}: ${r.error ?? r.verdict} (reason in ${q.reason})`);
    await this.record({
      ...base,
      event: 'quarantined',
      quarantined: q.at,
      reasonFile: q.reason,
      original: 'quarantined',
      // a file quarantined for any reason is a failure, whatever its verdict
      exitCode: exitOf(r.verdict) === EXIT.CLEAN ? EXIT.IO : exitOf(r.verdict),
      durationMs: Date.now() - t0,
      error: r.error,
    });
    return 'done';
  }

  /** Delete or retain an original whose copy was published. */
  private async disposeOriginal(at: string, name: string): Promise<Disposed> {
    if (this.o.originals === 'delete') {
      await removeFile(at);
      return { original: 'deleted' };
    }
    return { original: 'retained', retainedAt: await moveInto(at, this.dirs.retained, name, 0o600) };
  }

  private async quarantineOriginal(at: string, name: string, r: FileResult): Promise<{ at: string; reason: string }> {
    const moved = await moveInto(at, this.dirs.quarantine, name, 0o600);
    const reason = `${moved}.reason.txt`;
    await writePrivateFile(reason, reasonText(r, name));
    return { at: moved, reason };
  }

  /** Recovery: publishes a copy a dead worker verified (after disposing of its original, when still there). */
  private async finishRecovered(out: string, name: string, original: string | undefined): Promise<void> {
    const disposed: Disposed = original ? await this.disposeOriginal(original, name) : { original: 'deleted' };
    const output = await moveInto(out, this.dirs.outbox, name, 0o600);
    this.o.log(`gate: published ${name} → ${output} (verified by a worker that died before publishing it)`);
    await this.record({
      time: new Date().toISOString(),
      event: 'published',
      file: name,
      size: 0,
      findings: 0,
      survivors: 0,
      rules: {},
      fingerprints: [],
      output,
      ...disposed,
      recoveredFrom: 'dead worker',
      worker: this.claims.id,
      exitCode: EXIT.CLEAN,
      durationMs: 0,
    });
  }

  /** Audit a file the gate did not scrub (skipped after an error, or still unsettled). */
  private auditUnscanned(event: 'skipped' | 'pending', file: string, size: number, error: string): Promise<void> {
    return this.record({ time: new Date().toISOString(), event, file, size, findings: 0, survivors: 0, rules: {}, fingerprints: [], original: 'kept', exitCode: EXIT.IO, durationMs: 0, error });
  }

  /** Keeps the record, folds its exit code in, and appends it to the audit log (a failed append is exit 3). */
  private async record(rec: AuditRecord): Promise<void> {
    this.records.push(rec);
    this.exitCode = worst(this.exitCode, rec.exitCode);
    if (!this.audit) return;
    const { time, event, file, ...rest } = rec;
    if (!(await this.audit.append({ time, event, file, ...rest }))) this.exitCode = worst(this.exitCode, EXIT.IO);
  }
}

/** Runs the gate until --once has handled what was there, or until `signal` aborts. */
export async function runGate(o: GateOptions): Promise<GateResult> {
  return new Gate(o, await prepareDirs(o)).run();
}

// Gate mode: watch a drop directory, scrub each file once it is stable and closed, publish only verified
// copies, quarantine everything else with a reason, and log one audit line per file.
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { configToOptions, loadConfig } from './config.js';
import { loadKnownKeys, loadKnownSecrets } from './known.js';
import { makeOptions } from './options.js';
import { scrubFile } from './scrub.js';
import type { ScrubOptions } from './options.js';
import { Claims } from './io/claims.js';
import { EXIT } from './types.js';
import type { ExitCode, FileResult, Verdict } from './types.js';
import { listDirEntries, watchDirectory } from './io/inbox.js';
import type { DirEntry } from './io/inbox.js';
import { UsageError } from './errors.js';
import { appendLine } from './io/logs.js';
import { canSeeOpenFiles, openForWriting } from './io/procfs.js';
import { ensureDir, ensurePrivateDir, moveInto, removeFile, writePrivateFile } from './io/publish.js';
import { exists, realPath, sizeAndMtime } from './io/input.js';

export const RETAINED_DIR = '.dumpscrub-originals';
export const DEFAULT_QUARANTINE_DIR = '.dumpscrub-quarantine';

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
  /** Poll period; defaults to a quarter of the stable window, within 100 ms…1 s. */
  pollMs?: number;
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

interface Observation {
  key: string;
  size: number;
  mtimeMs: number;
  /** Monotonic time this exact identity was first seen. */
  since: number;
  polls: number;
}

/** Names a producer is visibly still writing: dot-files and partial-download suffixes. */
export function isCandidateName(name: string): boolean {
  if (name.startsWith('.')) return false;
  return !/\.(part|partial|tmp|crdownload|filepart)$/i.test(name);
}

/** Stable: same identity on at least two polls, and unchanged for the window (observed, or by an old mtime). */
export function isStable(o: Observation, nowMono: number, nowWall: number, stableMs: number): boolean {
  if (o.polls < 2) return stableMs === 0 && o.polls >= 1;
  return nowMono - o.since >= stableMs || nowWall - o.mtimeMs >= stableMs;
}

function worst(a: ExitCode, b: ExitCode): ExitCode {
  return (Math.max(a, b) as ExitCode);
}

function exitOf(v: Verdict | undefined): ExitCode {
  if (v === 'redacted-verified' || v === 'clean') return EXIT.CLEAN;
  if (v === 'survived-verification' || v === 'secrets-found') return EXIT.SECRETS;
  if (v === 'usage-error') return EXIT.USAGE;
  return EXIT.IO;
}

function ruleCounts(r: FileResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of r.findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
}

/** The reason file: what failed and which findings, never a secret (fingerprints and spans only). */
export function reasonText(r: FileResult, name: string): string {
  const lines = [
    `dumpscrub gate: ${name} was quarantined and NOT published.`,
    `time: ${new Date().toISOString()}`,
    `verdict: ${r.verdict}`,
  ];
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

function sleep(ms: number, signal: AbortSignal | undefined, wake: { fn?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      wake.fn = undefined;
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    wake.fn = done;
  });
}

/** Runs the gate until --once has handled what was there, or until `signal` aborts. */
export async function runGate(o: GateOptions): Promise<GateResult> {
  const inbox = await realPath(o.inbox);
  await ensureDir(inbox);
  await ensureDir(o.outbox);
  const outbox = await realPath(o.outbox);
  const quarantine = path.resolve(o.quarantine ?? path.join(inbox, DEFAULT_QUARANTINE_DIR));
  await ensurePrivateDir(quarantine);
  const quarantineReal = await realPath(quarantine);
  if (outbox === inbox) throw new UsageError('--outbox must differ from --inbox');
  if (quarantineReal === inbox || quarantineReal === outbox) throw new UsageError('--quarantine must differ from --inbox and --outbox');
  const retained = path.join(inbox, RETAINED_DIR);
  if (o.originals === 'retain') await ensurePrivateDir(retained);
  if (!canSeeOpenFiles()) o.log('gate: cannot inspect open files on this platform; relying on size/mtime stability only');

  const leaseMs = Math.max(1, o.claimTimeoutSeconds ?? 60) * 1000;
  /** Delete or retain an original whose copy was published. */
  const disposeOriginal = async (at: string, name: string): Promise<{ original: AuditRecord['original']; retainedAt?: string }> => {
    if (o.originals === 'delete') {
      await removeFile(at);
      return { original: 'deleted' };
    }
    return { original: 'retained', retainedAt: await moveInto(at, retained, name, 0o600) };
  };
  const claims = new Claims({
    inbox,
    outbox,
    workerId: o.workerId,
    leaseMs,
    log: o.log,
    finish: async (out, name, original) => {
      const disposed = original ? await disposeOriginal(original, name) : { original: 'deleted' as const };
      const output = await moveInto(out, outbox, name, 0o600);
      o.log(`gate: published ${name} → ${output} (verified by a worker that died before publishing it)`);
      await audit({ time: new Date().toISOString(), event: 'published', file: name, size: 0, findings: 0, survivors: 0, rules: {}, fingerprints: [], output, ...disposed, recoveredFrom: 'dead worker', worker: claims.id, exitCode: EXIT.CLEAN, durationMs: 0 });
    },
  });

  const stableMs = Math.max(0, o.stableSeconds * 1000);
  const pollMs = o.pollMs ?? Math.min(1000, Math.max(100, Math.floor(stableMs / 4)));
  const records: AuditRecord[] = [];
  let exitCode: ExitCode = EXIT.CLEAN;
  const seen = new Map<string, Observation>();
  const warned = new Set<string>();
  const failed = new Set<string>();
  const wake: { fn?: () => void } = {};
  const started = performance.now();
  let initial: Set<string> | undefined;
  const resolved = new Set<string>();

  const closeWatch = o.once
    ? null
    : watchDirectory(inbox, () => wake.fn?.(), (m) => o.log(`gate: ${m}; falling back to polling every ${pollMs} ms`));

  const audit = async (rec: AuditRecord): Promise<void> => {
    records.push(rec);
    exitCode = worst(exitCode, rec.exitCode);
    if (!o.auditLog) return;
    try {
      const { time, event, file, ...rest } = rec;
      await appendLine(o.auditLog, JSON.stringify({ time, event, file, ...rest }));
    } catch (err) {
      o.log(`dumpscrub: FAILED ${o.auditLog}: audit log: ${(err as Error).message}`);
      exitCode = worst(exitCode, EXIT.IO);
    }
  };

  const quarantineOriginal = async (at: string, name: string, r: FileResult): Promise<{ at: string; reason: string }> => {
    const moved = await moveInto(at, quarantineReal, name, 0o600);
    const reason = `${moved}.reason.txt`;
    await writePrivateFile(reason, reasonText(r, name));
    return { at: moved, reason };
  };

  /** Claims the dump (another worker may be first), scrubs it, then publishes or quarantines it. */
  const process1 = async (e: DirEntry): Promise<'done' | 'retry' | 'taken'> => {
    const t0 = Date.now();
    const claimed = await claims.claim(e.name);
    if (!claimed) return 'taken';
    try {
      return await processClaimed(e, claimed, t0);
    } catch (err) {
      // could not finish: the dump goes back to the inbox rather than staying hidden in the claim
      if (await exists(claimed)) await claims.release(claimed).catch(() => undefined);
      throw err;
    } finally {
      await claims.doneWith(e.name);
    }
  };

  const processClaimed = async (e: DirEntry, claimed: string, t0: number): Promise<'done' | 'retry'> => {
    const work = await claims.workDirFor(e.name);
    // the verified copy lands in the work directory first, so a kill between the steps below is recoverable
    const r = await scrubFile(claimed, { path: path.join(work, 'out'), tempDir: work }, { ...o.scrub, quarantine: quarantineReal, inPlace: false }, e.name);
    const base = {
      time: new Date().toISOString(),
      file: e.name,
      size: r.size,
      sha256: r.sha256,
      verdict: r.verdict,
      findings: r.findings.length,
      survivors: r.survivors?.length ?? 0,
      rules: ruleCounts(r),
      fingerprints: [...new Set(r.findings.map((f) => f.fingerprint))],
      worker: claims.id,
    };
    const now = await sizeAndMtime(claimed).catch(() => undefined);
    const unchanged = now !== undefined && now.key === e.key && now.size === e.size && now.mtimeMs === e.mtimeMs;

    if (r.verdict === 'redacted-verified') {
      let disposed: { original: AuditRecord['original']; retainedAt?: string } = { original: 'kept' };
      if (!unchanged) {
        o.log(`gate: ${e.name} changed after it was scrubbed; original kept for another pass`);
        await claims.release(claimed);
      } else disposed = await disposeOriginal(claimed, e.name);
      const output = await moveInto(path.join(work, 'out'), outbox, e.name, 0o600);
      o.log(`gate: published ${e.name} → ${output} (${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} redacted, verified clean)`);
      await audit({ ...base, event: 'published', output, ...disposed, exitCode: EXIT.CLEAN, durationMs: Date.now() - t0 });
      return 'done';
    }
    if (r.verdict === 'io-error' && !unchanged) {
      // the producer was still at it: wait for it to settle again instead of quarantining a half-written dump
      o.log(`gate: ${e.name} changed while it was processed; waiting for it to settle`);
      await claims.release(claimed);
      await audit({ ...base, event: 'retry', original: 'kept', exitCode: EXIT.CLEAN, durationMs: Date.now() - t0, error: r.error });
      return 'retry';
    }
    const q = await quarantineOriginal(claimed, e.name, r);
    o.log(`gate: QUARANTINED ${e.name}: ${r.error ?? r.verdict} (reason in ${q.reason})`);
    await audit({
      ...base,
      event: 'quarantined',
      quarantined: q.at,
      reasonFile: q.reason,
      original: 'quarantined',
      exitCode: exitOf(r.verdict) === EXIT.CLEAN ? EXIT.IO : exitOf(r.verdict),
      durationMs: Date.now() - t0,
      error: r.error,
    });
    return 'done';
  };

  /** Audit a file the gate did not scrub (skipped after an error, or still unsettled). */
  const auditUnscanned = (event: 'skipped' | 'pending', file: string, size: number, error: string): Promise<void> =>
    audit({ time: new Date().toISOString(), event, file, size, findings: 0, survivors: 0, rules: {}, fingerprints: [], original: 'kept', exitCode: EXIT.IO, durationMs: 0, error });

  await claims.start();
  // the lease is renewed on a timer, so a long scrub does not look like a dead worker
  const heartbeat = setInterval(() => void claims.heartbeat().catch(() => undefined), Math.max(250, leaseMs / 4));
  try {
    for (;;) {
      if (o.signal?.aborted) break;
      const recovered = await claims.recoverStale();
      if (recovered.length) o.log(`gate: ${recovered.length} dump(s) of a dead worker back in the inbox: ${recovered.join(', ')}`);
      const entries = await listDirEntries(inbox);
      const nowMono = performance.now();
      const nowWall = Date.now();
      const candidates: DirEntry[] = [];
      for (const e of entries) {
        if (!isCandidateName(e.name)) continue;
        if (e.kind !== 'file') {
          if (e.kind !== 'dir' && !warned.has(e.name)) {
            warned.add(e.name);
            o.log(`gate: ignoring ${e.name}: not a regular file (${e.kind})`);
          }
          continue;
        }
        candidates.push(e);
      }
      initial ??= new Set(candidates.map((c) => c.name));
      for (const name of recovered) initial.add(name);
      const present = new Set(candidates.map((c) => c.name));
      for (const name of seen.keys()) if (!present.has(name)) seen.delete(name);

      const settled: DirEntry[] = [];
      for (const e of candidates) {
        const prev = seen.get(e.name);
        if (!prev || prev.key !== e.key || prev.size !== e.size || prev.mtimeMs !== e.mtimeMs) {
          seen.set(e.name, { key: e.key, size: e.size, mtimeMs: e.mtimeMs, since: nowMono, polls: 1 });
        } else {
          prev.polls++;
        }
        if (isStable(seen.get(e.name)!, nowMono, nowWall, stableMs)) settled.push(e);
      }
      const writers = await openForWriting(new Set(settled.map((e) => e.key)), inbox);
      for (const e of settled) {
        if (o.signal?.aborted) break;
        if (writers.has(e.key)) {
          // still open for writing: the window restarts when the writer lets go
          const ob = seen.get(e.name)!;
          ob.since = performance.now();
          continue;
        }
        seen.delete(e.name);
        const fault = `${e.key}:${e.size}:${e.mtimeMs}`;
        if (failed.has(fault)) continue;
        try {
          const outcome = await process1(e);
          if (outcome === 'done' || outcome === 'taken') resolved.add(e.name);
        } catch (err) {
          // could not even quarantine: leave it, say so, and do not spin on it until it changes
          failed.add(fault);
          resolved.add(e.name);
          const message = err instanceof Error ? err.message : 'unknown error';
          o.log(`dumpscrub: FAILED ${e.name}: ${message}`);
          await auditUnscanned('skipped', e.name, e.size, message);
        }
      }

      if (o.once) {
        const left = [...initial].filter((n) => !resolved.has(n) && present.has(n));
        if (left.length === 0) break;
        if (performance.now() - started > o.maxWaitSeconds * 1000) {
          for (const name of left) {
            const e = candidates.find((c) => c.name === name);
            o.log(`gate: ${name} did not settle within ${o.maxWaitSeconds}s; left in the inbox`);
            await auditUnscanned('pending', name, e?.size ?? 0, 'file did not become stable and closed in time');
          }
          break;
        }
      }
      await sleep(pollMs, o.signal, wake);
    }
  } finally {
    clearInterval(heartbeat);
    closeWatch?.();
    await claims.stop().catch(() => undefined);
  }
  return { exitCode, records };
}

// ---------------------------------------------------------------- command line

interface GateFlags {
  inbox: string;
  outbox: string;
  quarantine?: string;
  once?: boolean;
  retainOriginals?: boolean;
  deleteOriginals?: boolean;
  auditLog?: string;
  stableSeconds?: string;
  maxWait?: string;
  workerId?: string;
  claimTimeout?: string;
  knownKey: string[];
  knownSecret: string[];
  entropy?: 'off' | 'context' | 'all';
  quiet?: boolean;
}

function seconds(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new UsageError(`${flag}: expected a number of seconds, got "${v}"`);
  return Number(v);
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** `dumpscrub gate …`; `setExit` receives the worst result. */
export function gateCommand(setExit: (code: ExitCode) => void): Command {
  return new Command('gate')
    .description('watch a drop directory; scrub each file once stable and closed; publish only verified copies')
    .requiredOption('--inbox <dir>', 'directory where dumps arrive')
    .requiredOption('--outbox <dir>', 'directory that receives verified scrubbed copies only')
    .option('--quarantine <dir>', `failures go here (mode 0600) with <name>.reason.txt (default <inbox>/${DEFAULT_QUARANTINE_DIR})`)
    .option('--once', 'process what is there, then exit with the worst result (cron, CI)')
    .option('--retain-originals', `keep originals after publishing, moved to <inbox>/${RETAINED_DIR}`)
    .option('--delete-originals', 'delete originals after publishing (default)')
    .option('--audit-log <file>', 'append one JSON line per file')
    .option('--stable-seconds <n>', 'seconds a file must be unchanged (and closed) before it is processed (default 5)')
    .option('--max-wait <seconds>', 'with --once: give up on files that never settle (default 300)')
    .option('--worker-id <id>', 'name of this worker among those sharing the inbox (default: host-pid)')
    .option('--claim-timeout <seconds>', "a worker silent this long is dead; its claimed dumps go back to the inbox (default 60)")
    .option('--known-key <file>', 'public key whose private half to hunt (repeatable)', collect, [])
    .option('--known-secret <file>', 'file of literal secrets to find (repeatable)', collect, [])
    .addOption(new Option('--entropy <level>', 'entropy detection level').choices(['off', 'context', 'all']))
    .option('-q, --quiet', 'print only failures')
    .addHelpText(
      'after',
      `
Exit codes (worst over all files): 0 every file published verified, 1 a secret survived verification
(quarantined), 2 usage or configuration error, 3 I/O failure or a file that never settled (--once).`,
    )
    .action(async (flags: GateFlags, cmd: Command) => {
      if (flags.retainOriginals && flags.deleteOriginals) throw new UsageError('use only one of --retain-originals and --delete-originals');
      const { config } = await loadConfig(cmd.optsWithGlobals().config as string | undefined);
      const { input, extraRules } = configToOptions(config);
      if (flags.entropy) input.entropy = flags.entropy;
      const scrub = makeOptions(input, { extraRules });
      scrub.knownKeys = await loadKnownKeys([...config.knownKeys, ...flags.knownKey]);
      const secrets = await loadKnownSecrets([...config.knownSecrets, ...flags.knownSecret]);
      scrub.knownSecrets = secrets.literals;
      scrub.knownSecretDigests = secrets.sha256;
      const once = Boolean(flags.once);
      const ac = new AbortController();
      const stop = () => ac.abort();
      if (!once) {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
      try {
        const result = await runGate({
          inbox: flags.inbox,
          outbox: flags.outbox,
          quarantine: flags.quarantine ?? config.gate.quarantine,
          once,
          originals: flags.retainOriginals ? 'retain' : flags.deleteOriginals ? 'delete' : config.gate.originals,
          auditLog: flags.auditLog ?? config.gate.auditLog,
          stableSeconds: seconds(flags.stableSeconds, '--stable-seconds') ?? config.gate.stableSeconds,
          maxWaitSeconds: seconds(flags.maxWait, '--max-wait') ?? 300,
          workerId: flags.workerId,
          claimTimeoutSeconds: seconds(flags.claimTimeout, '--claim-timeout'),
          scrub,
          log: (line) => {
            if (!flags.quiet || /QUARANTINED|FAILED/.test(line)) process.stderr.write(`${line}\n`);
          },
          signal: ac.signal,
        });
        setExit(result.exitCode);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

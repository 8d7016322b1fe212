// The whole flow: open → format → scan → (redact → write temp → verify from disk → check input) → publish.
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { builtinDetectors } from './detectors/index.js';
import { entropyOnPayload } from './detectors/entropy-payload.js';
import type { DetectorOptions } from './detectors/index.js';
import { detectFormat, regionAt } from './formats/index.js';
import { scanInput } from './engine.js';
import type { ScanOutput } from './engine.js';
import { collapseHits, isAllowlisted, specificity, toFinding } from './findings.js';
import { applyRedaction, planRedaction, plannedBytes } from './redact.js';
import type { FillSpan } from './redact.js';
import { regionSelected } from './options.js';
import type { ScrubOptions } from './options.js';
import { DEFAULT_ENTROPY, ENTROPY_LEVELS } from './types.js';
import { waitStable } from './stable.js';
import type { DetectContext, EntropyLevel, FileResult, Finding, FormatInfo, Hit, LearnedValue, Span } from './types.js';
import { foundValues } from './found-values.js';
import { COPY_PREFIX, MAX_HUNT_BYTES, huntFits, huntSize } from './detectors/copies.js';
import { keyIdentity, learnedIdentity } from './keys/identity.js';
import { LearnedSet } from './keys/learned.js';
import { identity, inPlaceHazard, openInput, readExactly, sameFile, sameIdentity } from './io/input.js';
import type { FileIdentity, InputFile } from './io/input.js';
import { InputChangedError, IoError, UsageError } from './errors.js';
import { createTemp, publish, quarantineFile } from './io/publish.js';
import type { TempOutput } from './io/publish.js';
import { copyInto, gunzipFile, gzipInto, hashFile, isGzip, namesGzip, streamToStdout } from './io/streams.js';
import { makePrivateTempDir, removeDir } from './io/tempdirs.js';
import { removeStaleTemps } from './io/sweep.js';

/** The verify pass never looks less hard than the default, whatever the scan was told. */
function verifyEntropy(user: EntropyLevel): EntropyLevel {
  return ENTROPY_LEVELS[Math.max(ENTROPY_LEVELS.indexOf(user), ENTROPY_LEVELS.indexOf(DEFAULT_ENTROPY))];
}

interface Analysis {
  info: FormatInfo;
  hits: Hit[];
  sha256: string;
  /** What the detectors learnt (both passes) and the values found: the verify pass hunts them in the copy too. */
  learned: LearnedValue[];
  /** Set when the found values were too many to hunt their copies (the run must fail closed). */
  capped?: string;
}

type DetectSettings = DetectorOptions;

function safeFormat(input: InputFile): FormatInfo {
  try {
    return detectFormat((o, l) => input.readAt(o, l), input.size);
  } catch (err) {
    // formats are hints: a parser failure still leaves every byte to the raw scan
    return { format: 'raw', regions: [], structural: [], extraViews: [], warnings: [`format parser failed (${(err as Error).name}); file scanned raw`] };
  }
}

/**
 * Scan all bytes (hunting `prior`, what an earlier analysis learnt, as well); then, if the
 * detectors learnt values not hunted yet (public keys, private values), hunt them in every chunk.
 */
async function analyze(input: InputFile, s: DetectSettings, opts: ScrubOptions, phase: 'scan' | 'verify', prior: LearnedValue[] = []): Promise<Analysis> {
  const info = safeFormat(input);
  const detectors = builtinDetectors(s);
  const ctx: DetectContext = { knownKeys: s.knownKeys, learned: prior, knownSecrets: s.knownSecrets, extraViews: info.extraViews, entropy: s.entropy };
  const onProgress = opts.onProgress && ((d: number, t: number) => opts.onProgress!(phase, d, t));
  const first: ScanOutput = await scanInput(input, { detectors, ctx, chunkSize: opts.chunkSize, onProgress, jobs: opts.jobs, recipe: { options: s } });
  let hits = first.hits;
  const learned = new LearnedSet();
  learned.addAll(prior);
  learned.addAll(first.learned);
  const known = new Set([...s.knownKeys.map(keyIdentity), ...prior.map(learnedIdentity)]);
  // a public key seen in the dump is hunted by its RSA factor; EC scalars only for user keys
  const fresh = opts.selfHunt ? first.learned.filter((v) => v.kind !== 'public-ec' && !known.has(learnedIdentity(v))) : [];
  // every value found is hunted across the whole input in every encoding, and so are its pieces
  let values = foundValues(first.hits, (o, l) => input.readAt(o, l)).filter((v) => !known.has(learnedIdentity(v)));
  let capped: string | undefined;
  const size = huntSize([...prior, ...values]);
  if (!huntFits(size)) {
    capped = `${values.length} distinct secret values found, more than the copy hunt holds (${size.bytes} needle bytes, at most ${MAX_HUNT_BYTES}): their copies were not searched for`;
    values = [];
  }
  learned.addAll(values);
  const hunterOptions: DetectorOptions = { entropy: 'off', knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] };
  if (fresh.length || values.length) {
    // not hashed again: scrub re-hashes the input as it writes and re-scans the copy; scan rechecks identity
    const only = ['known-key', 'copies'];
    const hunter = builtinDetectors(hunterOptions).filter((d) => only.includes(d.id));
    const huntCtx: DetectContext = { ...ctx, knownKeys: [], learned: [...fresh, ...values], knownSecrets: [] };
    const second = await scanInput(input, { detectors: hunter, ctx: huntCtx, chunkSize: opts.chunkSize, jobs: opts.jobs, recipe: { options: hunterOptions, only }, noHash: true });
    // the hunt finds each value where it was found, too: those are not copies
    const inside = containedIn(first.hits);
    hits = [...hits, ...second.hits.filter((h) => !h.ruleId.startsWith(COPY_PREFIX) || !inside(h))].sort((a, b) => a.start - b.start || a.end - b.end);
    learned.addAll(second.learned);
  }
  return { info, hits: entropyOnPayload(hits, info.structural), sha256: first.sha256, learned: learned.values(), capped };
}

/** Whether a span lies inside one of `spans` (sorted once, binary search on the running maximum of ends). */
function containedIn(spans: readonly Span[]): (s: Span) => boolean {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const maxEnd: number[] = [];
  for (const s of sorted) maxEnd.push(Math.max(maxEnd[maxEnd.length - 1] ?? -1, s.end));
  return (s) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid].start <= s.start) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && maxEnd[lo - 1] >= s.end;
  };
}

function findingsOf(a: Analysis, filter: (h: Hit) => boolean = () => true): Finding[] {
  return collapseHits(a.hits.filter(filter), specificity).map((h) => toFinding(h, regionAt(a.info.regions, h.start)));
}

function baseResult(file: string, size: number): FileResult {
  return { file, size, format: 'raw', findings: [], verdict: 'clean', warnings: [], durationMs: 0 };
}

function scanSettings(opts: ScrubOptions): DetectSettings {
  return { entropy: opts.entropy, knownKeys: opts.knownKeys, knownSecrets: opts.knownSecrets, knownSecretDigests: opts.knownSecretDigests, extraRules: opts.extraRules };
}

/** Verification settings: all detectors, the default allowlist only, never weaker than the default. */
function verifySettings(opts: ScrubOptions): DetectSettings {
  return { ...scanSettings(opts), entropy: verifyEntropy(opts.entropy) };
}

async function withInput<T>(file: string, fn: (input: InputFile) => Promise<T>): Promise<T> {
  const input = await openInput(file);
  try {
    return await fn(input);
  } finally {
    await input.close();
  }
}

/** Throws an IoError when the file at `file` is no longer the one we opened, or its bytes changed. */
async function assertUnchanged(input: InputFile, file: string, hashes: string[]): Promise<void> {
  const now = await input.fstat();
  let atPath: FileIdentity | undefined;
  try {
    atPath = await identity(file);
  } catch {
    atPath = undefined;
  }
  const changed = !sameIdentity(input.identity, now) || !atPath || !sameIdentity(input.identity, atPath) || new Set(hashes).size !== 1;
  if (changed) throw new InputChangedError(file, 'size, mtime or content hash differ');
}

function failure(result: FileResult, err: unknown, started: number): FileResult {
  const usage = err instanceof UsageError;
  const message = err instanceof Error ? err.message : 'unknown error';
  return { ...result, verdict: usage ? 'usage-error' : 'io-error', error: message.slice(0, 300), durationMs: Date.now() - started };
}

/** Rounds of redact → verify before giving up on survivors (each must change more bytes). */
const MAX_ROUNDS = 3;

/** Copy the input to `temp` with the plan applied; returns the SHA-256 of the input bytes read. */
async function writeRedacted(input: InputFile, temp: TempOutput, plan: FillSpan[], opts: ScrubOptions, display: string): Promise<string> {
  const inHash = createHash('sha256');
  const size = Math.min(opts.chunkSize, Math.max(input.size, 1));
  // two buffers: one chunk is read, hashed and redacted while the one before it is written
  const bufs: Buffer[] = [];
  let writing: Promise<void> = Promise.resolve();
  for (let off = 0, i = 0; off < input.size; off += size, i++) {
    const buf = (bufs[i & 1] ??= Buffer.allocUnsafe(size));
    const want = Math.min(size, input.size - off);
    await readExactly(input, buf, off, want, display);
    const chunk = buf.subarray(0, want);
    inHash.update(chunk);
    applyRedaction(chunk, off, plan);
    await writing;
    writing = temp.write(chunk);
    writing.catch(() => {}); // awaited next round; a read that throws first leaves it unobserved
    opts.onProgress?.('write', off + want, input.size);
  }
  await writing;
  await temp.commit();
  return inHash.digest('hex');
}

/** Runs `fn` on the file, or on a private decompressed copy when it is gzip (offsets then refer to the plain stream). */
async function onPlainBytes(file: string, fn: (plain: string) => Promise<FileResult>): Promise<FileResult> {
  if (!(await isGzip(file))) return fn(file);
  const dir = await makePrivateTempDir();
  try {
    const plain = path.join(dir, 'plain');
    const before = await hashFile(file);
    const stored = (await identity(file)).size;
    await gunzipFile(file, plain);
    const r = await fn(plain);
    // `size` is the file's own; the stream's size goes beside it, so a report says which is which
    const sizes = { size: stored, compression: 'gzip' as const, decompressedSize: r.size };
    if ((await hashFile(file)) !== before) return { ...r, ...sizes, verdict: 'io-error', error: new InputChangedError(r.file, 'content hash differs').message };
    return { ...r, ...sizes, sha256: before, warnings: [...r.warnings, 'gzip input: offsets refer to the decompressed stream'] };
  } finally {
    await removeDir(dir);
  }
}

/** Report findings; write nothing. */
export async function scanFile(file: string, opts: ScrubOptions, display = file): Promise<FileResult> {
  const unsettled = await settle(file, opts, display);
  if (unsettled) return unsettled;
  return onPlainBytes(file, (plain) => scanPlain(plain, opts, display));
}

/** The verification pass alone: every detector, the built-in allowlist only. */
export async function verifyFile(file: string, opts: ScrubOptions, display = file): Promise<FileResult> {
  const unsettled = await settle(file, opts, display);
  if (unsettled) return unsettled;
  return onPlainBytes(file, (plain) => verifyPlain(plain, opts, display));
}

async function scanPlain(file: string, opts: ScrubOptions, display: string): Promise<FileResult> {
  const regexes = opts.allowlist.regexes.map((r) => new RegExp(r));
  return inspect(
    file,
    display,
    opts,
    scanSettings(opts),
    'scan',
    (h, a) => !isAllowlisted(h, opts.allowlist, regexes) && regionSelected(regionAt(a.info.regions, h.start)?.kind ?? 'raw', opts.regions),
  );
}

function verifyPlain(file: string, opts: ScrubOptions, display: string, prior: LearnedValue[] = []): Promise<FileResult> {
  return inspect(file, display, opts, verifySettings(opts), 'verify', () => true, prior);
}

/**
 * Verify `copy`, a redacted copy of `original` (made by this tool or another): every detector, and
 * every value found in the original searched in the copy in all its encodings and pieces.
 */
export async function verifyCopyOf(copy: string, original: string, opts: ScrubOptions, display = copy): Promise<FileResult> {
  const started = Date.now();
  let learned: LearnedValue[];
  try {
    learned = await withInput(original, async (input) => (await analyze(input, verifySettings(opts), opts, 'scan')).learned);
  } catch (err) {
    return failure(baseResult(display, 0), err, started);
  }
  return onPlainBytes(copy, (plain) => verifyPlain(plain, opts, display, learned));
}

/** Analyse one file and report what `reported` keeps; writes nothing. */
async function inspect(
  file: string,
  display: string,
  opts: ScrubOptions,
  settings: DetectSettings,
  phase: 'scan' | 'verify',
  reported: (h: Hit, a: Analysis) => boolean,
  prior: LearnedValue[] = [],
): Promise<FileResult> {
  const started = Date.now();
  let result = baseResult(display, 0);
  try {
    return await withInput(file, async (input) => {
      result = baseResult(display, input.size);
      const a = await analyze(input, settings, opts, phase, prior);
      await assertUnchanged(input, file, [a.sha256]);
      const findings = findingsOf(a, (h) => reported(h, a));
      return {
        ...result,
        format: a.info.format,
        findings,
        warnings: a.capped ? [...a.info.warnings, a.capped] : a.info.warnings,
        sha256: a.sha256,
        verdict: findings.length || a.capped ? 'secrets-found' : 'clean',
        durationMs: Date.now() - started,
      };
    });
  } catch (err) {
    return failure(result, err, started);
  }
}

export interface Destination {
  /** Final path, or '-' for stdout. */
  path: string;
  /** Directory for the temp file (the destination's own, so the rename is atomic). */
  tempDir: string;
}

/**
 * Write a redacted copy, verify it from disk, and publish it only if it is clean and the input
 * did not change. Any doubt: nothing at the destination.
 */
export async function scrubFile(file: string, dest: Destination, opts: ScrubOptions, display = file): Promise<FileResult> {
  const hazard = opts.inPlace && dest.path !== '-' ? await inPlaceHazard(dest.path) : undefined;
  // renaming over a link (or one of several hard links) would leave the dump readable under another name
  if (hazard) return failure(baseResult(display, 0), new UsageError(`${display}: ${hazard}`), Date.now());
  const cleaned = dest.path === '-' ? [] : await cleanLeftovers(dest.tempDir, opts);
  const unsettled = await settle(file, opts, display);
  const r = unsettled ?? (await scrubByName(file, dest, opts, display));
  return cleaned.length ? { ...r, warnings: [...cleaned, ...r.warnings] } : r;
}

/** --wait-stable: an io-error result when the input did not settle, undefined when it is ready. */
async function settle(file: string, opts: ScrubOptions, display: string): Promise<FileResult | undefined> {
  if (!(opts.waitStable > 0) || display === '-') return undefined;
  const started = Date.now();
  try {
    await waitStable(file, opts.waitStable, { onWait: (why) => opts.onWarning?.(`${display}: waiting for the file to settle (${why})`) });
    return undefined;
  } catch (err) {
    return failure(baseResult(display, 0), err, started);
  }
}

const lastCleaned = new Map<string, number>();

/** Remove temp files of runs that died in this destination directory (once per directory every 10 s). */
async function cleanLeftovers(dir: string, opts: ScrubOptions): Promise<string[]> {
  const now = Date.now();
  if ((lastCleaned.get(dir) ?? -Infinity) > now - 10_000) return [];
  lastCleaned.set(dir, now);
  const removed = await removeStaleTemps(dir);
  const lines = removed.map((p) => `removed leftover temp file ${p} of an interrupted run`);
  for (const l of lines) opts.onWarning?.(l);
  return lines;
}

/**
 * The output's name decides its compression (`*.gz` is gzip, anything else plain bytes); stdout
 * and --in-place have no name of their own and keep the input's.
 */
async function scrubByName(file: string, dest: Destination, opts: ScrubOptions, display: string): Promise<FileResult> {
  const gzipIn = await isGzip(file);
  const gzipOut = dest.path === '-' || opts.inPlace ? gzipIn : namesGzip(dest.path);
  if (!gzipIn && !gzipOut) {
    const r = await scrubPlain(file, dest, opts, display);
    return r.output === undefined ? r : { ...r, ...outputKind(false) };
  }
  return scrubRecoded(file, dest, opts, display, gzipIn, gzipOut);
}

function outputKind(gzip: boolean): Pick<FileResult, 'outputCompression'> {
  return { outputCompression: gzip ? 'gzip' : 'none' };
}

async function scrubPlain(file: string, dest: Destination, opts: ScrubOptions, display: string): Promise<FileResult> {
  const started = Date.now();
  let result = baseResult(display, 0);
  let temp: TempOutput | undefined;
  try {
    if (dest.path !== '-' && !opts.inPlace && (await sameFile(file, dest.path))) {
      throw new UsageError(`${display}: input and output are the same file (use --in-place to replace the input)`);
    }
    return await withInput(file, async (input) => {
      result = baseResult(display, input.size);
      // scrub redacts everything verification would flag, so the user allowlist cannot leave a survivor
      const a = await analyze(input, verifySettings(opts), opts, 'scan');
      const findings = findingsOf(a);
      // copies that were not searched for could survive unseen: publish nothing
      if (a.capped) {
        return {
          ...result,
          format: a.info.format,
          findings,
          warnings: [...a.info.warnings, a.capped],
          sha256: a.sha256,
          verdict: 'survived-verification' as const,
          error: `${a.capped}; nothing published`,
          durationMs: Date.now() - started,
        };
      }
      let check: Analysis;
      let survivors: Finding[];
      // redacting can change a neighbour's context (a token next to a now-starred value): redact
      // what verification still sees and verify again, while that changes bytes
      let plan = planRedaction(findings, a.info.structural, opts.fill);
      for (let round = 1; ; round++) {
        temp = await createTemp(dest.tempDir, path.basename(dest.path === '-' ? display : dest.path));
        const writtenInputHash = await writeRedacted(input, temp, plan, opts, display);
        const written = temp.path;
        check = await withInput(written, async (copy) => {
          if (copy.size !== input.size) throw new IoError(`${display}: written copy has ${copy.size} bytes, expected ${input.size}`);
          return analyze(copy, verifySettings(opts), opts, 'verify', a.learned);
        });
        await assertUnchanged(input, file, [a.sha256, writtenInputHash]);
        survivors = findingsOf(check);
        const widened = planRedaction([...findings, ...survivors], a.info.structural, opts.fill);
        if (!survivors.length || round >= MAX_ROUNDS || plannedBytes(widened) === plannedBytes(plan)) break;
        findings.push(...survivors);
        plan = widened;
        await temp.discard();
        temp = undefined;
      }

      const common = {
        ...result,
        format: a.info.format,
        findings,
        survivors,
        warnings: [...a.info.warnings],
        sha256: a.sha256,
        outputSha256: check.sha256,
      };
      if (survivors.length) {
        let where = '';
        if (opts.quarantine) where = await quarantineFile(temp.path, opts.quarantine, display === '-' ? 'stdin' : display);
        else await temp.discard();
        temp = undefined;
        return {
          ...common,
          verdict: 'survived-verification' as const,
          error: `${survivors.length} finding(s) survived verification; nothing published${where ? `; copy quarantined at ${where}` : ''}`,
          durationMs: Date.now() - started,
        };
      }
      await deliver(temp, dest);
      temp = undefined;
      return { ...common, output: dest.path, verdict: 'redacted-verified' as const, durationMs: Date.now() - started };
    });
  } catch (err) {
    if (temp) await temp.discard();
    return failure(result, err, started);
  }
}

/** A verified copy goes to stdout (then the temp file goes) or is renamed into place. */
async function deliver(temp: TempOutput, dest: Destination): Promise<void> {
  if (dest.path === '-') {
    await streamToStdout(temp.path);
    await temp.discard();
  } else {
    await publish(temp.path, dest.path);
  }
}

/**
 * A gzip input or a gzip output: scrub and verify a private plain copy, write it in the output's
 * form, then verify again what was written (decompressed when gzip) and publish only if the input
 * did not change.
 */
async function scrubRecoded(file: string, dest: Destination, opts: ScrubOptions, display: string, gzipIn: boolean, gzipOut: boolean): Promise<FileResult> {
  const started = Date.now();
  const dir = await makePrivateTempDir();
  let temp: TempOutput | undefined;
  let result = baseResult(display, 0);
  try {
    if (dest.path !== '-' && !opts.inPlace && (await sameFile(file, dest.path))) {
      throw new UsageError(`${display}: input and output are the same file (use --in-place to replace the input)`);
    }
    const before = await identity(file);
    const inHash = await hashFile(file);
    let plain = file;
    if (gzipIn) {
      plain = path.join(dir, 'plain');
      await gunzipFile(file, plain);
    }
    const clean = path.join(dir, 'clean');
    const inner = await scrubPlain(plain, { path: clean, tempDir: dir }, opts, display);
    const sizes = gzipIn ? { size: before.size, compression: 'gzip' as const, decompressedSize: inner.size } : {};
    result = { ...inner, ...sizes, sha256: inHash };
    if (inner.verdict !== 'redacted-verified') return { ...result, output: undefined, durationMs: Date.now() - started };

    temp = await createTemp(dest.tempDir, path.basename(dest.path === '-' ? display : dest.path));
    if (gzipOut) await gzipInto(clean, temp);
    else await copyInto(clean, temp);
    await temp.commit();
    let check = temp.path;
    if (gzipOut) {
      check = path.join(dir, 'check');
      await gunzipFile(temp.path, check);
    }
    const verified = await verifyPlain(check, opts, display);
    if (verified.verdict === 'io-error') throw new IoError(verified.error ?? 'verification of the written copy failed');
    if (verified.size !== inner.size) throw new IoError(`${display}: written copy has ${verified.size} bytes, expected ${inner.size}`);
    const after = await identity(file);
    if (!sameIdentity(before, after) || (await hashFile(file)) !== inHash) {
      throw new InputChangedError(display, 'size, mtime or content hash differ');
    }
    if (verified.findings.length) {
      await temp.discard();
      temp = undefined;
      return {
        ...result,
        output: undefined,
        survivors: verified.findings,
        verdict: 'survived-verification',
        error: `${verified.findings.length} finding(s) survived verification of the written copy; nothing published`,
        durationMs: Date.now() - started,
      };
    }
    const outputSha256 = await hashFile(temp.path);
    await deliver(temp, dest);
    temp = undefined;
    return { ...result, ...outputKind(gzipOut), output: dest.path, outputSha256, verdict: 'redacted-verified', durationMs: Date.now() - started };
  } catch (err) {
    if (temp) await temp.discard();
    return failure(result, err, started);
  } finally {
    await removeDir(dir);
  }
}

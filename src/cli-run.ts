// The runs behind the command line's actions: options from flags and config, inputs, the pipeline per
// file, the report and the exit code. Loaded on demand by cli.ts, so --help and usage errors load none of it.
import * as path from 'node:path';
import type { ScrubOptions } from './options.js';
import { scanFile, scrubFile, verifyFile } from './scrub.js';
import { EXIT } from './types.js';
import type { EntropyLevel, ExitCode, FileResult, Report } from './types.js';
import { decideColor, renderJson, renderJsonl, renderJsonlEnd, renderSarif, renderSummary, renderText } from './report.js';
import type { RuleDescriptor } from './report.js';
import { loadedConfigOf } from './cli-pipelines.js';
import { buildScrubOptions } from './run-options.js';
import { worstOf } from './exit.js';
import { listRules } from './catalog.js';
import { checkRule, rulesOf } from './rules-check.js';
import { VERSION } from './version.js';
import { AuditWriter } from './audit.js';
import { parseSeconds } from './stable.js';
import { spoolDirFor, spoolStdin } from './io/spool.js';
import { createProgress, progressCallback, PROGRESS_MIN_BYTES, SCAN_STAGES, SCRUB_STAGES, shouldShowProgress } from './progress.js';
import type { Phase, Progress } from './progress.js';
import { allFindingIds } from './finding-ids.js';
import { applySelection } from './selection.js';
import type { Selection } from './selection.js';
import { IGNORE_FILE_NAME, parseIgnoreFile } from './ignore-file.js';
import { parseBaseline } from './baseline.js';
import { pathAllowlisted } from './config.js';
import type { Spool } from './io/spool.js';
import { checkFileDestination, prepareDirDestination } from './io/preflight.js';
import { UsageError } from './errors.js';
import { expandInputs } from './io/expand.js';
import { guardCliRun, setInProgress } from './io/signals.js';
import { makePrivateTempDir, removeDir } from './io/tempdirs.js';
import { identity, readSmallFile, readTextIfExists } from './io/input.js';
import { writeTextFile } from './io/logs.js';

export interface CommonFlags {
  format: 'text' | 'json' | 'jsonl' | 'sarif';
  summary?: boolean;
  verbose?: boolean;
  report?: string;
  entropy: EntropyLevel;
  knownKey: string[];
  knownSecret: string[];
  jobs?: string;
  quiet?: boolean;
  /** --color WHEN, or false from --no-color. */
  color: 'auto' | 'always' | 'never' | boolean;
  baseline?: string;
  enableRule: string[];
  disableRule: string[];
  chunkSize?: string;
  fillText?: string;
  fillBinary?: string;
  followSymlinks?: boolean;
  auditLog?: string;
  waitStable?: string;
  spoolDir?: string;
}

export interface ScrubFlags extends CommonFlags {
  output?: string;
  outDir?: string;
  inPlace?: boolean;
  quarantine?: string;
}

function toInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a non-negative integer, got "${value}"`);
  return Number(value);
}

/** Flags (the config's values are their defaults, set by the preAction hook) → the run's options. */
async function buildOptions(flags: CommonFlags): Promise<ScrubOptions> {
  const opts = await buildScrubOptions(
    {
      entropy: flags.entropy,
      jobs: toInt(flags.jobs, '--jobs'),
      chunkSize: toInt(flags.chunkSize, '--chunk-size'),
      waitStable: parseSeconds(flags.waitStable, '--wait-stable'),
      fill: { text: flags.fillText ?? '*', binary: toInt(flags.fillBinary, '--fill-binary') ?? 0 },
      knownKeys: flags.knownKey,
      knownSecrets: flags.knownSecret,
    },
    loadedConfigOf(flags)?.config,
  );
  checkIds(opts.allowlist.ruleIds, 'allowlist.ruleIds', knownIds(opts));
  return opts;
}

/** `<name>.scrubbed<.ext>` beside the input (the .gz suffix stays last). */
export function defaultOutputName(input: string): string {
  const gz = input.endsWith('.gz') ? '.gz' : '';
  const bare = gz ? input.slice(0, -3) : input;
  const ext = path.extname(bare);
  return `${bare.slice(0, bare.length - ext.length)}.scrubbed${ext}${gz}`;
}

/** The result of a file whose pipeline threw instead of reporting (a corrupt .gz, say): an io-error of its own. */
function thrownResult(display: string, err: unknown, started: number): FileResult {
  const error = err instanceof Error ? err.message : 'unknown error';
  const verdict = err instanceof UsageError ? 'usage-error' : 'io-error';
  return { file: display, size: 0, format: 'raw', findings: [], verdict, warnings: [], error, durationMs: Date.now() - started };
}

interface Input {
  file: string;
  display: string;
  /** Name to keep below --out-dir. */
  rel: string;
}

class Runner {
  private readonly results: FileResult[] = [];
  private tempDir: string | undefined;
  private spool: Spool | undefined;
  /** The one bar of a spooled stdin: spool, then the command's stages. */
  private spoolProgress: Progress | undefined;
  private audit: AuditWriter | undefined;
  /** What scan reports of what it found (rule flags, ignore file, baseline); unset for scrub and verify. */
  selection: Selection | undefined;
  constructor(
    private readonly command: Report['command'],
    private readonly flags: CommonFlags,
    /** Where the human report goes: stderr when stdout carries the scrubbed bytes. */
    private readonly out: NodeJS.WriteStream,
  ) {}

  async privateDir(): Promise<string> {
    this.tempDir ??= await makePrivateTempDir();
    return this.tempDir;
  }

  /** Expands the inputs; '-' becomes a readable path (a pipe is spooled to an unnamed file). */
  async inputs(patterns: string[], excludeDirs: string[] = []): Promise<Input[]> {
    const found = await expandInputs(patterns, { followSymlinks: this.flags.followSymlinks, excludeDirs });
    const say = (line: string) => {
      if (!this.flags.quiet) process.stderr.write(`dumpscrub: ${line}\n`);
    };
    for (const p of found.unmatched) say(`no files match ${p}`);
    if (found.skippedOutputs.length) say(`skipping ${found.skippedOutputs.length} file(s) dumpscrub wrote itself (*.scrubbed.*, --out-dir, --quarantine); name them to include them`);
    const out: Input[] = [];
    for (const { file, rel } of found.inputs) {
      if (file !== '-') out.push({ file, display: file, rel });
      else {
        this.spool ??= await this.spoolWithProgress(say);
        out.push({ file: this.spool.path, display: '-', rel });
      }
    }
    return skipAllowlistedPaths(out, this.flags);
  }

  private stages(): Phase[] {
    if (this.command === 'scrub') return SCRUB_STAGES;
    return this.command === 'verify' ? ['verify'] : SCAN_STAGES;
  }

  /** Spools stdin; a pipe big enough for a progress line gets its bar now, its size still unknown. */
  private async spoolWithProgress(say: (line: string) => void): Promise<Spool> {
    const tty = shouldShowProgress({ isTTY: process.stderr.isTTY, quiet: Boolean(this.flags.quiet), total: Infinity, env: process.env });
    const progress = createProgress({ stream: process.stderr, enabled: tty, total: 0, label: '-', stages: ['spool', ...this.stages()] });
    try {
      const spool = await spoolStdin(spoolDirFor(this.flags.spoolDir), say, (n) => {
        if (n > PROGRESS_MIN_BYTES) progress.set(n);
      });
      this.spoolProgress = progress;
      return spool;
    } catch (err) {
      progress.done();
      throw err;
    }
  }

  /** Runs one file's pipeline; whatever it throws becomes that file's own failed result. */
  async run(input: Input, opts: ScrubOptions, fn: () => Promise<FileResult>): Promise<void> {
    const started = Date.now();
    let result: FileResult;
    setInProgress(input.display);
    try {
      const carried = input.display === '-' ? this.spoolProgress : undefined;
      if (carried) this.spoolProgress = undefined;
      result = await withProgress(input.file, input.display, this.flags, opts, fn, this.stages(), carried);
    } catch (err) {
      result = thrownResult(input.display, err, started);
    }
    this.add(result);
  }

  add(found: FileResult): void {
    const result = this.selection ? applySelection(found, this.selection) : found;
    this.results.push(result);
    if (this.flags.auditLog) (this.audit ??= new AuditWriter(this.flags.auditLog)).record(this.command, result);
    // each warning once: on stderr, unless the verbose text report on the terminal lists it anyway
    const listedInReport = this.flags.verbose && this.flags.format === 'text' && !this.flags.report;
    if (!this.flags.quiet && !listedInReport) {
      for (const w of new Set(result.warnings)) process.stderr.write(`dumpscrub: warning ${result.file}: ${w}\n`);
    }
    if (result.error) process.stderr.write(`dumpscrub: FAILED ${result.file}: ${result.error}\n`);
    if (this.flags.format === 'jsonl' && !this.flags.report) this.out.write(renderJsonl(result));
  }

  /** Removes the spool and private files; runs on every exit path of a command. */
  async cleanup(): Promise<void> {
    this.spoolProgress?.done();
    this.spoolProgress = undefined;
    await this.spool?.release();
    this.spool = undefined;
    if (this.tempDir) await removeDir(this.tempDir);
    this.tempDir = undefined;
  }

  private color(): boolean {
    const when = this.flags.color;
    if (when === false || when === 'never') return false;
    if (when === 'always') return true;
    return decideColor({ env: process.env, isTTY: Boolean(this.out.isTTY), flag: true });
  }

  async finish(): Promise<ExitCode> {
    await this.cleanup();
    // an audit trail that could not be written is an I/O failure, not a success
    const exitCode = (await this.audit?.close()) === false ? EXIT.IO : worstOf(this.results);
    const report: Report = { tool: { name: 'dumpscrub', version: VERSION }, command: this.command, files: this.results, exitCode };
    let text: string;
    if (this.flags.format === 'json') text = renderJson(report);
    else if (this.flags.format === 'sarif') text = sarifFor(report, allFindingIds(listRules()), this.flags);
    else if (this.flags.format === 'jsonl') text = (this.flags.report ? this.results.map((r) => renderJsonl(r)).join('') : '') + renderJsonlEnd(report);
    else if (this.flags.quiet && !this.flags.report) text = '';
    else text = renderText(report, { color: !this.flags.report && this.color(), verbose: this.flags.verbose });
    if (this.flags.report) {
      await writeTextFile(this.flags.report, text);
      // the report went to a file: the terminal still gets the counts (unless --summary puts them on stderr)
      if (!this.flags.quiet && !this.flags.summary) this.out.write(renderSummary(report));
    } else this.out.write(text);
    writeSummary(report, this.flags);
    return exitCode;
  }
}

/** Rule ids a finding can carry, custom rules of the config included. */
function knownIds(opts: ScrubOptions): Set<string> {
  return new Set([...allFindingIds(listRules()).map((r) => r.id), ...opts.extraRules.map((r) => (r as { id: string }).id)]);
}

function checkIds(ids: readonly string[], what: string, known: ReadonlySet<string>): void {
  const bad = ids.filter((id) => !known.has(id));
  if (bad.length) throw new UsageError(`${what}: unknown rule id${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')} (dumpscrub rules lists them)`);
}

/** --enable-rule, --disable-rule, ./.dumpscrubignore and --baseline, checked before any input is read. */
async function scanSelection(flags: CommonFlags, opts: ScrubOptions): Promise<Selection> {
  const known = knownIds(opts);
  checkIds(flags.enableRule, '--enable-rule', known);
  checkIds(flags.disableRule, '--disable-rule', known);
  const selection: Selection = { enable: new Set(flags.enableRule), disable: new Set(flags.disableRule) };
  const ignoreText = await readTextIfExists(IGNORE_FILE_NAME);
  if (ignoreText !== undefined) {
    selection.ignore = parseIgnoreFile(ignoreText, IGNORE_FILE_NAME, known);
    const n = selection.ignore.fingerprints.length + selection.ignore.ruleIds.length + selection.ignore.paths.length;
    if (!flags.quiet) process.stderr.write(`dumpscrub: using ./${IGNORE_FILE_NAME} (${n} entr${n === 1 ? 'y' : 'ies'}; scan only)\n`);
  }
  if (flags.baseline) selection.baseline = parseBaseline((await readSmallFile(flags.baseline, '--baseline')).toString('utf8'), flags.baseline);
  return selection;
}

/** Checks the report and audit-log destinations every command shares. */
async function preflightCommon(flags: CommonFlags): Promise<void> {
  if (flags.report) await checkFileDestination('--report', flags.report);
  if (flags.auditLog) await checkFileDestination('--audit-log', flags.auditLog);
}

export async function runScanLike(command: 'scan' | 'verify', patterns: string[], flags: CommonFlags): Promise<ExitCode> {
  guardCliRun();
  const opts = await buildOptions(flags);
  await preflightCommon(flags);
  const runner = new Runner(command, flags, process.stdout);
  if (command === 'scan') runner.selection = await scanSelection(flags, opts);
  try {
    const ignoredPaths = runner.selection?.ignore?.paths ?? [];
    for (const input of await runner.inputs(patterns)) {
      if (ignoredPaths.length && input.display !== '-' && pathAllowlisted(input.display, ignoredPaths)) continue;
      await runner.run(input, opts, () => (command === 'scan' ? scanFile(input.file, opts, input.display) : verifyFile(input.file, opts, input.display)));
    }
    return await runner.finish();
  } finally {
    await runner.cleanup();
  }
}

function destinationFor(input: Input, flags: ScrubFlags, toStdout: boolean): string {
  if (toStdout) return '-';
  if (flags.inPlace) return input.file;
  if (flags.output) return flags.output;
  if (flags.outDir) return path.join(flags.outDir, input.display === '-' ? 'stdin.scrubbed' : input.rel);
  if (input.display === '-') throw new UsageError('stdin among several inputs needs --out-dir (or scrub it alone with -o)');
  return defaultOutputName(input.file);
}

/** Two inputs that would land on one destination: refused before any work, so no copy replaces another. */
function refuseCollisions(inputs: Input[], dests: string[]): void {
  const first = new Map<string, number>();
  dests.forEach((d, i) => {
    if (d === '-') return;
    const key = path.resolve(d);
    const j = first.get(key);
    if (j !== undefined) throw new UsageError(`${inputs[j].display} and ${inputs[i].display} would both be written to ${d}; scrub them in separate runs or with separate --out-dir`);
    first.set(key, i);
  });
}

export async function runScrub(patterns: string[], flags: ScrubFlags): Promise<ExitCode> {
  guardCliRun();
  const targets = [flags.output !== undefined, flags.outDir !== undefined, Boolean(flags.inPlace)].filter(Boolean).length;
  if (targets > 1) throw new UsageError('use only one of -o/--output, --out-dir and --in-place');
  const toStdout = flags.output === '-' || (patterns.length === 1 && patterns[0] === '-' && !flags.output && !flags.outDir);
  // binary on a terminal is never what was meant; an explicit `-o -` says it is
  if (toStdout && flags.output !== '-' && process.stdout.isTTY) throw new UsageError('refusing to write a binary dump to a terminal; redirect stdout, or give -o - (or -o FILE)');
  const opts = await buildOptions(flags);
  opts.inPlace = Boolean(flags.inPlace);
  opts.quarantine = flags.quarantine;
  await preflightCommon(flags);
  if (flags.output && flags.output !== '-') await checkFileDestination('-o/--output', flags.output);
  if (flags.outDir) await prepareDirDestination('--out-dir', flags.outDir);
  if (flags.quarantine) await prepareDirDestination('--quarantine', flags.quarantine, 0o700);
  const runner = new Runner('scrub', flags, toStdout ? process.stderr : process.stdout);
  try {
    const inputs = await runner.inputs(
      patterns,
      [flags.outDir, flags.quarantine].filter((d): d is string => Boolean(d)),
    );
    if (flags.output && inputs.length > 1) throw new UsageError(`-o/--output takes exactly one input, got ${inputs.length}`);
    if (flags.inPlace && inputs.some((i) => i.display === '-')) throw new UsageError('--in-place cannot be used with stdin');
    const dests = inputs.map((i) => destinationFor(i, flags, toStdout));
    refuseCollisions(inputs, dests);
    for (const [i, input] of inputs.entries()) {
      const dest = dests[i];
      if (dest !== '-' && flags.outDir) await prepareDirDestination('--out-dir', path.dirname(dest));
      const tempDir = dest === '-' ? await runner.privateDir() : path.dirname(path.resolve(dest));
      await runner.run(input, opts, () => scrubFile(input.file, { path: dest, tempDir }, opts, input.display));
    }
    return await runner.finish();
  } finally {
    await runner.cleanup();
  }
}

/** `rules check FILE`: one line per rule on stdout; 0 all pass, 1 a rule fails, 2 the file is not valid rules, 3 unreadable. */
export async function checkRulesFile(file: string): Promise<ExitCode> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(file);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`dumpscrub: ${err.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`dumpscrub: FAILED ${file}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}\n`);
    return EXIT.IO;
  }
  if (text === undefined) {
    process.stderr.write(`dumpscrub: FAILED ${file}: ENOENT\n`);
    return EXIT.IO;
  }
  let results;
  try {
    results = rulesOf(JSON.parse(text), path.basename(file)).map(checkRule);
  } catch (err) {
    // schema messages name fields and rule ids, never values; a JSON error names only the position
    const message = err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message;
    process.stderr.write(`dumpscrub: ${file}: ${message}\n`);
    return EXIT.USAGE;
  }
  for (const r of results) {
    process.stdout.write(r.problems.length === 0 ? `ok    ${r.id}\n` : `FAIL  ${r.id}\n${r.problems.map((p) => `      ${p}\n`).join('')}`);
  }
  const failed = results.filter((r) => r.problems.length > 0).length;
  process.stdout.write(`${results.length - failed} of ${results.length} rules pass\n`);
  return failed ? EXIT.SECRETS : EXIT.CLEAN;
}

/** `dumpscrub rules`: every finding id, as text columns or JSON. */
export function printRules(format: string): ExitCode {
  const rules = allFindingIds(listRules());
  if (format === 'json') process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
  else for (const r of rules) process.stdout.write(`${r.id.padEnd(36)} ${r.family.padEnd(12)} ${r.name}\n`);
  return EXIT.CLEAN;
}

/** Drops inputs matched by the config's allowlist.paths, saying so on stderr. */
export function skipAllowlistedPaths<T extends { display: string }>(inputs: T[], flags: object): T[] {
  const loaded = loadedConfigOf(flags);
  const globs = loaded?.config.allowlist.paths ?? [];
  if (globs.length === 0) return inputs;
  return inputs.filter((i) => {
    const skip = i.display !== '-' && pathAllowlisted(i.display, globs);
    if (skip && !(flags as { quiet?: boolean }).quiet) process.stderr.write(`dumpscrub: skipping ${i.display} (allowlist.paths)\n`);
    return !skip;
  });
}

/** Renders the SARIF report for `--format sarif`; custom rules from the config are described too. */
export function sarifFor(report: Report, rules: readonly RuleDescriptor[], flags: object = {}): string {
  const loaded = loadedConfigOf(flags);
  const custom = (loaded?.config.rules ?? []).map((r) => ({ id: r.id, name: r.name, description: r.description }));
  return renderSarif(report, [...rules, ...custom]);
}

/** After the report: the --summary block on stderr (stdout may carry JSON or the scrubbed bytes). */
export function writeSummary(report: Report, flags: { summary?: boolean }): void {
  if (flags.summary) process.stderr.write(renderSummary(report));
}

/**
 * Runs one file's pipeline with a progress line on a TTY stderr (inputs over 64 MiB, not with --quiet);
 * the line is cleared before the result is reported.
 */
export async function withProgress(
  file: string,
  display: string,
  flags: { quiet?: boolean },
  opts: ScrubOptions,
  run: () => Promise<FileResult>,
  stages: Phase[],
  /** The bar that showed stdin being spooled: the run goes on on the same line. */
  carried?: Progress,
): Promise<FileResult> {
  let size = 0;
  try {
    size = (await identity(file)).size;
  } catch {
    carried?.done();
    return run(); // the pipeline reports the I/O error itself
  }
  const enabled = shouldShowProgress({ isTTY: process.stderr.isTTY, quiet: Boolean(flags.quiet), total: size, env: process.env });
  if (!enabled) {
    carried?.done();
    return run();
  }
  const progress = carried ?? createProgress({ stream: process.stderr, enabled, total: size, label: display, stages });
  progress.resize(size);
  const previous = opts.onProgress;
  opts.onProgress = progressCallback(progress);
  try {
    return await run();
  } finally {
    progress.done();
    opts.onProgress = previous;
  }
}

#!/usr/bin/env node
// The dumpscrub command line: parse flags, expand inputs, run the pipeline per file, report, exit.
import * as path from 'node:path';
import { Command, Option, CommanderError } from 'commander';
import { makeOptions, DEFAULT_ENTROPY, EntropySchema } from './options.js';
import type { ScrubOptions } from './options.js';
import { scanFile, scrubFile, verifyFile } from './scrub.js';
import type { Destination } from './scrub.js';
import * as files from './files.js';
import { EXIT } from './types.js';
import type { ExitCode, FileResult, Report } from './types.js';
import { decideColor, renderJson, renderJsonl, renderJsonlEnd, renderText } from './report.js';
import { addReportFlags, applyConfigOptions, configCommand, installConfig, sarifFor, skipAllowlistedPaths, withProgress, writeSummary } from './cli-pipelines.js';
import { gateCommand } from './gate.js';
import { listRules } from './catalog.js';
import { VERSION } from './version.js';
import { AuditWriter } from './audit.js';
import { parseSeconds } from './stable.js';

const EXIT_HELP = `
Exit codes:
  0  clean (scan, verify) / redacted copy written and verified clean (scrub)
  1  secrets found (scan, verify) / a secret survived verification: nothing published (scrub)
  2  usage or configuration error
  3  I/O or integrity failure: unreadable input, input changed during the run, write failed

Nothing is ever written to the destination (or stdout) unless the copy was re-read from disk
and found clean. Reports never contain secret values: only rule, byte span, region,
fingerprint (first 12 hex of SHA-256) and a masked preview.`;

const EXAMPLES = `
Examples:
  dumpscrub scan core.1234                      report findings, write nothing
  dumpscrub scrub app.dmp                       writes app.scrubbed.dmp beside it, verified
  dumpscrub scrub 'dumps/**/*.dmp' --out-dir clean/
  gcore -o /dev/stdout PID | dumpscrub scrub - -o - > core.clean
  dumpscrub verify clean/app.dmp                check a copy produced anywhere
  dumpscrub scan /srv/dumps --format json --report findings.json`;

interface CommonFlags {
  format: 'text' | 'json' | 'jsonl' | 'sarif';
  summary?: boolean;
  verbose?: boolean;
  report?: string;
  entropy: 'off' | 'context' | 'all';
  knownKey: string[];
  knownSecret: string[];
  jobs?: string;
  quiet?: boolean;
  color: boolean;
  chunkSize?: string;
  fillText?: string;
  fillBinary?: string;
  followSymlinks?: boolean;
  auditLog?: string;
  waitStable?: string;
}

interface ScrubFlags extends CommonFlags {
  output?: string;
  outDir?: string;
  inPlace?: boolean;
  quarantine?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function addCommon(cmd: Command): Command {
  return addReportFlags(cmd)
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'jsonl', 'sarif']).default('text'))
    .option('--report <file>', 'write the report to a file instead of the terminal')
    .addOption(new Option('--entropy <level>', 'entropy detection: off, context (near a credential keyword), all').choices(EntropySchema.options).default(DEFAULT_ENTROPY))
    .option('--known-key <file>', 'public key / certificate / JWKS / ssh public key whose private half to hunt (repeatable)', collect, [])
    .option('--known-secret <file>', 'file of literal secrets (one per line, or sha256:<hex>) to find in every encoding (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads (default: one per core)')
    .option('--follow-symlinks', 'follow directory symlinks when expanding directories and globs')
    .option('--audit-log <file>', 'append one JSON line per file (hashes, counts per rule, verdict; never a secret)')
    .option('--wait-stable <seconds>', 'wait until each input kept its size and mtime this long and nobody has it open for writing')
    .option('-q, --quiet', 'print only failures')
    .option('--no-color', 'no colour in the text report (NO_COLOR is honoured too)')
    .addOption(new Option('--chunk-size <bytes>', 'bytes per scanning chunk').hideHelp())
    .option('--fill-text <char>', "fill character for text findings (default '*')")
    .option('--fill-binary <byte>', 'fill byte for binary key material, 0-255 (default 0)');
}

function toInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new files.UsageError(`${flag}: expected a non-negative integer, got "${value}"`);
  return Number(value);
}

async function buildOptions(flags: CommonFlags, extra: Partial<ScrubOptions> = {}): Promise<ScrubOptions> {
  const parsed = makeOptions(
    {
      entropy: flags.entropy,
      jobs: toInt(flags.jobs, '--jobs'),
      chunkSize: toInt(flags.chunkSize, '--chunk-size'),
      waitStable: parseSeconds(flags.waitStable, '--wait-stable'),
      fill: { text: flags.fillText ?? '*', binary: toInt(flags.fillBinary, '--fill-binary') ?? 0 },
    },
    extra,
  );
  const { loadKnownKeys, loadKnownSecrets } = await import('./known.js');
  parsed.knownKeys = await loadKnownKeys(flags.knownKey);
  const secrets = await loadKnownSecrets(flags.knownSecret);
  parsed.knownSecrets = secrets.literals;
  parsed.knownSecretDigests = secrets.sha256;
  return applyConfigOptions(parsed, flags);
}

function exitCodeOf(results: FileResult[]): ExitCode {
  const v = new Set(results.map((r) => r.verdict));
  if (v.has('io-error')) return EXIT.IO;
  if (v.has('usage-error')) return EXIT.USAGE;
  if (v.has('secrets-found') || v.has('survived-verification')) return EXIT.SECRETS;
  return EXIT.CLEAN;
}

/** `<name>.scrubbed<.ext>` beside the input (the .gz suffix stays last). */
export function defaultOutputName(input: string): string {
  const gz = input.endsWith('.gz') ? '.gz' : '';
  const bare = gz ? input.slice(0, -3) : input;
  const ext = path.extname(bare);
  return `${bare.slice(0, bare.length - ext.length)}.scrubbed${ext}${gz}`;
}


class Runner {
  private readonly results: FileResult[] = [];
  private tempDir: string | undefined;
  private audit: AuditWriter | undefined;
  constructor(
    private readonly command: Report['command'],
    private readonly flags: CommonFlags,
    /** Where the human report goes: stderr when stdout carries the scrubbed bytes. */
    private readonly out: NodeJS.WriteStream,
  ) {}

  async privateDir(): Promise<string> {
    this.tempDir ??= await files.makePrivateTempDir();
    return this.tempDir;
  }

  /** Expands the inputs; '-' is spooled to a private temp file first. */
  async inputs(patterns: string[]): Promise<Array<{ file: string; display: string }>> {
    const list = await files.expandInputs(patterns, { followSymlinks: this.flags.followSymlinks });
    const out: Array<{ file: string; display: string }> = [];
    for (const p of list) {
      if (p === '-') out.push({ file: await files.spoolStdin(await this.privateDir()), display: '-' });
      else out.push({ file: p, display: p });
    }
    return skipAllowlistedPaths(out, this.flags);
  }

  add(result: FileResult): void {
    this.results.push(result);
    if (this.flags.auditLog) (this.audit ??= new AuditWriter(this.flags.auditLog, this.command)).record(result);
    if (!this.flags.quiet) for (const w of result.warnings) process.stderr.write(`dumpscrub: warning ${result.file}: ${w}\n`);
    if (result.error) process.stderr.write(`dumpscrub: FAILED ${result.file}: ${result.error}\n`);
    if (this.flags.format === 'jsonl' && !this.flags.report) this.out.write(renderJsonl(result));
  }

  async finish(): Promise<ExitCode> {
    if (this.tempDir) await files.removeDir(this.tempDir);
    // an audit trail that could not be written is an I/O failure, not a success
    const exitCode = (await this.audit?.close()) === false ? EXIT.IO : exitCodeOf(this.results);
    const report: Report = { tool: { name: 'dumpscrub', version: VERSION }, command: this.command, files: this.results, exitCode };
    let text: string;
    if (this.flags.format === 'json') text = renderJson(report);
    else if (this.flags.format === 'sarif') text = sarifFor(report, listRules(), this.flags);
    else if (this.flags.format === 'jsonl') text = (this.flags.report ? this.results.map((r) => renderJsonl(r)).join('') : '') + renderJsonlEnd(report);
    else if (this.flags.quiet && !this.flags.report) text = '';
    else text = renderText(report, { color: decideColor({ env: process.env, isTTY: Boolean(this.out.isTTY), flag: this.flags.color }), verbose: this.flags.verbose });
    if (this.flags.report) await files.writeTextFile(this.flags.report, text);
    else this.out.write(text);
    writeSummary(report, this.flags);
    return exitCode;
  }
}

async function runScanLike(command: 'scan' | 'verify', patterns: string[], flags: CommonFlags): Promise<ExitCode> {
  files.guardCliRun();
  const opts = await buildOptions(flags);
  const runner = new Runner(command, flags, process.stdout);
  for (const { file, display } of await runner.inputs(patterns)) {
    runner.add(await withProgress(file, display, flags, opts, () => (command === 'scan' ? scanFile(file, opts, display) : verifyFile(file, opts, display))));
  }
  return runner.finish();
}

async function destinationFor(input: { file: string; display: string }, flags: ScrubFlags, runner: Runner): Promise<Destination> {
  if (flags.output === '-' || (input.display === '-' && !flags.output && !flags.outDir)) {
    return { path: '-', tempDir: await runner.privateDir() };
  }
  let dest: string;
  if (flags.inPlace) dest = input.file;
  else if (flags.output) dest = flags.output;
  else if (flags.outDir) dest = path.join(flags.outDir, input.display === '-' ? 'stdin.scrubbed' : path.basename(input.file));
  else dest = defaultOutputName(input.file);
  return { path: dest, tempDir: path.dirname(path.resolve(dest)) };
}

async function runScrub(patterns: string[], flags: ScrubFlags): Promise<ExitCode> {
  files.guardCliRun();
  const targets = [flags.output !== undefined, flags.outDir !== undefined, Boolean(flags.inPlace)].filter(Boolean).length;
  if (targets > 1) throw new files.UsageError('use only one of -o/--output, --out-dir and --in-place');
  if (flags.outDir) await files.ensureDir(flags.outDir);
  const opts = await buildOptions(flags, {});
  opts.inPlace = Boolean(flags.inPlace);
  opts.quarantine = flags.quarantine;
  const toStdout = flags.output === '-' || (patterns.length === 1 && patterns[0] === '-' && !flags.output && !flags.outDir);
  const runner = new Runner('scrub', flags, toStdout ? process.stderr : process.stdout);
  const inputs = await runner.inputs(patterns);
  if (flags.output && inputs.length !== 1) throw new files.UsageError(`-o/--output takes exactly one input, got ${inputs.length}`);
  if (flags.inPlace && inputs.some((i) => i.display === '-')) throw new files.UsageError('--in-place cannot be used with stdin');
  for (const input of inputs) {
    const dest = await destinationFor(input, flags, runner);
    runner.add(await withProgress(input.file, input.display, flags, opts, () => scrubFile(input.file, dest, opts, input.display)));
  }
  return runner.finish();
}

export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command();
  program
    .name('dumpscrub')
    .description('Remove secrets from crash dumps (minidumps, ELF cores, raw memory images); fails closed.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .addHelpText('after', `${EXAMPLES}\n${EXIT_HELP}`)
    .exitOverride();
  installConfig(program);

  addCommon(program.command('scan').description('report secrets in dumps; writes nothing').argument('<paths...>', 'files, directories, globs, or - for stdin'))
    .addHelpText('after', EXIT_HELP)
    .action(async (paths: string[], flags: CommonFlags) => setExit(await runScanLike('scan', paths, flags)));

  addCommon(
    program
      .command('scrub')
      .description('write redacted copies (same length), verify them from disk, publish only clean ones')
      .argument('<paths...>', 'files, directories, globs, or - for stdin')
      .option('-o, --output <file>', 'output file (one input only); - for stdout')
      .option('--out-dir <dir>', 'write copies into this directory under their own names')
      .option('--in-place', 'replace the input (only after the copy verified clean)')
      .option('--quarantine <dir>', 'move copies that fail verification here (mode 0600) instead of deleting them'),
  )
    .addHelpText('after', EXIT_HELP)
    .action(async (paths: string[], flags: ScrubFlags) => setExit(await runScrub(paths, flags)));

  addCommon(program.command('verify').description('run the verification pass on copies produced anywhere').argument('<paths...>', 'files, directories, globs, or -'))
    .addHelpText('after', EXIT_HELP)
    .action(async (paths: string[], flags: CommonFlags) => setExit(await runScanLike('verify', paths, flags)));

  program
    .command('rules')
    .description('list detectors and rules')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((flags: { format: string }) => {
      const rules = listRules();
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
      else for (const r of rules) process.stdout.write(`${r.id.padEnd(36)} ${r.family.padEnd(12)} ${r.name}\n`);
      setExit(EXIT.CLEAN);
    });
  program.addCommand(configCommand(setExit).copyInheritedSettings(program));
  program.addCommand(gateCommand(setExit).copyInheritedSettings(program));
  return program;
}

export async function main(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.CLEAN;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return EXIT.CLEAN;
      return EXIT.USAGE;
    }
    if (err instanceof files.UsageError) {
      process.stderr.write(`dumpscrub: ${err.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`dumpscrub: FAILED: ${err instanceof Error ? err.message : 'unknown error'}\n`);
    return EXIT.IO;
  }
}

if (files.isEntryPoint(import.meta.url)) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.IO;
    },
  );
}

#!/usr/bin/env node
// The dumpscrub command line: flags, help and exit codes; what a command runs is loaded on demand
// (cli-run.ts), so --help and usage errors load commander and the help text only.
import { Command, Option, CommanderError } from 'commander';
import { DEFAULT_ENTROPY, ENTROPY_LEVELS, EXIT } from './types.js';
import type { ExitCode } from './types.js';
import type { CommonFlags, ScrubFlags } from './cli-run.js';
import { addReportFlags, configCommand, installConfig } from './cli-pipelines.js';
import { gateCommand } from './gate-command.js';
import { VERSION } from './version.js';
import { DestinationError, UsageError } from './errors.js';
import { isEntryPoint } from './io/signals.js';

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
  d=$(mktemp -d) && gcore -o "$d/core" PID && dumpscrub scrub "$d/core.PID" -o core.clean; rc=$?; rm -rf "$d"; [ $rc = 0 ]
  dumpscrub scrub - -o - < app.dmp > app.clean.dmp
  dumpscrub verify clean/app.dmp                check a copy produced anywhere
  dumpscrub scan /srv/dumps --format json --report findings.json`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function addCommon(cmd: Command): Command {
  return addReportFlags(cmd)
    .addOption(new Option('-f, --format <format>', 'report format').choices(['text', 'json', 'jsonl', 'sarif']).default('text'))
    .option('-r, --report <file>', 'write the report to a file; the text summary still goes to the terminal')
    .addOption(new Option('--entropy <level>', 'entropy detection: off, context (near a credential keyword), all').choices(ENTROPY_LEVELS).default(DEFAULT_ENTROPY))
    .option('--known-key <file>', 'public key / certificate / JWKS / ssh public key whose private half to hunt (repeatable)', collect, [])
    .option('--known-secret <file>', 'file of literal secrets (one per line, or sha256:<hex>) to find in every encoding (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads (default: one per core)')
    .option('--follow-symlinks', 'follow directory symlinks when expanding directories and globs')
    .option('--audit-log <file>', 'append one JSON line per file (hashes, counts per rule, verdict; never a secret)')
    .option('--wait-stable <seconds>', 'wait until each input kept its size and mtime this long and nobody has it open for writing')
    .option('--spool-dir <dir>', 'where a piped stdin is spooled, unredacted, as an unnamed 0600 file (default: the temp dir)')
    .option('-q, --quiet', 'print only failures; no progress bar (one bar for every step of a run, on a terminal)')
    .addOption(new Option('--color <when>', 'colour in the text report: auto (a terminal, unless NO_COLOR), always, never').choices(['auto', 'always', 'never']))
    .option('--no-color', 'same as --color never')
    .addOption(new Option('--chunk-size <bytes>', 'bytes per scanning chunk').hideHelp())
    .option('--fill-text <char>', "fill character for text findings (default '*')")
    .option('--fill-binary <byte>', 'fill byte for binary key material, 0-255 (default 0)');
}

const run = () => import('./cli-run.js');

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
    .option('--baseline <file>', 'JSON report of an earlier scan: findings already in it (rule and fingerprint) are not reported')
    .option('--enable-rule <id>', 'report only these rule ids (repeatable)', collect, [])
    .option('--disable-rule <id>', 'do not report this rule id (repeatable); scrub still redacts it', collect, [])
    .addHelpText('after', EXIT_HELP)
    .action(async (paths: string[], flags: CommonFlags) => setExit(await (await run()).runScanLike('scan', paths, flags)));

  addCommon(
    program
      .command('scrub')
      .description('write redacted copies (same length), verify them from disk, publish only clean ones')
      .argument('<paths...>', 'files, directories, globs, or - for stdin')
      .option('-o, --output <file>', 'output file (one input only); - for stdout; a name ending in .gz is gzip, any other plain')
      .option('--out-dir <dir>', 'write copies into this directory under their own names')
      .option('--in-place', 'replace the input (only after the copy verified clean)')
      .option('--quarantine <dir>', 'move copies that fail verification here (mode 0600) instead of deleting them'),
  )
    .addHelpText('after', EXIT_HELP)
    .action(async (paths: string[], flags: ScrubFlags) => setExit(await (await run()).runScrub(paths, flags)));

  addCommon(program.command('verify').description('run the verification pass on copies produced anywhere').argument('<paths...>', 'files, directories, globs, or -'))
    .addHelpText('after', EXIT_HELP)
    .action(async (paths: string[], flags: CommonFlags) => setExit(await (await run()).runScanLike('verify', paths, flags)));

  const rules = program
    .command('rules')
    .description('list detectors and rules; `rules check FILE` proves your own rules')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { format: string }) => setExit((await run()).printRules(flags.format)));
  rules
    .command('check')
    .description('prove a rules file (config-shaped or an array): examples found with exact spans in ASCII and UTF-16LE, negatives not found')
    .argument('<file>', 'JSON file with "rules" (as in dumpscrub.config.json) or an array of rules')
    .action(async (file: string) => setExit(await (await run()).checkRulesFile(file)));
  program.addCommand(configCommand(setExit).copyInheritedSettings(program));
  program.addCommand(gateCommand(setExit).copyInheritedSettings(program));
  return program;
}

/** `dumpscrub: FAILED <file>: <reason>` for an error that ended the run; `-` when it names no file. */
export function failedLine(message: string): string {
  // fs failures read "cannot <verb> <path>: <code>"
  const m = /^(cannot [a-z ]+?) (\S+): ([A-Z][A-Z0-9_]+)$/.exec(message);
  return m ? `dumpscrub: FAILED ${m[2]}: ${m[1]} (${m[3]})` : `dumpscrub: FAILED -: ${message}`;
}

/**
 * A reader that closed stdout (`| head`) ends the output quietly: later writes are dropped and the exit
 * code stays the one the work earned, as ripgrep does; other stdout errors are I/O failures.
 */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      process.stdout.write = (() => true) as typeof process.stdout.write;
      return;
    }
    process.stderr.write(`dumpscrub: FAILED -: cannot write to stdout (${err.code ?? 'error'})\n`);
    process.exit(EXIT.IO);
  });
}

export async function main(argv: string[]): Promise<ExitCode> {
  quietOnClosedStdout();
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
    if (err instanceof DestinationError) {
      process.stderr.write(`dumpscrub: FAILED ${err.file}: ${err.reason}\n`);
      return EXIT.IO;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`dumpscrub: ${err.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`${failedLine(err instanceof Error ? err.message : 'unknown error')}\n`);
    return EXIT.IO;
  }
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.IO;
    },
  );
}

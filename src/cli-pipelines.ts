// CLI glue: --config (discovery + defaults for flags), `config --print`, --summary, sarif,
// progress on a TTY. Kept out of cli.ts so the wiring there stays a handful of lines.
import { Command, Option } from 'commander';
import { CONFIG_FILE_NAME, loadConfig, renderConfig, pathAllowlisted } from './config.js';
import type { LoadedConfig } from './config.js';
import type { ScrubOptions } from './options.js';
import { createProgress, progressCallback, shouldShowProgress } from './progress.js';
import type { Phase, Progress } from './progress.js';
import { renderSarif, renderSummary } from './report.js';
import type { RuleDescriptor } from './report.js';
import { EXIT } from './types.js';
import type { ExitCode, FileResult, Report } from './types.js';
import { identity } from './io/input.js';

/** Hidden option under which the preAction hook leaves the loaded config for the action. */
const LOADED = 'loadedConfig';

/** Flags the hook may fill from the config when the user did not give them. */
type Settable = 'entropy' | 'jobs' | 'fillText' | 'fillBinary' | 'format' | 'summary' | 'verbose';

function setDefault(cmd: Command, key: Settable, value: unknown): void {
  if (!cmd.options.some((o) => o.attributeName() === key)) return;
  const source = cmd.getOptionValueSource(key);
  if (source === undefined || source === 'default' || source === 'implied') cmd.setOptionValueWithSource(key, value, 'config');
}

/**
 * Adds the global `--config FILE` option and a hook that loads it (or ./dumpscrub.config.json) before
 * every action: config values become the defaults of the matching flags; flags given on the command line win.
 */
export function installConfig(program: Command): void {
  program.option('--config <file>', 'configuration file (default: $DUMPSCRUB_CONFIG, else ./dumpscrub.config.json when present)');
  program.hook('preAction', async (_root, action) => {
    if (action.name() === 'gate' || action.name() === 'config' || action.name() === 'rules') return;
    const loaded = await loadConfig(action.optsWithGlobals().config as string | undefined);
    // a file picked up from the working directory changes what is reported: say so, once
    if (loaded.discovered && !action.opts().quiet) process.stderr.write(`dumpscrub: using ./${CONFIG_FILE_NAME}\n`);
    const c = loaded.config;
    setDefault(action, 'entropy', c.entropy);
    if (c.jobs !== 0) setDefault(action, 'jobs', String(c.jobs));
    setDefault(action, 'fillText', c.fill.text);
    setDefault(action, 'fillBinary', String(c.fill.binary));
    const formats = action.options.find((o) => o.attributeName() === 'format')?.argChoices;
    if (!formats || formats.includes(c.report.format)) setDefault(action, 'format', c.report.format);
    if (c.report.summary) setDefault(action, 'summary', true);
    if (c.report.verbose) setDefault(action, 'verbose', true);
    if (c.report.color === 'never' && action.getOptionValueSource('color') !== 'cli') action.setOptionValueWithSource('color', false, 'config');
    if (c.report.color === 'always' && process.env.FORCE_COLOR === undefined && process.env.NO_COLOR === undefined) process.env.FORCE_COLOR = '1';
    for (const [key, list] of [
      ['knownKey', c.knownKeys],
      ['knownSecret', c.knownSecrets],
    ] as const) {
      const current = action.getOptionValue(key) as string[] | undefined;
      if (Array.isArray(current) && list.length) action.setOptionValueWithSource(key, [...list, ...current], 'config');
    }
    action.setOptionValueWithSource(LOADED, loaded, 'config');
  });
}

/** The config the preAction hook loaded for this command (undefined for commands it skips). */
export function loadedConfigOf(flags: object): LoadedConfig | undefined {
  return (flags as Record<string, unknown>)[LOADED] as LoadedConfig | undefined;
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

/** Adds `--summary`, `--verbose` and the `sarif` report format to a scan/scrub/verify command. */
export function addReportFlags(cmd: Command): Command {
  const format = cmd.options.find((o) => o.attributeName() === 'format');
  if (format?.argChoices && !format.argChoices.includes('sarif')) format.argChoices.push('sarif');
  return cmd
    .option('--summary', 'also print counts per rule and verdict to stderr (for CI logs)')
    .option('-v, --verbose', 'list warnings, hashes and output paths in the text report');
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

/** `dumpscrub config --print`: the effective configuration as JSON. */
export function configCommand(setExit: (code: ExitCode) => void): Command {
  return new Command('config')
    .description('show the effective configuration (defaults + dumpscrub.config.json or --config)')
    .addOption(new Option('--print', 'print the effective configuration as JSON').default(true))
    .action(async (_flags: { print: boolean }, cmd: Command) => {
      const loaded = await loadConfig(cmd.optsWithGlobals().config as string | undefined);
      process.stdout.write(renderConfig(loaded.config, loaded.source));
      setExit(EXIT.CLEAN);
    });
}

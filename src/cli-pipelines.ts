// CLI glue at definition time: --config (discovery, and the config's values as defaults of flags),
// `config --print`, the report flags. Kept light: the config module loads when a command runs.
import { Command, Option } from 'commander';
import type { LoadedConfig } from './config.js';
import { EXIT } from './types.js';
import type { ExitCode } from './types.js';

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
    const { CONFIG_FILE_NAME, loadConfig } = await import('./config.js');
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

/** Adds `--summary`, `--verbose` and the `sarif` report format to a scan/scrub/verify command. */
export function addReportFlags(cmd: Command): Command {
  const format = cmd.options.find((o) => o.attributeName() === 'format');
  if (format?.argChoices && !format.argChoices.includes('sarif')) format.argChoices.push('sarif');
  return cmd.option('--summary', 'also print counts per rule and verdict to stderr (for CI logs)').option('-v, --verbose', 'list warnings, hashes and output paths in the text report');
}

/** `dumpscrub config --print`: the effective configuration as JSON. */
export function configCommand(setExit: (code: ExitCode) => void): Command {
  return new Command('config')
    .description('show the effective configuration (defaults + dumpscrub.config.json or --config)')
    .addOption(new Option('--print', 'print the effective configuration as JSON').default(true))
    .action(async (_flags: { print: boolean }, cmd: Command) => {
      const { loadConfig, renderConfig } = await import('./config.js');
      const loaded = await loadConfig(cmd.optsWithGlobals().config as string | undefined);
      process.stdout.write(renderConfig(loaded.config, loaded.source));
      setExit(EXIT.CLEAN);
    });
}

// `dumpscrub gate`: its flags and help; the gate itself (gate.ts) is loaded when the command runs.
import { Command, Option } from 'commander';
import { UsageError } from './errors.js';
import type { EntropyLevel, ExitCode } from './types.js';
import { DEFAULT_QUARANTINE_DIR, RETAINED_DIR } from './io/inbox.js';

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
  entropy?: EntropyLevel;
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
    .option('--claim-timeout <seconds>', 'a worker silent this long is dead; its claimed dumps go back to the inbox (default 60)')
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
      const [{ loadConfig }, { buildScrubOptions }, { runGate }] = await Promise.all([import('./config.js'), import('./run-options.js'), import('./gate.js')]);
      const { config } = await loadConfig(cmd.optsWithGlobals().config as string | undefined);
      // the config's values stand in for flags not given
      const scrub = await buildScrubOptions(
        {
          entropy: flags.entropy ?? config.entropy,
          jobs: config.jobs,
          fill: config.fill,
          knownKeys: [...config.knownKeys, ...flags.knownKey],
          knownSecrets: [...config.knownSecrets, ...flags.knownSecret],
        },
        config,
      );
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

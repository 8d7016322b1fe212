#!/usr/bin/env node
// The installed `dumpscrub` command: --version answers before the pipeline's modules load (in
// shell loops over many small dumps start-up dominates); everything else runs the CLI.
import { VERSION } from './version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./cli.js');
  process.exitCode = await main(process.argv).catch(() => 3);
}

// Whether two builds find the same: count and hash of a scan's findings (rule, span, fingerprint,
// encoding, region, note), sorted so worker scheduling does not matter. Run it before and after an
// optimisation; the two lines must be equal.
// Usage: node bench/findings-hash.mjs <image> [--cli dist/cli.js] [other scan flags, e.g. --jobs 2]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const at = args.indexOf('--cli');
const cli = at >= 0 ? args.splice(at, 2)[1] : new URL('../dist/cli.js', import.meta.url).pathname;
const [image, ...flags] = args;
if (!image) {
  console.error('usage: node bench/findings-hash.mjs <image> [--cli dist/cli.js] [scan flags]');
  process.exit(2);
}
let out;
try {
  out = execFileSync(process.execPath, [cli, 'scan', image, '-f', 'json', ...flags], { maxBuffer: 1 << 28 });
} catch (err) {
  // exit 1 means secrets were found: the report is still on stdout
  if (err.status !== 1) throw err;
  out = err.stdout;
}
const rows = JSON.parse(out)
  .files.flatMap((f) => f.findings)
  .map((f) => [f.ruleId, f.start, f.end, f.fingerprint, f.encoding, f.region, f.note].join('|'))
  .sort();
console.log(rows.length, createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16));

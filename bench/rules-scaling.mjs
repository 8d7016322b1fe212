// Rule-count scaling of the rules engine alone, in one thread: the first 10 rules vs all of them,
// on the same bytes (the first --mib MiB of the image), entropy off so only rules are timed.
// Usage: node bench/rules-scaling.mjs <image> [--mib 256] [--dist dir]; prints one JSON line.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readChunks } from './measure.mjs';

const args = process.argv.slice(2);
const file = args[0];
const mibAt = args.indexOf('--mib');
const mib = mibAt >= 0 ? Number(args[mibAt + 1]) : 256;
const distAt = args.indexOf('--dist');
const dist = distAt >= 0 ? pathToFileURL(path.resolve(args[distAt + 1])).href : new URL('../dist', import.meta.url).href;
const { builtinRules } = await import(`${dist}/rules/index.js`);
const { rulesDetector } = await import(`${dist}/detectors/rules.js`);

const { chunks, size } = readChunks(file, mib);

const ctx = { knownKeys: [], learned: [], knownSecrets: [], extraViews: [], entropy: 'off' };
function time(rules) {
  const d = rulesDetector(rules, { entropy: 'off' });
  d.detect(chunks[0].subarray(0, 1 << 20), ctx); // warm-up: compile regexes, JIT
  const t0 = process.hrtime.bigint();
  let hits = 0;
  for (const c of chunks) hits += d.detect(c, ctx).hits.length;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rules: rules.length, seconds: s, mbPerS: size / 1e6 / s, hits };
}

const few = time(builtinRules.slice(0, 10));
const all = time(builtinRules);
console.log(JSON.stringify({ bytes: size, few, all, costRatio: all.seconds / few.seconds, ruleRatio: all.rules / few.rules }));

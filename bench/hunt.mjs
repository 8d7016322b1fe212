// CPU of the self-hunt for the private halves of the RSA public keys a scan learns from a file, in
// one thread, for one or more builds run alternately (each build in its own process per round).
// Usage: node bench/hunt.mjs <file> [--mib 256] [--rounds 3] [--dist dir]... ; one line per round.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readChunks } from './measure.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : dflt);
const file = args[0];
const mib = Number(opt('--mib', 256));

if (args.includes('--child')) {
  // one build: learn the public keys over every chunk, then time the known-key detector alone
  const dist = pathToFileURL(path.resolve(opt('--dist'))).href;
  const { builtinDetectors } = await import(`${dist}/detectors/index.js`);
  const { chunks } = readChunks(file, mib);
  const detectors = builtinDetectors({ entropy: 'all', knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] });
  const base = { knownKeys: [], learned: [], knownSecrets: [], extraViews: [], entropy: 'all' };
  const learned = new Map();
  for (const c of chunks) for (const d of detectors) for (const v of d.detect(c, base).learned ?? []) learned.set(`${v.kind}:${v.label}`, v);
  const keys = [...learned.values()].filter((v) => v.kind === 'public-rsa');
  const hunter = detectors.find((d) => d.id === 'known-key');
  const before = process.cpuUsage();
  let hits = 0;
  for (const c of chunks) hits += hunter.detect(c, { ...base, learned: keys }).hits.length;
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ keys: keys.length, hits, cpuSeconds: (used.user + used.system) / 1e6 }));
} else {
  const dists = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '--dist') dists.push(args[i + 1]);
  if (!dists.length) dists.push(fileURLToPath(new URL('../dist', import.meta.url)));
  for (let r = 0; r < Number(opt('--rounds', 3)); r++) {
    const line = dists.map((d) => {
      const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), file, '--mib', String(mib), '--dist', d, '--child']).toString());
      return `${d}: ${out.cpuSeconds.toFixed(2)} s (${out.keys} keys, ${out.hits} hits)`;
    });
    console.log(`round ${r + 1}: ${line.join('   ')}`);
  }
}

// CPU time per detector and per pass (scan, self-hunt, write, verify), in one thread, the way the
// pipeline runs them on the first --mib MiB of the input (16 MiB chunks, overlap left out).
// Usage: node bench/shares.mjs <file> [--mib 256] [--dist dir]; prints one JSON line.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readChunks } from './measure.mjs';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name, dflt) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : dflt);
const mib = Number(opt('--mib', 256));
const dist = pathToFileURL(path.resolve(opt('--dist', new URL('../dist', import.meta.url).pathname))).href;
const { builtinDetectors } = await import(`${dist}/detectors/index.js`);
// which build of the factor hunt's sliding pass ran (a dist/ from before the kernel has none)
const kernels = await import(`${dist}/detectors/factor-sieve-kernel.js`).then(
  (m) => (m.kernelLoaded() ? 'wasm' : 'js'),
  () => 'js',
);

const { chunks, size } = readChunks(file, mib);

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const detectors = builtinDetectors({ entropy: 'all', knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] });
const base = { knownKeys: [], learned: [], knownSecrets: [], extraViews: [], entropy: 'all' };

/** Every detector over every chunk; CPU seconds per detector id, and what they learnt. */
function pass(dets, ctx) {
  const per = {};
  const learned = new Map();
  for (const c of chunks) {
    for (const d of dets) {
      const t0 = cpu();
      const r = d.detect(c, ctx);
      per[d.id] = (per[d.id] ?? 0) + cpu() - t0;
      for (const v of r.learned ?? []) learned.set(`${v.kind}:${v.label}`, v);
    }
  }
  return { per, learned: [...learned.values()] };
}

detectors.forEach((d) => d.detect(chunks[0].subarray(0, 1 << 20), base)); // warm-up: regexes, JIT
const scan = pass(detectors, base);
// the self-hunt pass: the known-key detector alone, with what the scan learnt
const hunter = detectors.filter((d) => d.id === 'known-key');
const hunt = pass(hunter, { ...base, learned: scan.learned });
// the write pass: the copy written chunk by chunk
const tmp = path.join(os.tmpdir(), `dumpscrub-bench-shares-${process.pid}.bin`);
const t0 = cpu();
const out = fs.openSync(tmp, 'w');
for (const c of chunks) fs.writeSync(out, c);
fs.fsyncSync(out);
fs.closeSync(out);
const write = cpu() - t0;
fs.rmSync(tmp, { force: true });
// the verify pass: every detector again, hunting what the scan learnt
const verify = pass(detectors, { ...base, learned: scan.learned });
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    bytes: size,
    kernels,
    detectors: scan.per,
    learned: scan.learned.map((v) => v.kind),
    passes: { scan: sum(scan.per), selfHunt: sum(hunt.per), write, verify: sum(verify.per) },
  }),
);

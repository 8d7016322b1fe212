// Each WebAssembly kernel against its JavaScript reference, in one process, alternating A/B on the
// same prepared chunks: CPU seconds per run, the ratios, and whether both gave the same output.
// Usage: node bench/kernels.mjs <file> [--mib 256] [--rounds 3] [--dist dir]; prints one JSON line last.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readChunks } from './measure.mjs';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name, dflt) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : dflt);
const mib = Number(opt('--mib', 256));
const rounds = Number(opt('--rounds', 3));
const dist = pathToFileURL(path.resolve(opt('--dist', new URL('../dist', import.meta.url).pathname))).href;
const { prepareHunt } = await import(`${dist}/detectors/factor-hunt.js`);
const { sieveWindows } = await import(`${dist}/detectors/factor-sieve.js`);
const { kernelLoaded, sieveWindowsKernel } = await import(`${dist}/detectors/factor-sieve-kernel.js`);
if (!kernelLoaded()) throw new Error('no built kernel: run npm run build');

const { chunks } = readChunks(file, mib);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
// the factor sieve for RSA-2048, -3072 and -4096 primes, as for keys seen in the dump
const sieve = { js: sieveWindows, wasm: sieveWindowsKernel };
const times = { js: [], wasm: [] };
let same = true;
for (let r = 0; r < rounds; r++) {
  const outs = {};
  for (const which of ['js', 'wasm']) {
    let t = 0;
    const got = [];
    for (const c of chunks) {
      const input = prepareHunt(c);
      const t0 = cpu();
      for (const nw of [32, 48, 64]) got.push(JSON.stringify(sieve[which](input, nw, 0xb505, false)));
      t += cpu() - t0;
    }
    times[which].push(t);
    outs[which] = got.join('|');
  }
  same &&= outs.js === outs.wasm;
  console.log(`round ${r + 1}: factor sieve js ${times.js[r].toFixed(2)} s, wasm ${times.wasm[r].toFixed(2)} s, ${(times.js[r] / times.wasm[r]).toFixed(1)}x`);
}
console.log(JSON.stringify({ bytes: chunks.reduce((a, c) => a + c.length, 0), factorSieve: { js: times.js, wasm: times.wasm, ratios: times.js.map((x, i) => x / times.wasm[i]), same } }));

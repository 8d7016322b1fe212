// Each WebAssembly kernel against its JavaScript reference, in one process, alternating A/B on the
// same prepared chunks: CPU seconds per run, the ratios, and whether both gave the same output.
// Kernels: the factor hunt's sliding pass, the AES scan's fused relation pass (every 64 KiB block at
// four byte phases) and the multi-needle searches' sampling (searchAll with AES keys and RSA values,
// RunIndex.search with secret values as text and UTF-16, as the hunts build them).
// Usage: node bench/kernels.mjs <file> [--mib 256] [--rounds 3] [--dist dir]; prints one JSON line last.
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
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
const { fusedCandidates } = await import(`${dist}/detectors/aes.js`);
const { aesKernelLoaded, fusedKernel, uploadBlock } = await import(`${dist}/detectors/aes-kernel.js`);
const { RunIndex, searchAll } = await import(`${dist}/codec/multi-search.js`);
const { gramKernelLoaded, gramSampler } = await import(`${dist}/detectors/gram-kernel.js`);
if (!kernelLoaded() || !aesKernelLoaded() || !gramKernelLoaded()) throw new Error('no built kernel: run npm run build');

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

/** Runs js(chunk) and wasm(chunk) alternately per chunk, `rounds` times: CPU seconds, ratios, same output. */
function ab(name, js, wasm) {
  const t = { js: [], wasm: [] };
  let equal = true;
  for (let r = 0; r < rounds; r++) {
    const sum = { js: 0, wasm: 0 };
    for (const c of chunks) {
      const outs = {};
      for (const which of r & 1 ? ['wasm', 'js'] : ['js', 'wasm']) {
        const t0 = cpu();
        outs[which] = JSON.stringify((which === 'js' ? js : wasm)(c));
        sum[which] += cpu() - t0;
      }
      equal &&= outs.js === outs.wasm;
    }
    t.js.push(sum.js);
    t.wasm.push(sum.wasm);
    console.log(`round ${r + 1}: ${name} js ${sum.js.toFixed(2)} s, wasm ${sum.wasm.toFixed(2)} s, ${(sum.js / sum.wasm).toFixed(1)}x`);
  }
  return { js: t.js, wasm: t.wasm, ratios: t.js.map((x, i) => x / t.wasm[i]), same: equal };
}

// the AES relation pass as findSchedules runs it: each 64 KiB block (with 256-byte margins) at four phases
const BLOCK = 1 << 16;
const MARGIN = 256;
const scratch = new Uint8Array(BLOCK + 2 * MARGIN + 4);
function relations(c, kernel) {
  const all = [];
  for (let bs = 0; bs < c.length; bs += BLOCK) {
    const lo = Math.max(0, bs - MARGIN);
    const hi = Math.min(c.length, bs + BLOCK + MARGIN);
    if (kernel) uploadBlock(c, lo, hi);
    for (let phase = 0; phase < 4; phase++) {
      const nw = Math.floor((hi - lo - phase) / 4);
      if (nw < 44) continue;
      const cands = [[], [], [], [], [], []];
      const end = nw - 16;
      if (kernel) fusedKernel(phase, 8, end, [], cands);
      else {
        scratch.set(c.subarray(lo + phase, lo + phase + nw * 4));
        fusedCandidates(new Int32Array(scratch.buffer, 0, nw), 8, end, [], cands);
      }
      for (const l of cands) if (l.length) all.push(bs, phase, l);
    }
  }
  return all;
}
const aes = ab(
  'AES relation pass',
  (c) => relations(c, false),
  (c) => relations(c, true),
);

// needles as the hunts make them (random values: what they find is the same either way)
const tagged = [];
for (let k = 0; k < 12; k++) {
  const b = randomBytes([16, 32, 128][k % 3]);
  for (const x of [b, Buffer.from(b).reverse()]) tagged.push({ bytes: x, encoding: 'binary', ruleId: 'known-key', secret: b, note: 'bench' });
}
const runNeedles = [];
for (let k = 0; k < 80; k++) {
  const v = randomBytes(24).toString('base64');
  runNeedles.push({ bytes: Buffer.from(v, 'latin1'), minRun: 12, unit: 1 }, { bytes: Buffer.from(v, 'utf16le'), minRun: 24, unit: 2 });
}
const hits = (found) => found.map((h) => [h.start, h.end]);
const literal = ab(
  'searchAll sampling',
  (c) => hits(searchAll(c, tagged)),
  (c) => hits(searchAll(c, tagged, gramSampler)),
);
const plainIndex = new RunIndex(runNeedles);
const fastIndex = new RunIndex(runNeedles, gramSampler);
const copies = ab(
  'RunIndex.search sampling',
  (c) => plainIndex.search(c),
  (c) => fastIndex.search(c),
);

console.log(
  JSON.stringify({
    bytes: chunks.reduce((a, c) => a + c.length, 0),
    factorSieve: { js: times.js, wasm: times.wasm, ratios: times.js.map((x, i) => x / times.wasm[i]), same },
    aesRelations: aes,
    searchAll: literal,
    runIndex: copies,
  }),
);

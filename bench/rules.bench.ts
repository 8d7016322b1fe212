// Benchmark of the rules detector (`npm run bench:rules`, not part of `npm test`): MB/s with all rules vs ten,
// per entropy mode, on a memory-like image, a text-only image and optional real files
// (DUMPSCRUB_BENCH_FILES=a.core:b.dmp), plus changed bytes per million. Prints no secret: rule ids,
// counts and sizes only.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { describe, test } from 'vitest';
import { builtinRules } from '../src/rules/index.js';
import { rulesDetector } from '../src/detectors/rules.js';
import type { DetectContext, Hit } from '../src/types.js';
import type { Rule } from '../src/rules/schema.js';
import { makeMemImage, ppm, TEXT_MIX } from '../test/helpers/memimage.js';
import { adversarialInputs } from '../test/helpers/adversarial.js';

const CHUNK = 16 << 20;
const MIB = Number(process.env.DUMPSCRUB_BENCH_MIB ?? 256);
const ctx = (entropy: DetectContext['entropy']): DetectContext => ({ knownKeys: [], knownSecrets: [], extraViews: [], entropy, learned: [] });

function readHead(file: string, max: number): Buffer {
  const size = Math.min(statSync(file).size, max);
  const b = Buffer.allocUnsafe(size);
  const fd = openSync(file, 'r');
  readSync(fd, b, 0, size, 0);
  closeSync(fd);
  return b;
}

/**
 * Best of `runs` passes over buf in 16 MiB chunks (as the pipeline calls detect), in MB per CPU
 * second: detection is single-threaded, and CPU time is steadier than wall time on a shared box.
 */
function measure(rules: Rule[], buf: Buffer, mode: DetectContext['entropy'], runs = 3): { mbps: number; hits: Hit[] } {
  const d = rulesDetector(rules, { entropy: mode });
  d.detect(buf.subarray(0, 1 << 20), ctx(mode)).hits;
  let best = Infinity;
  let hits: Hit[] = [];
  for (let r = 0; r < runs; r++) {
    const t = process.cpuUsage();
    const all: Hit[] = [];
    for (let o = 0; o < buf.length; o += CHUNK) for (const h of d.detect(buf.subarray(o, o + CHUNK), ctx(mode)).hits) all.push({ ...h, start: h.start + o, end: h.end + o });
    const used = process.cpuUsage(t);
    best = Math.min(best, (used.user + used.system) / 1000);
    hits = all;
  }
  return { mbps: buf.length / 1e6 / (best / 1000), hits };
}

/** Speed of a trivial byte loop on this machine right now (the box is shared; numbers scale). */
function baseline(): number {
  const b = Buffer.alloc(64 << 20, 1);
  const t = new Uint8Array(256);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = process.cpuUsage();
    let s = 0;
    for (let i = 0; i < b.length; i++) s += t[b[i]];
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / 1000 + s);
  }
  return b.length / 1e6 / (best / 1000);
}

describe('rules benchmark', () => {
  test('throughput and over-redaction', { timeout: 900_000 }, () => {
    console.log(`baseline byte loop: ${baseline().toFixed(0)} MB/s; rules: ${builtinRules.length}`);
    const inputs: Array<[string, Buffer]> = [
      [`memory-like ${MIB} MiB`, makeMemImage(MIB << 20, 1)],
      [`text-only ${Math.min(MIB, 64)} MiB`, makeMemImage(Math.min(MIB, 64) << 20, 2, TEXT_MIX)],
    ];
    for (const f of (process.env.DUMPSCRUB_BENCH_FILES ?? '').split(':').filter(Boolean)) inputs.push([f, readHead(f, MIB << 20)]);
    const ten = builtinRules.slice(0, 10);
    for (const [name, buf] of inputs) {
      for (const mode of ['off', 'context', 'all'] as const) {
        const all = measure(builtinRules, buf, mode);
        const few = mode === 'off' ? measure(ten, buf, mode) : undefined;
        const byRule = new Map<string, number>();
        for (const h of all.hits) byRule.set(h.ruleId, (byRule.get(h.ruleId) ?? 0) + 1);
        console.log(
          `${name} entropy=${mode}: all rules ${all.mbps.toFixed(1)} MB/s` +
            (few ? `, 10 rules ${few.mbps.toFixed(1)} MB/s` : '') +
            `, ${all.hits.length} hits, ${ppm(all.hits, buf.length).toFixed(1)} ppm [${[...byRule].map(([k, v]) => `${k}:${v}`).join(' ')}]`,
        );
      }
    }
  });

  test('adversarial inputs stay within 2x of normal text throughput', { timeout: 900_000 }, () => {
    const normal = makeMemImage(4 << 20, 3, TEXT_MIX);
    const ref = measure(builtinRules, normal, 'off').mbps;
    const all: Array<[string, number]> = [];
    for (const [name, text] of adversarialInputs(builtinRules, 256 << 10)) all.push([name, measure(builtinRules, Buffer.from(text, 'latin1'), 'off', 1).mbps]);
    all.sort((a, b) => a[1] - b[1]);
    console.log(
      `normal text ${ref.toFixed(1)} MB/s; slowest adversarial 256 KiB inputs (all rules): ` +
        all
          .slice(0, 8)
          .map(([n, m]) => `${n} ${m.toFixed(1)} MB/s (${(ref / m).toFixed(2)}x)`)
          .join('; '),
    );
  });
});

// The chunk engine: the worker pool finds exactly what in-thread scanning finds, fails closed, stays bounded.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { closeScanPools, inFlightLimit, poolChunkSize, scanInput, workersFor } from '../src/engine.js';
import { DetectorError, overlapFor } from '../src/scan/chunk.js';
import type { ScanOutput, ScanPlan } from '../src/engine.js';
import type { Detector, Hit } from '../src/types.js';
// @ts-expect-error plain JS fixture, loaded by URL inside the workers too
import { createDetectors } from './support/pool-detectors.mjs';
import type { InputFile } from '../src/io/input.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = pathToFileURL(path.join(here, '..', 'dist', 'workers', 'scan-worker.js'));
const FIXTURE = pathToFileURL(path.join(here, 'support', 'pool-detectors.mjs')).href;
// the pool runs compiled JS: the vitest global setup builds dist/ first
const CHUNK = 64 * 1024;

function memoryInput(bytes: Buffer): InputFile {
  return {
    path: 'memory',
    size: bytes.length,
    identity: { dev: 0, ino: 0, size: bytes.length, mtimeMs: 0 } as unknown as InputFile['identity'],
    readAt: (o, l) => bytes.subarray(o, Math.min(bytes.length, o + l)),
    async read(buf, offset, length = buf.length) {
      const n = Math.max(0, Math.min(length, bytes.length - offset));
      bytes.copy(buf, 0, offset, offset + n);
      return n;
    },
    fstat: async () => ({ dev: 0, ino: 0, size: bytes.length, mtimeMs: 0 }) as unknown as InputFile['identity'],
    close: async () => {},
  };
}

function plan(jobs: number, extra: Partial<ScanPlan> = {}): ScanPlan {
  const options = { entropy: 'off' as const, knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] };
  const detectors: Detector[] = createDetectors(options);
  return {
    detectors,
    ctx: { knownKeys: [], learned: [], knownSecrets: [], extraViews: [], entropy: 'off' },
    chunkSize: CHUNK,
    jobs,
    recipe: { module: FIXTURE, options },
    workerUrl: WORKER,
    ...extra,
  };
}

/** Random bytes with markers planted at the given offsets (hex tails generated now). */
function image(size: number, offsets: number[]): Buffer {
  const b = randomBytes(size);
  for (const o of offsets) b.write(`POOLMARK-${randomBytes(8).toString('hex')}`, o, 'latin1');
  return b;
}

function comparable(out: ScanOutput): string[] {
  return out.hits.map((h: Hit) => `${h.ruleId}@${h.start}-${h.end}:${h.secret.toString('hex')}`);
}

describe('chunk engine', () => {
  afterAll(closeScanPools);

  it('decides when to use workers', () => {
    const p = plan(4);
    expect(workersFor(p, CHUNK)).toBe(0); // one chunk: no pool
    expect(workersFor(p, 3 * CHUNK)).toBe(3); // never more workers than chunks
    expect(workersFor(p, 10 * CHUNK)).toBe(4);
    expect(workersFor(plan(1), 10 * CHUNK)).toBe(0);
    expect(workersFor({ ...p, recipe: undefined }, 10 * CHUNK)).toBe(0);
    expect(inFlightLimit(4, 16 * 1024 * 1024)).toBe(8);
    expect(inFlightLimit(64, 16 * 1024 * 1024)).toBe(64); // big machines: byte budget, one chunk per worker
    const MiB = 1024 * 1024;
    expect(poolChunkSize(16 * MiB, 2)).toBe(8 * MiB); // bounded per-worker views
    expect(poolChunkSize(16 * MiB, 16)).toBe(8 * MiB);
    expect(poolChunkSize(16 * MiB, 64)).toBe(4 * MiB); // 64 workers × 2 chunks stay near 256 MiB
    expect(poolChunkSize(16 * MiB, 256)).toBe(4 * MiB);
    expect(poolChunkSize(CHUNK, 4)).toBe(CHUNK);
  });

  it('in-thread scanning finds markers that straddle every chunk boundary', async () => {
    const offsets = [0, CHUNK - 5, 2 * CHUNK - 20, 3 * CHUNK - 1, 5 * CHUNK + 100];
    const bytes = image(6 * CHUNK + 77, offsets);
    const out = await scanInput(memoryInput(bytes), plan(1));
    expect(out.hits.map((h) => h.start)).toEqual(offsets);
    expect(out.stats.workers).toBe(0);
    expect(out.learned.length).toBe(offsets.length);
  });

  it('the pool finds the same hits, keys and hash as in-thread scanning', async () => {
    const offsets = [10, CHUNK - 60, CHUNK - 1, 2 * CHUNK - 12, 4 * CHUNK + 3, 7 * CHUNK - 8, 9 * CHUNK + 500];
    const bytes = image(10 * CHUNK + 123, offsets);
    const alone = await scanInput(memoryInput(bytes), plan(1));
    const pooled = await scanInput(memoryInput(bytes), plan(4));
    expect(pooled.stats.workers).toBe(4);
    expect(comparable(pooled)).toEqual(comparable(alone));
    expect(pooled.hits.map((h) => h.start)).toEqual([...offsets].sort((a, b) => a - b));
    expect(pooled.sha256).toBe(alone.sha256);
    const moduli = (o: typeof alone) => o.learned.map((v) => (v.kind === 'public-rsa' ? v.n : 0n)).sort();
    expect(moduli(pooled)).toEqual(moduli(alone));
    expect(pooled.hits.every((h) => Buffer.isBuffer(h.secret))).toBe(true);
  });

  it('keeps chunks in flight within the bound and reuses buffers', async () => {
    const bytes = image(40 * CHUNK, [CHUNK * 20]);
    const jobs = 2;
    const done: number[] = [];
    const out = await scanInput(memoryInput(bytes), plan(jobs, { onProgress: (d) => done.push(d) }));
    const limit = inFlightLimit(jobs, CHUNK + overlapFor(plan(jobs).detectors));
    expect(out.stats.chunks).toBe(40);
    expect(out.stats.peakInFlight).toBeLessThanOrEqual(limit);
    expect(limit).toBeLessThanOrEqual(2 * jobs);
    expect(out.stats.buffers).toBeLessThanOrEqual(limit);
    expect(done[done.length - 1]).toBe(bytes.length);
    expect(out.hits.length).toBe(1);
  });

  it('a detector error in a worker fails the whole scan as a DetectorError', async () => {
    const bytes = image(12 * CHUNK, [CHUNK]);
    bytes.write('KABOOM-DETECTOR', 7 * CHUNK + 9, 'latin1');
    const err = await scanInput(memoryInput(bytes), plan(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DetectorError);
    expect((err as Error).message).toContain('pool-boom');
    expect((err as Error).message).not.toContain('choked'); // the detector's own text never leaks
  });

  it('a worker that cannot build its detectors fails closed', async () => {
    const bytes = image(4 * CHUNK, []);
    const p = plan(2);
    const broken = { ...p, recipe: { ...p.recipe!, module: pathToFileURL(path.join(here, 'support', 'no-such-module.mjs')).href } };
    await expect(scanInput(memoryInput(bytes), broken)).rejects.toBeInstanceOf(DetectorError);
  });

  it('workers serve scan after scan, and a failed pool is replaced by a fresh one', async () => {
    const bytes = image(6 * CHUNK, [CHUNK + 5, 4 * CHUNK - 2]);
    const first = await scanInput(memoryInput(bytes), plan(2));
    const bad = Buffer.from(bytes);
    bad.write('KABOOM-DETECTOR', 3 * CHUNK, 'latin1');
    await expect(scanInput(memoryInput(bad), plan(2))).rejects.toBeInstanceOf(DetectorError);
    const again = await scanInput(memoryInput(bytes), plan(2));
    expect(comparable(again)).toEqual(comparable(first));
    expect(again.hits.length).toBe(2);
  });

  it('idle workers do not keep the process alive', () => {
    const engine = pathToFileURL(path.join(here, '..', 'dist', 'engine.js')).href;
    const script = `
      const { scanInput } = await import(${JSON.stringify(engine)});
      const { createDetectors } = await import(${JSON.stringify(FIXTURE)});
      const bytes = Buffer.alloc(${4 * CHUNK}, 0x41);
      const input = { path: 'm', size: bytes.length, read: async (b, o, l) => bytes.copy(b, 0, o, o + l) };
      const options = { entropy: 'off', knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] };
      const out = await scanInput(input, { detectors: createDetectors(options), ctx: { knownKeys: [], learned: [], knownSecrets: [], extraViews: [], entropy: 'off' }, chunkSize: ${CHUNK}, jobs: 2, recipe: { module: ${JSON.stringify(FIXTURE)}, options } });
      console.log('workers', out.stats.workers);`;
    // a process-wide V8 flag must not stop the workers (they reject it when passed to them by hand)
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-pool-')), 'run.mjs');
    writeFileSync(file, script);
    for (const args of [
      ['--input-type=module', '-e', script],
      ['--max-semi-space-size=16', '--input-type=module', '-e', script],
      ['--max-semi-space-size=16', file],
    ]) {
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, args[0]).toBe(0); // a hang would be killed by the timeout and fail here
      expect(r.stdout.trim()).toBe('workers 2');
    }
  });

  it('options that cannot cross to a worker fall back to in-thread scanning', async () => {
    const bytes = image(4 * CHUNK, [CHUNK - 3]);
    const p = plan(2);
    const uncloneable = { ...p, recipe: { ...p.recipe!, options: { ...p.recipe!.options, extraRules: [() => 0] } } };
    const out = await scanInput(memoryInput(bytes), uncloneable);
    expect(out.stats.workers).toBe(0);
    expect(out.hits.map((h) => h.start)).toEqual([CHUNK - 3]);
  });
});

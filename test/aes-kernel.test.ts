// The AES scan's fused relation pass: the WebAssembly kernel against the JavaScript reference on
// random and adversarial buffers at every byte phase and start offset, and the detector on top of it.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decryptSchedule, expandKey, findSchedules, fusedCandidates } from '../src/detectors/aes.js';
import { aesKernelLoaded, fusedKernel, uploadBlock } from '../src/detectors/aes-kernel.js';
import { scheduleBytes } from './helpers/aes-schedule.js';
import { seeded } from '../fixtures/gen/keys.js';

const PAGE = 4096;

function words(key: Buffer): number[] {
  const w: number[] = [];
  for (let i = 0; i < key.length; i += 4) w.push(key.readUInt32BE(i));
  return w;
}

/** Every word the XOR of the one before and the one `d` words back: relation `d` holds at every position. */
function recurrence(len: number, d: number, seed: number): Buffer {
  const b = seeded(len, seed);
  for (let i = 4 * (d + 1); i + 4 <= len; i += 4) b.writeInt32LE(b.readInt32LE(i - 4) ^ b.readInt32LE(i - 4 * d), i);
  return b;
}

/** Schedules of every size and direction in both word orders, packed back to back at odd offsets, amid random bytes. */
function schedules(len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  let at = 13;
  for (let n = 0; at + 240 < len; n++, at += 250 + (n % 7)) {
    const key = randomBytes([16, 24, 32][n % 3]);
    const enc = expandKey(words(key));
    scheduleBytes(n % 2 ? decryptSchedule(enc) : enc, n % 4 >= 2).copy(b, at);
  }
  return b;
}

/** Zero pages, 0xff pages, pages of one repeated word, recurrence runs and random bytes, in turn. */
function mixed(len: number, seed: number): Buffer {
  const b = seeded(len, seed);
  for (let at = 0; at + PAGE <= len; at += PAGE) {
    const kind = (at / PAGE) % 5;
    if (kind === 0) b.fill(0, at, at + PAGE);
    else if (kind === 1) b.fill(0xff, at, at + PAGE);
    else if (kind === 2) for (let i = at; i < at + PAGE; i += 4) b.writeUInt32LE(0x01020304, i);
    else if (kind === 3) recurrence(PAGE, 2 + (at % 7), at).copy(b, at);
  }
  return b;
}

const INPUTS: Array<[string, Buffer]> = [
  ['random', seeded(96 * 1024, 1)],
  ['recurrence d=4 (every position a candidate)', recurrence(512 * 1024, 4, 2)],
  ['recurrence d=8', recurrence(40 * 1024, 8, 3)],
  ['packed schedules', schedules(64 * 1024, 4)],
  ['mixed pages', mixed(64 * 1024, 5)],
];

/** Skip ranges as the scan makes them (sorted [start, end) pairs of word positions), and none. */
const SKIPS = [[], [100, 300, 1000, 1001, 1700, 1708, 5000, 9000], [0, 50, 20000, 30000]];

describe('AES relation pass in WebAssembly', () => {
  it('the WebAssembly kernel is built and loaded (npm run build)', () => {
    expect(aesKernelLoaded()).toBe(true);
  });

  for (const [name, buf] of INPUTS) {
    it(`kernel = reference: ${name}, every byte phase and start offset`, () => {
      let found = 0;
      let most = 0;
      for (let off = 0; off < 8; off++) {
        const bytes = buf.subarray(off);
        expect(uploadBlock(bytes, 0, bytes.length)).toBe(true);
        for (let phase = 0; phase < 4; phase++) {
          const nw = Math.floor((bytes.length - phase) / 4);
          const v = new Int32Array(Uint8Array.from(bytes.subarray(phase, phase + 4 * nw)).buffer);
          for (const skips of SKIPS)
            for (const [from, end] of [
              [8, nw - 16],
              [8 + phase * 3, nw - 16 - off],
            ]) {
              const ref: number[][] = [[], [], [], [], [], []];
              const ker: number[][] = [[], [], [], [], [], []];
              fusedCandidates(v, from, end, skips, ref);
              expect(fusedKernel(phase, from, end, skips, ker)).toBe(true);
              if (JSON.stringify(ref) !== JSON.stringify(ker)) expect.fail(`kernel differs: offset ${off}, phase ${phase}, from ${from}, skips ${skips.length / 2}`);
              found += ref.flat().length;
              most = Math.max(most, ref.flat().length);
            }
        }
      }
      if (name !== 'random') expect(found).toBeGreaterThan(0);
      // the kernel hands back 2^14 entries per call: a long recurrence makes it resume
      if (name.startsWith('recurrence d=4')) expect(most).toBeGreaterThan(1 << 14);
    });
  }

  it('findSchedules finds the same schedules with the kernel as with the JavaScript pass (DUMPSCRUB_KERNELS=js), at every start offset', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-aes-'));
    try {
      const buf = Buffer.concat([schedules(96 * 1024, 6), mixed(48 * 1024, 7), schedules(40 * 1024, 8)]);
      const file = path.join(dir, 'buf.bin');
      fs.writeFileSync(file, buf);
      const list = (b: Buffer): string => JSON.stringify(findSchedules(b).map((f) => [f.start, f.end, f.bits, f.decrypt, f.swapped, f.bitErrors, f.key.toString('hex')]));
      const here = [0, 1, 2, 3].map((off) => list(buf.subarray(off)));
      expect(here[0].length).toBeGreaterThan(1000);
      // the reference in a process that does not load the kernel
      const aes = pathToFileURL(path.resolve('dist/detectors/aes.js')).href;
      const script = `const { findSchedules } = await import(${JSON.stringify(aes)}); const b = (await import('node:fs')).readFileSync(process.argv[1]);
        console.log(JSON.stringify([0, 1, 2, 3].map((off) => JSON.stringify(findSchedules(b.subarray(off)).map((f) => [f.start, f.end, f.bits, f.decrypt, f.swapped, f.bitErrors, f.key.toString('hex')])))));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { env: { ...process.env, DUMPSCRUB_KERNELS: 'js' }, encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status).toBe(0);
      const reference = JSON.parse(r.stdout) as string[];
      expect(reference.map((x, i) => x === here[i])).toEqual([true, true, true, true]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

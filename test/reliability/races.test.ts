// Input changing during the run: appended, truncated, rewritten in place, replaced by rename — in every phase.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { scan, scrub } from '../../src/index.js';
import { tempDir } from '../lead/cli-harness.js';
import { plant, runCliAsync, tempsIn } from './util.js';

type Phase = 'scan' | 'write' | 'verify';
type Mutation = 'append' | 'truncate' | 'rewrite' | 'rewrite-keep-mtime' | 'rename';

function mutate(file: string, how: Mutation): void {
  if (how === 'append') fs.appendFileSync(file, Buffer.from('late bytes'));
  else if (how === 'truncate') fs.truncateSync(file, fs.statSync(file).size - 4096);
  else if (how === 'rename') {
    const next = `${file}.new`;
    fs.writeFileSync(next, fs.readFileSync(file));
    fs.renameSync(next, file);
  } else {
    const st = fs.statSync(file);
    const fd = fs.openSync(file, 'r+');
    // one byte near the end: not yet read when the scan pass is early on
    fs.writeSync(fd, Buffer.from('Z'), 0, 1, st.size - 100);
    fs.closeSync(fd);
    if (how === 'rewrite-keep-mtime') fs.utimesSync(file, st.atime, st.mtime);
  }
}

/** Scrubs a fresh 1 MiB input, calling `act` once a quarter of `phase` is done. */
async function scrubActingAt(phase: Phase, act: (file: string, dir: string) => void) {
  const dir = tempDir();
  const { file } = plant(dir, 'in.bin', 1024 * 1024);
  const out = path.join(dir, 'out.bin');
  let done = false;
  const r = await scrub(file, out, {
    chunkSize: 64 * 1024,
    onProgress: (p, d, total) => {
      if (p === phase && !done && d >= total / 4) {
        done = true;
        act(file, dir);
      }
    },
  });
  return { dir, out, done, r };
}

const PHASES: Phase[] = ['scan', 'write', 'verify'];
const MUTATIONS: Mutation[] = ['append', 'truncate', 'rewrite', 'rewrite-keep-mtime', 'rename'];

describe('scrub: the input changes underneath', () => {
  for (const phase of PHASES) {
    for (const how of MUTATIONS) {
      it(`${how} during ${phase}: io-error, nothing published, no temp left`, async () => {
        const { dir, out, done, r } = await scrubActingAt(phase, (file) => mutate(file, how));
        expect(done).toBe(true);
        expect(r.verdict).toBe('io-error');
        expect(r.error).toMatch(/changed during the run/);
        expect(fs.existsSync(out)).toBe(false);
        expect(tempsIn(dir)).toEqual([]);
      });
    }
  }

  it('a gzip input rewritten while its plain copy is scrubbed: io-error, nothing published', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'in.bin', 512 * 1024);
    const gz = path.join(dir, 'in.bin.gz');
    fs.writeFileSync(gz, gzipSync(fs.readFileSync(file)));
    const out = path.join(dir, 'out.bin.gz');
    let done = false;
    const r = await scrub(gz, out, {
      chunkSize: 64 * 1024,
      onProgress: (p) => {
        if (p === 'write' && !done) {
          done = true;
          fs.appendFileSync(gz, gzipSync(Buffer.from('another member')));
        }
      },
    });
    expect(done).toBe(true);
    expect(r.verdict).toBe('io-error');
    expect(fs.existsSync(out)).toBe(false);
    expect(tempsIn(dir)).toEqual([]);
  });
});

describe('scrub: the temp file is removed underneath (another host sharing the directory cleaned it)', () => {
  for (const phase of ['write', 'verify'] as const) {
    it(`during ${phase}: io-error, nothing published`, async () => {
      const { out, done, r } = await scrubActingAt(phase, (_file, dir) => {
        for (const t of tempsIn(dir)) fs.unlinkSync(path.join(dir, t));
      });
      expect(done).toBe(true);
      expect(r.verdict).toBe('io-error');
      expect(fs.existsSync(out)).toBe(false);
    });
  }
});

describe('scan: the input changes underneath', () => {
  for (const how of MUTATIONS) {
    it(`${how} mid-scan gives io-error`, async () => {
      const dir = tempDir();
      const { file } = plant(dir, 'in.bin', 1024 * 1024);
      let done = false;
      const r = await scan(file, {
        chunkSize: 64 * 1024,
        onProgress: (_p, d, total) => {
          if (!done && d >= total / 4) {
            done = true;
            mutate(file, how);
          }
        },
      });
      expect(done).toBe(true);
      expect(r.verdict).toBe('io-error');
    });
  }
});

describe('via the CLI', () => {
  it('appending while the copy is written: exit 3, a FAILED line, nothing published', async () => {
    const dir = tempDir();
    const { file } = plant(dir, 'big.bin', 48 * 1024 * 1024);
    const out = path.join(dir, 'big.out');
    let appended = false;
    // append the moment the temp file appears: the write and verify passes are still ahead
    const watcher = setInterval(() => {
      if (!appended && tempsIn(dir).length > 0) {
        appended = true;
        fs.appendFileSync(file, Buffer.from('more'));
      }
    }, 2);
    const r = await runCliAsync(['scrub', file, '-o', out, '--chunk-size', String(1 << 20)]);
    clearInterval(watcher);
    expect(appended).toBe(true);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^dumpscrub: FAILED .*big\.bin: .*changed during the run/m);
    expect(fs.existsSync(out)).toBe(false);
    expect(tempsIn(dir)).toEqual([]);
  }, 120_000);
});

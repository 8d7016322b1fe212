// The library as it ships (dist/): scanned in chunks by the worker pool, a file gives exactly the
// findings in-thread scanning gives, and the scrubbed copies are byte-identical. From the sources the
// engine has no compiled worker entry and always scans in-thread, so the pool is reached through dist/.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { filler, freshPem, randomToken, ROOT, tempDir } from './lead/cli-harness.js';
import * as source from '../src/index.js';
import type { FileResult } from '../src/index.js';

type Api = typeof import('../src/index.js');
type Engine = typeof import('../src/engine.js');

// built by the vitest global setup
const shipped = (await import(pathToFileURL(path.join(ROOT, 'dist', 'index.js')).href)) as Api;
const shippedEngine = (await import(pathToFileURL(path.join(ROOT, 'dist', 'engine.js')).href)) as Engine;

const CHUNK = 64 * 1024;
const dir = tempDir();

afterAll(async () => {
  await shippedEngine.closeScanPools();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** 1 MiB of memory-like filler with secrets planted across chunk boundaries (PEM key, passwords, UTF-16). */
function image(): string {
  const buf = filler(1024 * 1024, 5);
  const pieces = [
    Buffer.from(`\0${freshPem()}\0`),
    Buffer.from(`\0db_password=${randomToken(20)}\0`),
    Buffer.from(`password=${randomToken(20)}\0`, 'utf16le'),
    Buffer.from(`\0api_key="${randomToken(32)}"\0`),
  ];
  // each one starts a few bytes before a chunk boundary, so it straddles two chunks
  pieces.forEach((p, i) => p.copy(buf, (3 + i * 4) * CHUNK - 17));
  const file = path.join(dir, 'mem.bin');
  fs.writeFileSync(file, buf);
  return file;
}

const spans = (r: FileResult) => r.findings.map((f) => `${f.ruleId}@${f.start}-${f.end}`).sort();

/** Threads of this process: pool workers are OS threads that stay (idle, unref'd) after a scan. */
const threads = () => fs.readdirSync('/proc/self/task').length;

describe('the worker pool, through the built library', () => {
  const file = image();

  it('finds exactly what the in-thread scan finds, across chunk boundaries', async () => {
    const inThread = await source.scan(file, { chunkSize: CHUNK, jobs: 1 });
    const before = threads();
    const pooled = await shipped.scan(file, { chunkSize: CHUNK, jobs: 2 });
    // the pool really ran: its two workers are threads of this process now
    expect(threads()).toBeGreaterThanOrEqual(before + 2);
    expect(inThread.verdict).toBe('secrets-found');
    expect(inThread.findings.length).toBeGreaterThanOrEqual(4);
    expect(spans(pooled)).toEqual(spans(inThread));
  });

  it('writes the same verified copy as an in-thread scrub', async () => {
    const a = await source.scrub(file, path.join(dir, 'a.bin'), { chunkSize: CHUNK, jobs: 1 });
    const b = await shipped.scrub(file, path.join(dir, 'b.bin'), { chunkSize: CHUNK, jobs: 2 });
    expect(a.verdict).toBe('redacted-verified');
    expect(b.verdict).toBe('redacted-verified');
    expect(spans(b)).toEqual(spans(a));
    expect(fs.readFileSync(path.join(dir, 'b.bin')).equals(fs.readFileSync(path.join(dir, 'a.bin')))).toBe(true);
  });
});

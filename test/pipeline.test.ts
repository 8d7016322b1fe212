// The foundation's contracts, end to end: through the library API, and through the built CLI where
// the process is what is tested (exit codes, flags, pipes, stderr).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { runCli, tempDir, randomToken, freshPem, filler, leakCount, runCliHere } from './lead/cli-harness.js';
import { scan, scrub, verify } from '../src/index.js';

interface Planted {
  file: string;
  secrets: string[];
  bytes: Buffer;
}

/** A memory-like image with a PEM key, a password assignment (ASCII and UTF-16LE) and a bearer JWT. */
function plantedImage(dir: string, name = 'mem.bin', size = 256 * 1024): Planted {
  const buf = filler(size, 7);
  const pem = freshPem();
  const password = randomToken(18);
  const wide = randomToken(18);
  const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(`{"sub":"${randomToken(8)}"}`).toString('base64url')}.${randomToken(43)}`;
  let at = 10_000;
  const put = (b: Buffer) => {
    b.copy(buf, at);
    at += b.length + 4096 + 13;
  };
  put(Buffer.from(`\0${pem}\0`));
  put(Buffer.from(`\0db_password=${password}\0`));
  put(Buffer.from(`password=${wide}\0`, 'utf16le'));
  put(Buffer.from(`\0Authorization: Bearer ${jwt}\r\n\0`));
  const file = path.join(dir, name);
  fs.writeFileSync(file, buf);
  const pemBody = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  return { file, secrets: [password, wide, jwt, ...pemBody], bytes: buf };
}

describe('exit codes', () => {
  it('scan: 0 on a clean file, 1 with secrets, 3 on a missing file, 2 on a bad flag', async () => {
    const dir = tempDir();
    const clean = path.join(dir, 'clean.bin');
    fs.writeFileSync(clean, filler(128 * 1024, 3));
    expect((await runCliHere(['scan', clean])).code).toBe(0);
    const { file } = plantedImage(dir);
    expect((await runCliHere(['scan', file])).code).toBe(1);
    const missing = await runCliHere(['scan', path.join(dir, 'nope.dmp')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/ENOENT/);
    expect((await runCliHere(['scan', '--no-such-flag', clean])).code).toBe(2);
    expect((await runCliHere(['scan', '--entropy', 'loud', clean])).code).toBe(2);
  });

  it('scrub: 2 for conflicting destinations and for input == output, nothing written', async () => {
    const dir = tempDir();
    const { file } = plantedImage(dir);
    expect((await runCliHere(['scrub', file, '-o', path.join(dir, 'a'), '--out-dir', dir])).code).toBe(2);
    const same = await runCliHere(['scrub', file, '-o', file]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/same file/);
    expect(fs.readdirSync(dir).sort()).toEqual(['mem.bin']);
  });

  it('verify: 1 on the original, 0 on the scrubbed copy', async () => {
    const dir = tempDir();
    const { file } = plantedImage(dir);
    expect((await scrub(file, path.join(dir, 'mem.scrubbed.bin'))).verdict).toBe('redacted-verified');
    expect((await runCliHere(['verify', file])).code).toBe(1);
    expect((await runCliHere(['verify', path.join(dir, 'mem.scrubbed.bin')])).code).toBe(0);
  });

  it('--help lists the commands and the exit codes', async () => {
    const r = await runCliHere(['--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    for (const word of ['scan', 'scrub', 'verify', 'rules', 'Exit codes', 'input changed']) expect(text).toContain(word);
  });
});

describe('scrub writes a same-length copy that differs only inside findings', () => {
  it('redacts every planted secret, keeps every other byte, and passes verify', async () => {
    const dir = tempDir();
    const { file, secrets, bytes } = plantedImage(dir);
    const out = path.join(dir, 'out.bin');
    const r = await scrub(file, out);
    expect(r.verdict).toBe('redacted-verified');
    const copy = fs.readFileSync(out);
    expect(copy.length).toBe(bytes.length);
    expect(leakCount(copy, secrets)).toBe(0);
    expect((await verify(out)).verdict).toBe('clean');
    const spans = r.findings;
    expect(spans.length).toBeGreaterThanOrEqual(4);
    let outside = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== copy[i] && !spans.some((s) => s.start <= i && i < s.end)) outside++;
    }
    expect(outside).toBe(0);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true); // input untouched
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('600');
  });

  it('finds and fully redacts a secret straddling a chunk boundary', async () => {
    const dir = tempDir();
    const buf = filler(64 * 1024, 11);
    const password = randomToken(24);
    const pem = freshPem();
    const line = Buffer.from(`\0api_token=${password}\0`);
    // the value crosses the 16 KiB boundary; the PEM crosses the 32 KiB one
    line.copy(buf, 16 * 1024 - 14);
    Buffer.from(`\0${pem}\0`).copy(buf, 32 * 1024 - 700);
    const file = path.join(dir, 'straddle.bin');
    fs.writeFileSync(file, buf);
    const out = path.join(dir, 'straddle.out');
    const r = await scrub(file, out, { chunkSize: 16 * 1024 });
    expect(r.verdict).toBe('redacted-verified');
    const secrets = [password, ...pem.split('\n').filter((l) => l && !l.startsWith('-----'))];
    expect(leakCount(fs.readFileSync(out), secrets)).toBe(0);
  });

  it('--in-place replaces the input only with a verified copy', async () => {
    const dir = tempDir();
    const { file, secrets, bytes } = plantedImage(dir);
    expect((await runCliHere(['scrub', file, '--in-place'])).code).toBe(0);
    const now = fs.readFileSync(file);
    expect(now.length).toBe(bytes.length);
    expect(leakCount(now, secrets)).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['mem.bin']);
  });

  it('--out-dir writes each input under its own name', async () => {
    const dir = tempDir();
    const outDir = path.join(dir, 'clean');
    fs.mkdirSync(outDir);
    plantedImage(dir, 'a.bin');
    plantedImage(dir, 'b.bin');
    const r = await runCliHere(['scrub', path.join(dir, '*.bin'), '--out-dir', outDir]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(outDir).sort()).toEqual(['a.bin', 'b.bin']);
  });
});

describe('pipes', () => {
  it('scrub - -o - streams the verified copy to stdout and the report to stderr', async () => {
    const dir = tempDir();
    const { file, secrets, bytes } = plantedImage(dir);
    const r = runCli(['scrub', '-', '-o', '-'], { input: bytes });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(bytes.length);
    expect(leakCount(r.stdout, secrets)).toBe(0);
    const viaFile = path.join(dir, 'via-file.bin');
    expect((await scrub(file, viaFile)).verdict).toBe('redacted-verified');
    expect(r.stdout.equals(fs.readFileSync(viaFile))).toBe(true);
    expect(r.stderr).toMatch(/finding/);
  });

  it('scan - reads stdin', async () => {
    const dir = tempDir();
    const { bytes } = plantedImage(dir);
    expect(runCli(['scan', '-'], { input: bytes }).code).toBe(1);
  });
});

describe('input changing during the run', () => {
  it('gives an io-error verdict and publishes nothing (appended while writing)', async () => {
    const dir = tempDir();
    const { file } = plantedImage(dir, 'grow.bin', 4 * 1024 * 1024);
    const out = path.join(dir, 'grow.out');
    let touched = false;
    const r = await scrub(file, out, {
      chunkSize: 64 * 1024,
      onProgress: (phase) => {
        if (phase === 'write' && !touched) {
          touched = true;
          fs.appendFileSync(file, Buffer.from('more bytes arriving'));
        }
      },
    });
    expect(touched).toBe(true);
    expect(r.verdict).toBe('io-error');
    expect(r.error).toMatch(/changed/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.dumpscrub-tmp-'))).toEqual([]);
  });

  it('catches a rewrite in place that keeps the size (content hash differs)', async () => {
    const dir = tempDir();
    const { file } = plantedImage(dir, 'rewrite.bin', 2 * 1024 * 1024);
    const out = path.join(dir, 'rewrite.out');
    let touched = false;
    const r = await scrub(file, out, {
      chunkSize: 64 * 1024,
      onProgress: (phase, done) => {
        if (phase === 'scan' && done > 1024 * 1024 && !touched) {
          touched = true;
          const fd = fs.openSync(file, 'r+');
          fs.writeSync(fd, Buffer.from('X'), 0, 1, 5);
          fs.closeSync(fd);
        }
      },
    });
    expect(touched).toBe(true);
    expect(r.verdict).toBe('io-error');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('via the CLI: a FIFO is a usage error, nothing written', async () => {
    const dir = tempDir();
    // a FIFO is not a regular file: refused before anything is written
    const fifo = path.join(dir, 'fifo');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const r = await runCliHere(['scrub', fifo, '-o', path.join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
  });
});

describe('gzip', () => {
  it('.gz in, .gz out, verified by decompressing what was written', async () => {
    const dir = tempDir();
    const { bytes, secrets } = plantedImage(dir);
    const gz = path.join(dir, 'core.dmp.gz');
    fs.writeFileSync(gz, gzipSync(bytes));
    expect((await scan(gz)).verdict).toBe('secrets-found');
    // the CLI names the copy: .gz stays last
    const r = await runCliHere(['scrub', gz]);
    expect(r.code).toBe(0);
    const out = path.join(dir, 'core.scrubbed.dmp.gz');
    const plain = gunzipSync(fs.readFileSync(out));
    expect(plain.length).toBe(bytes.length);
    expect(leakCount(plain, secrets)).toBe(0);
    expect((await verify(out)).verdict).toBe('clean');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the output name decides: .gz in, -o x.dmp out is plain bytes; the report says which size is which', async () => {
    const dir = tempDir();
    const { bytes, secrets } = plantedImage(dir);
    const gz = path.join(dir, 'core.dmp.gz');
    const packed = gzipSync(bytes);
    fs.writeFileSync(gz, packed);
    const out = path.join(dir, 'core.dmp');
    const r = await runCliHere(['scrub', gz, '-o', out, '--format', 'json']);
    expect(r.code).toBe(0);
    const written = fs.readFileSync(out);
    expect(written.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
    expect(written.length).toBe(bytes.length);
    expect(leakCount(written, secrets)).toBe(0);
    const f = JSON.parse(r.stdout.toString('utf8')).files[0];
    expect(f).toMatchObject({ size: packed.length, compression: 'gzip', decompressedSize: bytes.length, outputCompression: 'none' });
    const text = (await runCliHere(['scan', gz])).stdout.toString('utf8');
    expect(text).toMatch(/compressed, [\d.]+ \S+ decompressed/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the output name decides: plain in, -o x.dmp.gz out is gzip, verified by decompressing what was written', async () => {
    const dir = tempDir();
    const { file, bytes, secrets } = plantedImage(dir);
    const out = path.join(dir, 'core.dmp.gz');
    const r = await runCliHere(['scrub', file, '-o', out, '--format', 'json']);
    expect(r.code).toBe(0);
    const plain = gunzipSync(fs.readFileSync(out));
    expect(plain.length).toBe(bytes.length);
    expect(leakCount(plain, secrets)).toBe(0);
    const f = JSON.parse(r.stdout.toString('utf8')).files[0];
    expect(f.outputCompression).toBe('gzip');
    expect(f.compression).toBeUndefined();
    expect((await verify(out)).verdict).toBe('clean');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('large inputs', () => {
  it('scans a sparse file over 2 GiB and reports a secret beyond 2^31 at its exact offset', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge.core');
    const password = randomToken(20);
    const offset = 2 ** 31 + 12345;
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, Buffer.from(`\0secret_key=${password}\0`), 0, undefined, offset);
    fs.ftruncateSync(fd, 2 ** 31 + 64 * 1024 * 1024);
    fs.closeSync(fd);
    const r = await scan(file);
    expect(r.verdict).toBe('secrets-found');
    expect(r.findings).toContainEqual(expect.objectContaining({ start: offset + 12, end: offset + 12 + password.length }));
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});

describe('a secret that cannot be redacted without breaking the format', () => {
  /** A minidump whose stream directory bytes (structural: never touched) spell out a credential. */
  function hostileMinidump(dir: string): { file: string; token: string } {
    const token = randomToken(20);
    const header = Buffer.alloc(32);
    header.write('MDMP', 0, 'latin1');
    header.writeUInt32LE(0xa793, 4);
    header.writeUInt32LE(4, 8); // four directory entries = 48 bytes
    header.writeUInt32LE(32, 12);
    const directory = Buffer.alloc(48);
    directory.write(`\0token=${token}\0`, 8, 'latin1');
    const file = path.join(dir, 'hostile.dmp');
    fs.writeFileSync(file, Buffer.concat([header, directory, filler(8192, 5)]));
    return { file, token };
  }

  it('scrub exits 1, publishes nothing, and quarantines the copy with mode 0600', async () => {
    const dir = tempDir();
    const { file, token } = hostileMinidump(dir);
    const out = path.join(dir, 'out.dmp');
    const q = path.join(dir, 'quarantine');
    const r = await runCliHere(['scrub', file, '-o', out, '--quarantine', q]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dumpscrub: FAILED .*survived verification/);
    expect(fs.existsSync(out)).toBe(false);
    const held = fs.readdirSync(q);
    expect(held.length).toBe(1);
    expect((fs.statSync(path.join(q, held[0])).mode & 0o777).toString(8)).toBe('600');
    expect(leakCount(r.stderr + r.stdout.toString(), [token])).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.dumpscrub-tmp-'))).toEqual([]);
  });

  it('scrub - -o - writes nothing at all to stdout', async () => {
    const dir = tempDir();
    const { file } = hostileMinidump(dir);
    const r = runCli(['scrub', '-', '-o', '-'], { input: fs.readFileSync(file) });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
  });
});

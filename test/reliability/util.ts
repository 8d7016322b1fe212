// Shared bits of the reliability tests: async CLI runs, hashes, planted images, temp listings.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, filler, freshPem, randomToken } from '../lead/cli-harness.js';

export interface AsyncRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Run the built CLI without blocking the test process (for races and kills). */
export function runCliAsync(args: string[], opts: { onSpawn?: (pid: number) => void; env?: NodeJS.ProcessEnv } = {}): Promise<AsyncRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    if (child.pid) opts.onSpawn?.(child.pid);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

export function sha256File(p: string): string {
  return createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

export function tempsIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.dumpscrub-tmp-'));
}

export interface Planted {
  file: string;
  secrets: string[];
}

/** Memory-like image with secrets made now: a PEM key, ASCII and UTF-16LE passwords, a bearer token. */
export function plant(dir: string, name: string, size = 512 * 1024, seed = 5): Planted {
  const buf = filler(size, seed);
  const pem = freshPem();
  const password = randomToken(20);
  const wide = randomToken(20);
  const bearer = randomToken(40);
  let at = 8_192;
  const put = (b: Buffer) => {
    b.copy(buf, at);
    at += b.length + 4096 + 7;
  };
  put(Buffer.from(`\0${pem}\0`));
  put(Buffer.from(`\0db_password=${password}\0`));
  put(Buffer.from(`password=${wide}\0`, 'utf16le'));
  put(Buffer.from(`\0Authorization: Bearer ${bearer}\r\n\0`));
  const file = path.join(dir, name);
  fs.writeFileSync(file, buf);
  const pemBody = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  return { file, secrets: [password, wide, bearer, ...pemBody] };
}

// Runs the built CLI (dist/cli.js) as a user would, and makes test secrets at test time.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeUtf32 } from '../../src/views/utf32.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface CliRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function runCli(args: string[], opts: { input?: Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: opts.input ?? Buffer.alloc(0),
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

type Main = (argv: string[]) => Promise<number>;
let builtMain: Main | undefined;

/**
 * The built CLI's main() (dist/cli.js, what ships) run in this process, without the 0.6 s start-up of a
 * new one: for tests of flags, reports, files and exit codes. Tests of what only a process shows (stdin,
 * signals, the exit status itself, stdout as a pipe) use runCli.
 */
export async function runCliHere(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  builtMain ??= ((await import(pathToFileURL(CLI).href)) as { main: Main }).main;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const capture = (sink: Buffer[]) =>
    ((chunk: string | Uint8Array, enc?: BufferEncoding | (() => void), cb?: () => void) => {
      sink.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof enc === 'string' ? enc : 'utf8') : Buffer.from(chunk));
      const done = typeof enc === 'function' ? enc : cb;
      if (done) process.nextTick(done);
      return true;
    }) as typeof process.stdout.write;
  const env = { ...process.env };
  const cwd = process.cwd();
  // main() installs process-wide handlers (interrupts, a closed stdout) that belong to its run only
  const watched = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(watched.map((s) => [s, new Set(process.listeners(s))]));
  const stdoutErrors = new Set(process.stdout.listeners('error'));
  const writes = { out: process.stdout.write, err: process.stderr.write };
  Object.assign(process.env, { NO_COLOR: '1' }, opts.env);
  process.chdir(opts.cwd ?? ROOT);
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code: number;
  try {
    code = await builtMain(['node', 'dumpscrub', ...args]);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.chdir(cwd);
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    Object.assign(process.env, env);
    for (const s of watched) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l as () => void);
    for (const l of process.stdout.listeners('error')) if (!stdoutErrors.has(l)) process.stdout.off('error', l as () => void);
  }
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-test-'));
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomToken(n: number): string {
  const b = randomBytes(n);
  return Array.from(b, (x) => ALNUM[x % ALNUM.length]).join('');
}

/** A fresh RSA private key as PKCS#1 PEM (DER from the generator, re-imported: avoids the Node 20 keygen hang). */
export function freshPem(bits = 2048): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return String(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }));
}

/** Memory-like filler without secrets: zeros, pointers, a little prose. Seeded, so runs repeat. */
export function filler(size: number, seed = 1): Buffer {
  const buf = Buffer.alloc(size);
  let s = seed >>> 0 || 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  const words = ['the', 'thread', 'pool', 'worker', 'request', 'closed', 'socket', 'buffer', 'retry', 'ok'];
  for (let off = 0; off < size; off += 4096) {
    const kind = next() % 3;
    const end = Math.min(size, off + 4096);
    if (kind === 1) for (let i = off; i + 8 <= end; i += 8) buf.writeBigUInt64LE(0x7f0000000000n + BigInt(next() & 0xffff0), i);
    else if (kind === 2) {
      let text = '';
      while (text.length < end - off) text += `${words[next() % words.length]} `;
      buf.write(text.slice(0, end - off), off, 'latin1');
    }
  }
  return buf;
}

/** Every encoding a leaked secret could take in an output stream. */
export function leakForms(secret: string): Buffer[] {
  const b = Buffer.from(secret, 'latin1');
  return [b, Buffer.from(secret, 'utf16le'), encodeUtf32(secret, false), Buffer.from(b.toString('base64')), Buffer.from(b.toString('hex'))];
}

/** Number of places any form of any secret appears in the haystack (never prints the secret). */
export function leakCount(haystack: Buffer | string, secrets: string[]): number {
  const h = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  let n = 0;
  for (const s of secrets) for (const form of leakForms(s)) if (form.length >= 8 && h.includes(form)) n++;
  return n;
}

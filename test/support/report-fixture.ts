// A hand-built Report exercising every renderer branch; the planted secret is generated per run.
import { createHash, randomBytes } from 'node:crypto';
import type { FileResult, Finding, Report } from '../../src/types.js';

export interface Fixture {
  report: Report;
  /** A secret that was smuggled into a finding as an extra property; it must never be rendered. */
  secret: string;
}

function fp(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

export function makeFixture(): Fixture {
  const secret = `tok_${randomBytes(24).toString('hex')}`;
  const leaky = { secret: Buffer.from(secret), secretText: secret } as unknown as Record<string, unknown>;
  const f1: Finding = {
    start: 4096,
    end: 4096 + secret.length,
    ruleId: 'generic-assignment',
    encoding: 'ascii',
    fingerprint: fp(Buffer.from(secret)),
    preview: `tok_****…(${secret.length})`,
    region: 'stack of thread 3',
    address: '0x7ffd12340000',
    ...(leaky as object),
  };
  const f2: Finding = {
    start: 70000,
    end: 70000 + 2 * 1190,
    ruleId: 'pem-private-key',
    encoding: 'utf16le',
    fingerprint: fp(randomBytes(32)),
    preview: '----****…(1190)',
    region: '[heap]',
    note: 'RSA-2048 private key',
  };
  const f3: Finding = {
    start: 123,
    end: 155,
    ruleId: 'aes-schedule',
    encoding: 'binary',
    fingerprint: fp(randomBytes(16)),
    preview: '(32 bytes)',
    region: 'raw',
  };
  const dirty: FileResult = {
    file: 'dumps/app one.dmp',
    size: 5 * 1024 * 1024,
    format: 'minidump',
    findings: [f1, f2],
    verdict: 'secrets-found',
    warnings: ['MemoryList range 2 extends past end of file; scanned as raw'],
    sha256: 'a'.repeat(64),
    durationMs: 41.7,
  };
  const clean: FileResult = {
    file: '/srv/dumps/core.1234',
    size: 2048,
    format: 'elf-core',
    findings: [],
    verdict: 'clean',
    warnings: [],
    durationMs: 3,
  };
  const survived: FileResult = {
    file: 'evil\u001b[31mname.bin',
    output: 'evil.scrubbed.bin',
    size: 999,
    format: 'raw',
    findings: [f3],
    survivors: [{ ...f3 }],
    verdict: 'survived-verification',
    warnings: [],
    durationMs: 7,
  };
  const broken: FileResult = {
    file: 'gone.dmp',
    size: 0,
    format: 'raw',
    findings: [],
    verdict: 'io-error',
    warnings: [],
    error: 'input changed during the run (size 10 → 12)',
    durationMs: 1,
  };
  return {
    secret,
    report: {
      tool: { name: 'dumpscrub', version: '0.1.0' },
      command: 'scrub',
      files: [dirty, clean, survived, broken],
      exitCode: 3,
    },
  };
}

// End to end through the library: secrets planted in real dumps' memory are gone after scrub,
// every other byte is identical, and debuggers read the copy like the original.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM generator without types
import { makeFullMinidump, makeHprof } from '../fixtures/gen/dumps.mjs';
import type { Span } from '../src/types.js';
import { FIXTURES, hasPython, independentRanges } from './helpers/formats.js';
import { coreOf, hasGcore } from './helpers/gcore.js';
import { randomToken, tempDir } from './lead/cli-harness.js';
import { scrub } from '../src/index.js';

if (!hasPython()) console.warn('formats-e2e.test: python3 missing: the independent range lister is unavailable, tests SKIPPED');
const READY = hasPython();

function ecPem(): string {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return String(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }));
}

/** Changed byte offsets as merged spans. */
function diffSpans(a: Buffer, b: Buffer): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const last = out[out.length - 1];
    if (last && last.end === i) last.end = i + 1;
    else out.push({ start: i, end: i + 1 });
  }
  return out;
}

const inside = (s: Span, within: Span[]): boolean => within.some((w) => s.start >= w.start && s.end <= w.end);
/** Every byte of `s` lies in the union of `spans` (adjacent findings may form one changed run). */
const covered = (s: Span, spans: Span[]): boolean => {
  let at = s.start;
  for (const w of [...spans].sort((a, b) => a.start - b.start)) if (w.start <= at && w.end > at) at = w.end;
  return at >= s.end;
};
const contains = (hay: Buffer, needle: string): boolean => hay.includes(needle, 0, 'latin1') || hay.includes(Buffer.from(needle, 'utf16le'));

interface Planted {
  spans: Span[];
  needles: string[];
}

/** Plants a PEM private key and a password assignment inside memory ranges listed by the independent parser. */
function plant(buf: Buffer, memory: [number, number, string][]): Planted {
  const ranges = [...memory].sort((x, y) => y[1] - y[0] - (x[1] - x[0]));
  const pem = ecPem();
  const token = randomToken(24);
  const pw = `\0password=${token}\0`;
  const [s0, e0] = ranges[0];
  if (e0 - s0 < pem.length + pw.length + 128) throw new Error('memory range too small to plant');
  const pemAt = s0 + Math.floor((e0 - s0 - pem.length - pw.length - 64) / 2); // mid-range: away from the newest stack frames
  buf.write(pem, pemAt, 'latin1');
  const second = ranges[1] && ranges[1][1] - ranges[1][0] >= pw.length + 64 ? ranges[1] : undefined;
  const pwAt = second ? second[0] + 16 : pemAt + pem.length + 32;
  buf.write(pw, pwAt, 'latin1');
  const body = pem.split('\n')[2]; // a full base64 line of the key body
  return {
    spans: [
      { start: pemAt, end: pemAt + pem.length },
      { start: pwAt, end: pwAt + pw.length },
    ],
    needles: [token, body],
  };
}

let lldb: boolean | undefined;
function hasLldb(): boolean {
  if (lldb === undefined) {
    try {
      execFileSync('sh', ['-c', 'command -v lldb'], { stdio: 'ignore' });
      lldb = true;
    } catch {
      lldb = false;
      console.warn('formats-e2e.test: lldb not installed: minidump debugger comparison SKIPPED (apt-get install -y lldb)');
    }
  }
  return lldb;
}

/** What lldb makes of a minidump: threads, backtraces, modules, registers (file path neutralised). */
function lldbView(file: string): string {
  const out = execFileSync('lldb', ['-b', '-c', file, '-o', 'thread list', '-o', 'bt all', '-o', 'image list', '-o', 'register read'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  // Debian's lldb prints Python tracebacks for its missing embedded interpreter: noise, not output.
  const lines = out.split('\n').filter((l) => !/Traceback|File "<string>"|Error: |^\s+\^/.test(l));
  return lines.join('\n').split(file).join('<dump>');
}

describe.skipIf(!READY)('end to end: minidumps with planted secrets', () => {
  const dir = READY ? tempDir() : '';
  const inputs = [
    'test.dmp',
    'invalid-parameter.dmp',
    'linux-mini.dmp',
    'symbolic-crash_linux.dmp',
    'simple-crashpad.dmp',
    'pipeline-inlines-macos-segv.dmp',
    'symbolic-crash_macos.dmp',
    'synthetic-full.dmp',
  ];

  for (const name of inputs) {
    it(`${name}: planted secrets gone, every other byte identical`, async () => {
      const original = name.startsWith('synthetic') ? (makeFullMinidump(99).bytes as Buffer) : readFileSync(join(FIXTURES, name));
      const src = join(dir, `orig-${name}`);
      writeFileSync(src, original);
      const ind = independentRanges(src);
      const buf = Buffer.from(original);
      const planted = plant(buf, ind.memory);
      const input = join(dir, `in-${name}`);
      const output = join(dir, `out-${name}`);
      writeFileSync(input, buf);
      for (const n of planted.needles) expect(contains(buf, n)).toBe(true);
      const r = await scrub(input, output);
      expect(r.verdict, r.error?.slice(0, 300)).toBe('redacted-verified');
      const out = readFileSync(output);
      expect(out.length).toBe(buf.length);
      for (const n of planted.needles) expect(contains(out, n)).toBe(false);
      const changed = diffSpans(buf, out);
      expect(changed.length).toBeGreaterThan(0);
      // What the detectors flag in the untouched dump (e.g. TERM_SESSION_ID in macOS env) is theirs to change.
      const base = join(dir, `base-${name}`);
      expect(['redacted-verified', 'survived-verification']).toContain((await scrub(src, base)).verdict);
      const baseline = existsSync(base) ? diffSpans(original, readFileSync(base)) : [];
      // a byte may change only inside a finding the report names (contract: same length, only findings change)
      const reported: Span[] = r.findings.map((f) => ({ start: f.start, end: f.end }));
      const allowed = [...planted.spans, ...baseline, ...reported];
      const stray = changed.filter((s) => !covered(s, allowed));
      expect(stray, 'bytes changed outside the planted secrets').toEqual([]);
      for (const [s, e] of ind.structure) expect(out.subarray(s, e).equals(buf.subarray(s, e)), `structure ${s}-${e}`).toBe(true);
      if (hasLldb()) {
        const before = lldbView(input);
        expect(before).toMatch(/thread #1/);
        expect(lldbView(output).split(output).join('<dump>')).toBe(before.split(input).join('<dump>'));
      }
    });
  }
});

describe('end to end: HPROF char[] (UTF-16BE)', () => {
  it('redacts a secret held only as a Java char[]; record structure unchanged', async () => {
    const token = randomToken(24);
    const gen = makeHprof(8, { text: `password=${token}` });
    const buf: Buffer = gen.bytes;
    buf.fill(0x20, gen.layout.latin1.start, gen.layout.latin1.end); // leave only the UTF-16BE copy
    const dir = tempDir();
    writeFileSync(join(dir, 'heap.hprof'), buf);
    const r = await scrub(join(dir, 'heap.hprof'), join(dir, 'clean.hprof'));
    expect(r.verdict, r.error?.slice(0, 300)).toBe('redacted-verified');
    const out = readFileSync(join(dir, 'clean.hprof'));
    expect(out.includes(Buffer.from(token, 'utf16le').swap16())).toBe(false);
    const stray = diffSpans(buf, out).filter((d) => !inside(d, [gen.layout.chars]));
    expect(stray).toEqual([]);
  });
});

const GCORE = hasGcore();
if (!GCORE) console.warn('formats-e2e.test: gcore/gdb not installed: the ELF core end-to-end test is SKIPPED (apt-get install -y gdb)');

function gdbView(exe: string, core: string): string {
  const out = execFileSync('gdb', ['-nx', '-batch', '-ex', 'info threads', '-ex', 'bt', '-ex', 'info registers rip', exe, core], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return out.split(core).join('<core>');
}

describe.skipIf(!READY || !GCORE)('end to end: gcore of a process holding a secret', () => {
  it('scrubs the secret; gdb shows the same threads, backtrace and rip', async (ctx) => {
    const token = randomToken(24);
    const cored = await coreOf('bash', ['-c', 'read -r S; echo ready; sleep 60; echo done'], 'ready', `password=${token}\n`);
    if (typeof cored === 'string') {
      console.warn(`formats-e2e.test: SKIPPED ELF end-to-end: ${cored}`);
      ctx.skip();
      return;
    }
    const buf = readFileSync(cored.core);
    expect(contains(buf, token)).toBe(true);
    const output = `${cored.core}.scrubbed`;
    const r = await scrub(cored.core, output);
    expect(r.verdict, r.error?.slice(0, 300)).toBe('redacted-verified');
    const out = readFileSync(output);
    expect(out.length).toBe(buf.length);
    expect(contains(out, token)).toBe(false);
    const ind = independentRanges(cored.core);
    for (const [s, e] of ind.structure) expect(out.subarray(s, e).equals(buf.subarray(s, e)), `structure ${s}-${e}`).toBe(true);
    const memory = ind.memory.map(([start, end]) => ({ start, end }));
    const stray = diffSpans(buf, out).filter((s) => !inside(s, memory));
    expect(stray, 'bytes changed outside PT_LOAD contents').toEqual([]);
    const before = gdbView(cored.exe, cored.core);
    const after = gdbView(cored.exe, output).split(output).join('<core>');
    expect(after).toBe(before);
    expect(before).toMatch(/rip\s+0x[0-9a-f]+/);
    console.log(`formats-e2e: gdb on original and scrubbed core (identical):\n${before}`);
  });
});

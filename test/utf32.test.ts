// UTF-32 text (wchar_t strings, Python UCS-4 strings): runs found at every byte alignment in both
// byte orders, every rule and the entropy pass run on them, and the scrub redacts them in place.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { utf32Runs, utf32Views } from '../src/views/utf32.js';
import { rulesDetector } from '../src/detectors/rules.js';
import { builtinRules } from '../src/rules/index.js';
import { fillPattern } from '../src/redact.js';
import type { DetectContext } from '../src/types.js';
import { tempDir, randomToken, freshPem, filler, runCliHere } from './lead/cli-harness.js';

/** UTF-32 of latin1 text: each char in 4 bytes, the char's byte first (LE) or last (BE). */
function utf32(text: string, bigEndian = false): Buffer {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out[i * 4 + (bigEndian ? 3 : 0)] = text.charCodeAt(i);
  return out;
}

const digits = (n: number): string => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
/** A Slack bot token made at run time (never a literal in the repo). */
const slackToken = (): string => ['xox' + 'b', digits(12), digits(13), randomToken(24)].join('-');

const ctx = (entropy: DetectContext['entropy']): DetectContext => ({ knownKeys: [], knownSecrets: [], extraViews: [], entropy, learned: [] });

describe('UTF-32 runs', () => {
  const word = 'password=hunter2x';
  for (const pad of [0, 1, 2, 3, 5, 6, 7]) {
    it(`LE run at offset ${pad} maps back exactly`, async () => {
      const b = Buffer.concat([Buffer.alloc(pad, 0xee), utf32(word), Buffer.alloc(4)]);
      const v = utf32Views(b).le;
      expect(v.encoding).toBe('utf32le');
      const at = v.buf.toString('latin1').indexOf('hunter2x');
      expect(at).toBeGreaterThanOrEqual(0);
      expect(v.toBytes(at, at + 8)).toEqual({ start: pad + 4 * 9, end: pad + 4 * 17 });
    });

    it(`BE run at offset ${pad} maps back exactly`, async () => {
      const b = Buffer.concat([Buffer.alloc(pad, 0xee), utf32(word, true), Buffer.alloc(4, 0xee)]);
      const { le, be } = utf32Views(b);
      expect(be.encoding).toBe('utf32be');
      expect(be.buf.toString('latin1')).toBe(`${word}\0`);
      expect(le.buf.length).toBe(0);
      expect(be.toBytes(9, 17)).toEqual({ start: pad + 4 * 9, end: pad + 4 * 17 });
    });
  }

  it('a buffer at an odd address (no word loads) finds the same runs', async () => {
    const body = Buffer.concat([Buffer.alloc(3, 0xee), utf32('first-run-le'), Buffer.alloc(4), Buffer.alloc(9, 0xee), utf32('second-run-be', true), Buffer.from([0xee])]);
    const odd = Buffer.alloc(body.length + 1).subarray(1);
    body.copy(odd);
    expect(odd.byteOffset % 4).not.toBe(0);
    for (const b of [body, odd]) {
      const r = utf32Runs(b);
      expect(r.le.buf.toString('latin1')).toBe('first-run-le\0');
      expect(r.le.byteStart).toEqual([3]);
      expect(r.be.buf.toString('latin1')).toBe('second-run-be\0');
      expect(r.be.byteStart).toEqual([3 + 48 + 4 + 9]);
    }
  });

  it('text that reads both ways (zeros on both sides) is one LE run, not two', async () => {
    const b = Buffer.concat([Buffer.alloc(8), utf32('ambiguous-text'), Buffer.alloc(8)]);
    const r = utf32Runs(b);
    expect(r.le.buf.toString('latin1')).toBe('ambiguous-text\0');
    expect(r.be.buf.length).toBe(0);
  });

  it('several runs in one buffer, separated by NUL; short runs, binary and UTF-16 ignored', async () => {
    const b = Buffer.concat([
      utf32('abcde'),
      Buffer.from([0xff]),
      utf32('run-one!'),
      Buffer.alloc(4),
      Buffer.from('utf16-text-here', 'utf16le'),
      randomBytes(4096),
      utf32('run-two!'),
      Buffer.alloc(4),
    ]);
    const r = utf32Runs(b);
    expect(r.le.buf.toString('latin1')).toBe('run-one!\0run-two!\0');
    expect(utf32Runs(Buffer.alloc(65536)).le.buf.length).toBe(0);
  });

  it('the probe sees every run of 6 characters at every alignment and phase in a long buffer', async () => {
    const buf = Buffer.alloc(64 * 1024, 0xee);
    const want: number[] = [];
    for (let at = 7, k = 0; at + 40 < buf.length; at += 61 + (k % 16), k++) {
      utf32(`ab${String(k % 10)}def`).copy(buf, at);
      buf.fill(0, at + 24, at + 28);
      want.push(at);
      at += 28;
    }
    expect(utf32Runs(buf).le.byteStart).toEqual(want);
  });
});

describe('rules and entropy on UTF-32', () => {
  const d = rulesDetector(builtinRules, { entropy: 'all' });

  it('a PEM private key as UTF-32LE at each alignment: the PEM rule spans the whole block', async () => {
    const pem = freshPem(1024);
    for (const pad of [0, 1, 2, 3]) {
      const buf = Buffer.concat([Buffer.alloc(pad + 4, 0xee), utf32(pem), Buffer.alloc(4)]);
      const hits = d.detect(buf, ctx('off')).hits;
      const whole = hits.some((h) => h.ruleId === 'pem-private-key' && h.encoding === 'utf32le' && h.start === pad + 4 && h.end === pad + 4 + 4 * pem.trimEnd().length);
      expect({ pad, whole }).toEqual({ pad, whole: true });
    }
  });

  it('PEM body lines with BEGIN and END lost (armor path) are found by the entropy pass in UTF-32LE and BE', async () => {
    const lines = freshPem(2048)
      .split('\n')
      .filter((l) => l.length === 64);
    const body = lines.slice(2, 8).join('\n');
    for (const be of [false, true]) {
      const buf = Buffer.concat([Buffer.alloc(6, 0xee), utf32(body, be), Buffer.alloc(4, 0xee)]);
      const hits = rulesDetector([], { entropy: 'all' }).detect(buf, ctx('all')).hits;
      const enc = be ? 'utf32be' : 'utf32le';
      const got = lines.slice(2, 8).map((_, i) => hits.some((h) => h.encoding === enc && h.start <= 6 + 4 * 65 * i && h.end >= 6 + 4 * (65 * i + 64)));
      expect({ be, got }).toEqual({ be, got: got.map(() => true) });
    }
  });

  it('a random token after a credential word (context entropy) in UTF-32LE', async () => {
    const tok = randomBytes(24).toString('base64url');
    const buf = Buffer.concat([Buffer.alloc(1), utf32(`session secret: ${tok}`), Buffer.alloc(4)]);
    const hits = rulesDetector([], { entropy: 'context' }).detect(buf, ctx('context')).hits;
    expect(hits.some((h) => h.ruleId === 'entropy-context' && h.encoding === 'utf32le' && h.start === 1 + 4 * 16 && h.end === 1 + 4 * (16 + tok.length))).toBe(true);
  });

  it('fills: UTF-32LE *\\0\\0\\0, UTF-32BE \\0\\0\\0*', async () => {
    const fill = { text: '*', binary: 0 };
    expect([...fillPattern('utf32le', fill)]).toEqual([0x2a, 0, 0, 0]);
    expect([...fillPattern('utf32be', fill)]).toEqual([0, 0, 0, 0x2a]);
  });
});

describe('scrub of UTF-32 text', () => {
  it('redacts UTF-32LE/BE secrets in place, with the ASCII copy fingerprint, and verifies', async () => {
    const dir = tempDir();
    try {
      const buf = filler(256 * 1024, 5);
      const pem = freshPem(1024);
      const token = slackToken();
      const pass = randomToken(20);
      const plant = (b: Buffer, at: number) => b.copy(buf, at);
      plant(Buffer.concat([utf32(pem), Buffer.alloc(4)]), 20_001);
      plant(Buffer.concat([utf32(`{"slack_token": "${token}"}`), Buffer.alloc(4)]), 60_002);
      // BE after a NUL character: a printable byte before it would make the text read as LE
      plant(Buffer.concat([Buffer.alloc(4), utf32(`db_password=${pass}`, true), Buffer.from([0xee])]), 90_000);
      plant(Buffer.from(`\0export SLACK_TOKEN=${token}\n\0`), 120_000);
      const file = path.join(dir, 'mem.bin');
      fs.writeFileSync(file, buf);
      const out = path.join(dir, 'out.bin');
      const r = await runCliHere(['scrub', file, '-o', out, '--format', 'json']);
      expect({ code: r.code, stderr: r.stderr.slice(-300) }).toEqual({ code: 0, stderr: expect.any(String) });
      const copy = fs.readFileSync(out);
      expect(copy.length).toBe(buf.length);
      const pemLines = pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
      for (const s of [token, pass, ...pemLines]) {
        for (const form of [Buffer.from(s), utf32(s), utf32(s, true)]) expect(copy.includes(form)).toBe(false);
      }
      const findings = JSON.parse(r.stdout.toString()).files[0].findings as Array<{ ruleId: string; start: number; end: number; encoding: string; fingerprint: string }>;
      const le = findings.filter((f) => f.encoding === 'utf32le');
      expect(le.some((f) => f.start === 20_001 && f.ruleId === 'pem-private-key')).toBe(true);
      expect(findings.some((f) => f.encoding === 'utf32be' && f.start === 90_004 + 4 * 12 && f.end === 90_004 + 4 * (12 + pass.length))).toBe(true);
      // the same token in ASCII and UTF-32LE: one fingerprint
      const tokAscii = findings.find((f) => f.encoding === 'ascii' && f.start === 120_001 + 'export SLACK_TOKEN='.length);
      const tokWide = le.find((f) => f.start === 60_002 + 4 * '{"slack_token": "'.length);
      expect(tokAscii !== undefined && tokWide !== undefined && tokAscii.fingerprint === tokWide.fingerprint).toBe(true);
      // in place: '*' where the character byte was, zeros kept
      const span = copy.subarray(tokWide!.start, tokWide!.end);
      expect(span.every((b, i) => b === (i % 4 === 0 ? 0x2a : 0))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

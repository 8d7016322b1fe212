// Copies of found values: every encoding and piece of a text token, a password (with its context)
// and a binary key, at every alignment; the pipeline removes them, verification catches a copy a
// plan left, and the cap fails closed.
import { describe, expect, it, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { copyHits, formsOf, COPY_PREFIX } from '../src/detectors/copies.js';
import { contextOf, foundValues, patterned } from '../src/found-values.js';
import type { Encoding, Hit, LearnedValue } from '../src/types.js';
import { scan, scrub } from '../src/index.js';
import { fingerprintOf } from '../src/findings.js';

const dir = mkdtempSync(join(tmpdir(), 'dumpscrub-copies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');

/** Random bytes that hold no text run and no NUL-padded text: background for exact-span checks. */
function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = 0x80 | (x >>> 24);
  }
  return b;
}

function utf32(s: string, be: boolean): Buffer {
  const b = Buffer.alloc(s.length * 4);
  for (let i = 0; i < s.length; i++) be ? b.writeUInt32BE(s.charCodeAt(i), i * 4) : b.writeUInt32LE(s.charCodeAt(i), i * 4);
  return b;
}

function swap16(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c.swap16();
  return c;
}

interface Case {
  name: string;
  bytes: Buffer;
  encoding: Encoding;
  /** Whether a piece of this form (first or last 16 value bytes cut away) must be found too. */
  pieces: boolean;
  unit: number;
}

/** Each encoding a text value is hunted in (hex and base64 by their own needles). */
function textCases(v: string): Case[] {
  const raw = Buffer.from(v);
  return [
    { name: 'ascii', bytes: raw, encoding: 'ascii', pieces: true, unit: 1 },
    { name: 'utf16le', bytes: Buffer.from(v, 'utf16le'), encoding: 'utf16le', pieces: true, unit: 2 },
    { name: 'utf16be', bytes: swap16(Buffer.from(v, 'utf16le')), encoding: 'utf16be', pieces: true, unit: 2 },
    { name: 'utf32le', bytes: utf32(v, false), encoding: 'utf32le', pieces: true, unit: 4 },
    { name: 'utf32be', bytes: utf32(v, true), encoding: 'utf32be', pieces: true, unit: 4 },
    { name: 'hex', bytes: Buffer.from(raw.toString('hex')), encoding: 'ascii', pieces: true, unit: 1 },
    { name: 'HEX', bytes: Buffer.from(raw.toString('hex').toUpperCase()), encoding: 'ascii', pieces: true, unit: 1 },
    { name: 'url', bytes: Buffer.from(encodeURIComponent(v)), encoding: 'ascii', pieces: true, unit: 1 },
    { name: 'json', bytes: Buffer.from(JSON.stringify(v).slice(1, -1)), encoding: 'ascii', pieces: true, unit: 1 },
  ];
}

const value = (v: Buffer, text: boolean, ruleId: string, context?: string): LearnedValue => ({
  kind: 'secret-value',
  label: `${ruleId} value`,
  ruleId,
  value: v,
  text,
  context: context ? Buffer.from(context) : undefined,
});

/** Whether some copy-of hit with the value as secret covers [at, at + len) of the buffer exactly. */
const exact = (hits: Hit[], at: number, len: number, secret: Buffer) => hits.some((h) => h.start === at && h.end === at + len && h.ruleId.startsWith(COPY_PREFIX) && h.secret.equals(secret));

describe('copies of a text token', () => {
  const token = `tok_${randomText(36)}`;
  const secret = Buffer.from(token);
  const learned = [value(secret, true, 'generic-api-key')];

  for (const c of textCases(token)) {
    it(`finds the whole ${c.name} copy and its cut pieces at every alignment`, () => {
      for (let align = 0; align < 4; align++) {
        const whole = Buffer.concat([noise(4096 + align, align), c.bytes, noise(4096, 9)]);
        expect({ align, whole: exact(copyHits(whole, learned), 4096 + align, c.bytes.length, secret) }).toEqual({ align, whole: true });
        // freed memory loses the first 8 value characters; a buffer boundary cuts the last 8
        const cut = 8 * c.unit * (c.name.startsWith('hex') || c.name === 'HEX' ? 2 : 1);
        const head = c.bytes.subarray(cut);
        const tail = c.bytes.subarray(0, c.bytes.length - cut);
        for (const [what, piece] of [
          ['head lost', head],
          ['tail lost', tail],
        ] as const) {
          const buf = Buffer.concat([noise(5000 + align, align + 3), piece, noise(3000, 5)]);
          expect({ align, what, found: exact(copyHits(buf, learned), 5000 + align, piece.length, secret) }).toEqual({ align, what, found: true });
        }
      }
    });
  }

  it('finds base64 and base64url copies inside longer base64 text at each byte phase', () => {
    for (let phase = 0; phase < 3; phase++) {
      for (const enc of ['base64', 'base64url'] as const) {
        const prefix = randomBytes(9 + phase);
        const b64 = Buffer.from(Buffer.concat([prefix, secret, randomBytes(7)]).toString(enc));
        const buf = Buffer.concat([noise(2000, phase), b64, noise(2000, 7)]);
        const hits = copyHits(buf, learned).filter((h) => h.start >= 2000 && h.end <= 2000 + b64.length);
        // every character made of value bits alone is covered
        const first = 2000 + Math.ceil((8 * prefix.length) / 6);
        const end = 2000 + Math.floor((8 * (prefix.length + secret.length)) / 6);
        expect({ phase, enc, covered: hits.some((h) => h.start <= first && h.end >= end) }).toEqual({ phase, enc, covered: true });
      }
    }
  });

  it('ignores a piece shorter than 16 value bytes', () => {
    const buf = Buffer.concat([noise(3000, 1), secret.subarray(0, 15), noise(3000, 2)]);
    expect(copyHits(buf, learned)).toHaveLength(0);
  });
});

describe('copies of a short password', () => {
  const pw = `${randomText(4)}#&%${randomText(1)}`; // 8 characters
  const hit: Hit = { start: 0, end: 0, ruleId: 'password-assignment', encoding: 'ascii', secret: Buffer.from(pw) };

  it('takes the keyword or assignment prefix as its context', () => {
    expect(contextOf('xx\0DB_PASSWORD=')).toBe('DB_PASSWORD=');
    expect(contextOf('{"password": "')).toBe('password": "');
    expect(contextOf('\0\0\0== ')).toBeNull();
  });

  it('is hunted only behind its context, never bare, in every text encoding and alignment', () => {
    const text = `DB_PASSWORD=${pw}`;
    const found = Buffer.concat([Buffer.from('export '), Buffer.from(text), Buffer.from('\n')]);
    const values = foundValues([{ ...hit, start: 7 + 12, end: 7 + 12 + 8 }], (o, l) => found.subarray(o, o + l));
    expect(values).toHaveLength(1);
    const forms = (values[0].kind === 'secret-value' && formsOf(values[0])) || [];
    expect(forms.length > 0 && forms.every((f) => f.skip > 0)).toBe(true);
    const enc: Array<[string, Buffer, number]> = [
      ['ascii', Buffer.from(text), 1],
      ['utf16le', Buffer.from(text, 'utf16le'), 2],
      ['utf16be', swap16(Buffer.from(text, 'utf16le')), 2],
      ['utf32le', utf32(text, false), 4],
      ['utf32be', utf32(text, true), 4],
      ['url', Buffer.from(`DB_PASSWORD%3D${encodeURIComponent(pw)}`), 1],
    ];
    for (const [name, bytes, unit] of enc) {
      for (let align = 0; align < 4; align++) {
        // glued to the bytes before it: no word boundary for a rule to see
        const buf = Buffer.concat([noise(1000 + align, align), Buffer.from('zq'), bytes, noise(1000, 3)]);
        const hits = copyHits(buf, values);
        const valueLen = name === 'url' ? Buffer.from(encodeURIComponent(pw)).length : 8 * unit;
        const at = 1000 + align + 2 + bytes.length - valueLen;
        expect({ name, align, found: exact(hits, at, valueLen, hit.secret) }).toEqual({ name, align, found: true });
      }
    }
    // bare, without its context: left alone
    const bare = Buffer.concat([noise(1000, 1), Buffer.from(` ${pw} `), noise(1000, 2)]);
    expect(copyHits(bare, values)).toHaveLength(0);
  });

  it('is not hunted at all when it was found without a context', () => {
    const buf = Buffer.concat([noise(100, 1), Buffer.from(pw)]);
    expect(foundValues([{ ...hit, start: 100, end: 108 }], (o, l) => buf.subarray(o, o + l))).toHaveLength(0);
  });
});

describe('copies of a binary key', () => {
  const key = randomBytes(32);
  const learned = [value(key, false, 'aes-schedule')];
  const cases: Array<[string, Buffer]> = [
    ['raw', key],
    ['hex', Buffer.from(key.toString('hex'))],
    ['HEX', Buffer.from(key.toString('hex').toUpperCase())],
  ];
  for (const [name, bytes] of cases) {
    it(`finds the ${name} copy and its pieces at every alignment`, () => {
      const scale = name === 'raw' ? 1 : 2;
      for (let align = 0; align < 8; align++) {
        const buf = Buffer.concat([noise(3000 + align, align), bytes, noise(3000, 4)]);
        expect({ align, whole: exact(copyHits(buf, learned), 3000 + align, bytes.length, key) }).toEqual({ align, whole: true });
        const piece = bytes.subarray(8 * scale);
        const before = noise(3000 + align, align + 1);
        // a noise byte equal to the value's byte before the piece rightly extends the copy (1 run in 128)
        if (before[before.length - 1] === bytes[8 * scale - 1]) before[before.length - 1] ^= 1;
        const cut = Buffer.concat([before, piece, noise(3000, 4)]);
        expect({ align, piece: exact(copyHits(cut, learned), 3000 + align, piece.length, key) }).toEqual({ align, piece: true });
      }
    });
  }
  it('finds base64 copies of the key at each byte phase', () => {
    for (let phase = 0; phase < 3; phase++) {
      const b64 = Buffer.from(Buffer.concat([randomBytes(phase + 3), key, randomBytes(4)]).toString('base64'));
      const buf = Buffer.concat([noise(999, phase), b64, noise(999, 2)]);
      expect({ phase, found: copyHits(buf, learned).some((h) => h.start >= 999 && h.end <= 999 + b64.length && h.end - h.start >= 40) }).toEqual({ phase, found: true });
    }
  });
});

describe('the pipeline removes copies', () => {
  /** An opaque key a rule recognises once (behind its keyword), and copies of it no rule can see. */
  function image(): { file: string; key: string; copies: Buffer[]; at: number[] } {
    const key = randomText(40).toLowerCase();
    const copies = [
      Buffer.from(`\x01${key}\x02`), // glued to binary, no keyword
      Buffer.from(key, 'utf16le'),
      Buffer.from(Buffer.from(key).toString('hex')),
      Buffer.from(Buffer.from(`user:${key}`).toString('base64')),
      Buffer.from(encodeURIComponent(`${key}/x`)),
      Buffer.from(key.slice(8)), // first 8 bytes lost
    ];
    const parts: Buffer[] = [noise(8192, 1), Buffer.from(`\napi_key = "${key}"\n`)];
    const at: number[] = [];
    let size = parts[0].length + parts[1].length;
    copies.forEach((c, i) => {
      parts.push(noise(5000 + i * 97, i + 2), c);
      at.push(size + 5000 + i * 97);
      size += 5000 + i * 97 + c.length;
    });
    parts.push(noise(8192, 30));
    const file = join(dir, `img-${randomText(6)}.bin`);
    writeFileSync(file, Buffer.concat(parts));
    return { file, key, copies, at };
  }

  for (const entropy of ['off', 'context'] as const) {
    it(`scrub leaves no copy of a found token (--entropy ${entropy}), with the original's fingerprint`, async () => {
      const { file, key, copies } = image();
      const out = `${file}.out`;
      const r = await scrub(file, out, { entropy });
      expect(r.verdict).toBe('redacted-verified');
      const written = readFileSync(out);
      for (const c of copies) expect(written.includes(c.subarray(4, 20))).toBe(false);
      const fp = fingerprintOf(Buffer.from(key));
      const copyFindings = r.findings.filter((f) => f.ruleId.startsWith(COPY_PREFIX));
      // the base64 copy may be claimed by the entropy pass instead; the others only the hunt sees
      expect(copyFindings.length).toBeGreaterThanOrEqual(copies.length - 1);
      expect(copyFindings.every((f) => f.fingerprint === fp)).toBe(true);
    });
  }

  it('scan reports the copies as copy-of findings', async () => {
    const { file, key, copies, at } = image();
    const r = await scan(file, { entropy: 'off' });
    expect(r.verdict).toBe('secrets-found');
    const original = r.findings.find((f) => !f.ruleId.startsWith(COPY_PREFIX))!;
    const fp = fingerprintOf(Buffer.from(key));
    expect(original.fingerprint).toBe(fp);
    // every copy lies under a copy-of finding of the original rule, with the original's fingerprint
    copies.forEach((c, i) => {
      const inside = r.findings.some((f) => f.ruleId === `${COPY_PREFIX}${original.ruleId}` && f.fingerprint === fp && f.start < at[i] + c.length && f.end > at[i]);
      expect({ copy: i, inside }).toEqual({ copy: i, inside: true });
    });
  });
});

describe('verification checks the copy against the input values', () => {
  it('a copy the redaction plan missed fails verification against the original, though no rule sees it', async () => {
    const key = randomText(40).toLowerCase();
    const hex = Buffer.from(Buffer.from(key).toString('hex'));
    const original = Buffer.concat([noise(6000, 1), Buffer.from(`\napi_key = "${key}"\n`), noise(7000, 2), hex, noise(6000, 3)]);
    const input = join(dir, 'planned.bin');
    writeFileSync(input, original);
    // a plan that redacted the recognisable copy only
    const missed = Buffer.from(original);
    const at = missed.indexOf(key);
    missed.fill('*', at, at + key.length);
    const copy = join(dir, 'planned.out');
    writeFileSync(copy, missed);
    const { verify, verifyCopy } = await import('../src/index.js');
    expect((await verify(copy)).verdict).toBe('clean');
    const r = await verifyCopy(copy, input);
    expect(r.verdict).toBe('secrets-found');
    const at2 = original.indexOf(hex);
    expect(r.findings.some((f) => f.ruleId.startsWith(COPY_PREFIX) && f.start === at2 && f.end === at2 + hex.length)).toBe(true);
  });
});

describe('the copy hunt is bounded', () => {
  it('more distinct values than the hunt holds: scrub publishes nothing and says why; scan warns', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) lines.push(`api_key = "${randomText(40).toLowerCase()}"`);
    const file = join(dir, 'many.txt');
    writeFileSync(file, lines.join('\n'));
    const out = join(dir, 'many.out');
    const r = await scrub(file, out, { entropy: 'off' });
    expect(r.verdict).toBe('survived-verification');
    expect(r.error ?? '').toMatch(/copy hunt holds.*nothing published/);
    expect(existsSync(out)).toBe(false);
    const s = await scan(file, { entropy: 'off' });
    expect(s.verdict).toBe('secrets-found');
    expect(s.warnings.some((w) => /copy hunt holds/.test(w))).toBe(true);
  });

  it('a value made of a repeated pattern is not hunted (keyword soup would match all along its runs)', () => {
    for (const v of ['AAAAAAAAAAAAAAAAAAAA', 'a0a0a0a0a0a0a0a0a0a0', 'pwd=secret=token=pwd=secret=token=', 'abcabcabcabcab', '>abcdef0123456789abcdef0123456789ab"'])
      expect(patterned(Buffer.from(v))).toBe(true);
    for (let i = 0; i < 50; i++) expect(patterned(Buffer.from(randomText(16)))).toBe(false);
    const hit = (v: string): Hit => ({ ruleId: 'password-assignment', start: 100, end: 100 + v.length, encoding: 'ascii', secret: Buffer.from(v) });
    const read = () => Buffer.from('password=');
    expect(foundValues([hit('pwd=secret=token=pwd=secret=token=')], read)).toEqual([]);
    expect(foundValues([hit(randomText(20))], read).length).toBe(1);
  });
});

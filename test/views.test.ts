// Text views map every character back to exact buffer bytes.
import { describe, expect, test } from 'vitest';
import { utf16Runs, utf16View } from '../src/views/utf16.js';
import { latin1View } from '../src/views/view.js';
import { escapedView } from '../src/views/decode.js';
import { KeywordIndex } from '../src/detectors/prefilter.js';
import { rulesDetector } from '../src/detectors/rules.js';
import { builtinRules } from '../src/rules/index.js';

describe('latin1 view', () => {
  test('string index is byte offset, no mapping', () => {
    const b = Buffer.from([0, 0xff, 0x41, 0x80, 0x42]);
    const v = latin1View(b);
    expect(v.buf.toString('latin1').length).toBe(5);
    expect(v.buf.toString('latin1').charCodeAt(1)).toBe(0xff);
    expect(v.toBytes(2, 5)).toEqual({ start: 2, end: 5 });
  });
});

describe('UTF-16 runs', () => {
  const word = 'password=hunter2x';
  for (const pad of [0, 1, 2, 3, 7]) {
    test(`LE run at offset ${pad} maps back exactly`, () => {
      const b = Buffer.concat([Buffer.alloc(pad, 0xee), Buffer.from(word, 'utf16le'), Buffer.from([0xee, 0xee])]);
      const v = utf16View(b);
      const at = v.buf.toString('latin1').indexOf('hunter2x');
      expect(at).toBeGreaterThanOrEqual(0);
      expect(v.toBytes(at, at + 8)).toEqual({ start: pad + 2 * 9, end: pad + 2 * 17 });
    });
  }

  test('runs at both alignments in one buffer, sorted, separated by NUL', () => {
    const a = Buffer.from('first-run-even', 'utf16le');
    const b = Buffer.from('second-run-odd', 'utf16le');
    const buf = Buffer.concat([a, Buffer.from([0xff, 0xff, 0xff]), b, Buffer.from([0xff])]);
    const r = utf16Runs(buf);
    expect(r.byteStart).toEqual([0, a.length + 3]);
    expect(r.buf.toString('latin1')).toBe('first-run-even\0second-run-odd\0');
  });

  test('run reaching the end of the buffer is kept', () => {
    const buf = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from('tail-run', 'utf16le')]);
    const v = utf16View(buf);
    expect(v.buf.toString('latin1')).toBe('tail-run\0');
    expect(v.toBytes(0, 8)).toEqual({ start: 3, end: 19 });
  });

  test('short runs and binary are ignored', () => {
    expect(utf16Runs(Buffer.from('abc', 'utf16le')).buf.length).toBe(0);
    expect(utf16Runs(Buffer.alloc(4096)).buf.length).toBe(0);
  });

  test('big-endian view for Java heap dumps', () => {
    const text = Buffer.from('token=abc', 'utf16le').swap16();
    const buf = Buffer.concat([Buffer.from([9]), text]);
    const v = utf16View(buf, true);
    expect(v.encoding).toBe('utf16be');
    expect(v.buf.toString('latin1')).toBe('token=abc\0');
    expect(v.toBytes(6, 9)).toEqual({ start: 1 + 12, end: 1 + 18 });
  });

  test('UTF-16BE is scanned only when the format asks for it', () => {
    const d = rulesDetector(builtinRules, { entropy: 'off' });
    const s = `db_password=Kq7!x9ZpLm2`;
    // BE text shifted by one byte reads as LE (minus its last char); only the BE view gets it whole
    const buf = Buffer.concat([Buffer.alloc(1), Buffer.from(s, 'utf16le').swap16(), Buffer.from([0xff, 0xff])]);
    const base = { knownKeys: [], knownSecrets: [], entropy: 'off' as const, learned: [] };
    const exact = (h: { ruleId: string; encoding: string; start: number; end: number }): boolean =>
      h.ruleId === 'password-assignment' && h.encoding === 'utf16be' && h.start === 1 + 24 && h.end === 1 + 2 * s.length;
    expect(d.detect(buf, { ...base, extraViews: [] }).hits.some(exact)).toBe(false);
    expect(d.detect(buf, { ...base, extraViews: ['utf16be'] }).hits.some(exact)).toBe(true);
  });
});

describe('keyword prefilter', () => {
  test('finds every occurrence case-insensitively, overlapping ones too', () => {
    const idx = new KeywordIndex(['abc', 'ABCD', 'bcd', '-----begin ']);
    const { kw, pos } = idx.scan(Buffer.from('xAbCdabcd -----BEGIN x'));
    const got = kw.map((k, i) => `${idx.keywords[k]}@${pos[i]}`).sort();
    expect(got).toEqual(['-----begin @10', 'abc@1', 'abc@5', 'abcd@1', 'abcd@5', 'bcd@2', 'bcd@6'].sort());
  });

  test('a keyword cut by the end of the buffer is not reported', () => {
    const idx = new KeywordIndex(['secret']);
    expect(idx.scan(Buffer.from('xx secre')).pos).toEqual([]);
  });

  test('same hits as a brute-force search, across uniform pages and their edges', () => {
    const keywords = ['secret', 'token', 'aaaa', '-----begin ', 'PassWord', 'z----'];
    const idx = new KeywordIndex(keywords);
    const buf = Buffer.alloc(9 * 4096 + 3);
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    for (const page of [2, 5, 8]) buf.fill(0x41 + page, page * 4096, (page + 1) * 4096); // uniform, non-zero
    for (const page of [1, 4, 7]) buf.fill(0x61, page * 4096, (page + 1) * 4096); // uniform 'a': 'aaaa' inside
    // keywords across the edges 0|1 and 6|7, and anywhere in pages 0 and 6 (pages 3 and 5 stay uniform)
    for (let k = 0; k < 400; k++) {
      const word = ['SeCrEt', 'token', '-----BEGIN ', 'password', 'pAsSwOrD'][rnd(5)];
      const at = k < 60 ? 4096 * [1, 7][rnd(2)] - 12 + rnd(24) : 4096 * [0, 6][rnd(2)] + rnd(4096 - 11);
      buf.write(word, at, 'latin1');
    }
    // a uniform page of '-' between a keyword's first byte (just before it) and one ending after it
    buf.fill(0x2d, 3 * 4096, 4 * 4096);
    buf.write('z', 3 * 4096 - 1, 'latin1');
    buf.write('BEGIN ', 4 * 4096, 'latin1');
    const lower = buf.toString('latin1').toLowerCase();
    for (const page of [3, 5]) expect(new Set(buf.subarray(page * 4096, (page + 1) * 4096)).size).toBe(1);
    // word loads depend on alignment: every byte offset of the buffer, and ends short of its length
    for (const shift of [0, 1, 2, 3]) {
      for (const end of [buf.length, buf.length - 5, 4096 * 3 + 1, 17, 2]) {
        const want: string[] = [];
        for (const k of idx.keywords) for (let i = lower.indexOf(k); i !== -1 && i + k.length <= end; i = lower.indexOf(k, i + 1)) want.push(`${k}@${i}`);
        const host = Buffer.alloc(buf.length + 4);
        buf.copy(host, shift);
        const { kw, pos } = idx.scan(host.subarray(shift, shift + buf.length), end);
        expect(kw.map((k, i) => `${idx.keywords[k]}@${pos[i]}`).sort(), `shift ${shift} end ${end}`).toEqual(want.sort());
        expect(pos.every((p, i) => i === 0 || pos[i - 1] <= p)).toBe(true);
      }
    }
  });

  test('rejects keywords shorter than 3 bytes', () => {
    expect(() => new KeywordIndex(['ab'])).toThrow();
  });
});

describe('escaped view (JSON escapes, percent-encoding)', () => {
  const d = rulesDetector(builtinRules, { entropy: 'off' });
  const ctx = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'off' as const, learned: [] };
  test('password inside double-encoded JSON (a log line) is found where it sits', () => {
    const pw = 'Kq7!x9ZpLm2';
    const text = `log: {\\"user\\":\\"bob\\",\\"password\\":\\"${pw}\\"}`;
    const buf = Buffer.from(text, 'latin1');
    const start = text.indexOf(pw);
    const hits = d.detect(buf, ctx).hits.filter((h) => h.ruleId === 'password-quoted' || h.ruleId === 'password-assignment');
    expect(hits.some((h) => h.start === start && h.end === start + pw.length && h.secret.toString('latin1') === pw)).toBe(true);
  });

  test('percent-encoded form value maps back to encoded bytes', () => {
    const text = 'body=%7B%22password%22%3A%22Kq7x9ZpLm2%22%7D&x=1';
    const hits = d.detect(Buffer.from(text, 'latin1'), ctx).hits;
    const at = text.indexOf('Kq7x9ZpLm2');
    expect(hits.some((h) => h.start === at && h.end === at + 10)).toBe(true);
  });

  test('escapes in text make a view; the same byte pairs among random bytes do not', () => {
    expect(escapedView(Buffer.from('{\\"password\\":\\"x\\"}', 'latin1'))).not.toBeNull();
    expect(escapedView(Buffer.from('-----BEGIN PRIVATE KEY-----\\nMIIEvQ', 'latin1'))).not.toBeNull();
    // random memory holds a backslash + quote/slash/n every ~16 KiB: not worth 4 KiB of decoded view each
    let seed = 11;
    const noise = Buffer.alloc(1 << 20);
    for (let i = 0; i < noise.length; i++) noise[i] = ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), seed & 0xff);
    for (let i = 4096; i < noise.length; i += 65536) noise.write('\x00\xff\\"\x00\xff', i, 'latin1');
    expect(escapedView(noise)).toBeNull();
  });

  test('no escapes, no extra view work and no duplicate hits', () => {
    const text = 'password=Kq7x9ZpLm2\n';
    const hits = d.detect(Buffer.from(text, 'latin1'), ctx).hits.filter((h) => h.ruleId === 'password-assignment');
    expect(hits.length).toBe(1);
  });
});

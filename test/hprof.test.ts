import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { detectFormat, regionAt } from '../src/formats/index.js';
// @ts-expect-error plain ESM generator without types
import { makeHprof } from '../fixtures/gen/dumps.mjs';
import { overlaps, reader, uncovered, violation } from './helpers/formats.js';

const parse = (buf: Buffer) => detectFormat(reader(buf), buf.length);
const dir = mkdtempSync(join(tmpdir(), 'hprof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HPROF', () => {
  const gen = makeHprof(5);
  const buf: Buffer = gen.bytes;
  const info = parse(buf);

  it('asks for the UTF-16BE view and labels primitive arrays', () => {
    expect(info.format).toBe('hprof');
    expect(info.extraViews).toEqual(['utf16be']);
    expect(info.warnings).toEqual([]);
    expect(regionAt(info.regions, gen.layout.chars.start)!.label).toBe('char[27] of java.lang.String');
    expect(regionAt(info.regions, gen.layout.latin1.start)!.label).toBe('byte[27]');
    expect(regionAt(info.regions, gen.layout.utf8.start)!.label).toBe('UTF8 string');
  });

  it('keeps payloads redactable and every record/sub-record header structural', () => {
    for (const k of ['chars', 'latin1', 'utf8'] as const) {
      expect(
        info.structural.some((s) => overlaps(s, gen.layout[k])),
        k,
      ).toBe(false);
    }
    const payload = info.regions.filter((r) => r.kind === 'string' || r.label.startsWith('int[')).reduce((n, r) => n + r.end - r.start, 0);
    const structural = info.structural.reduce((n, s) => n + s.end - s.start, 0);
    expect(structural + payload).toBe(buf.length); // everything else is structure
    expect(uncovered({ start: 0, end: 31 }, info.structural)).toBe(0);
  });

  it('truncated or corrupted: warns, never throws', () => {
    for (let cut = 0; cut < buf.length; cut += 7) {
      const i = parse(buf.subarray(0, cut));
      expect(violation(i, cut)).toBeUndefined();
    }
    const bad = Buffer.from(buf);
    bad[gen.layout.chars.start - 1] = 0x7f; // unknown primitive type
    const i = parse(bad);
    expect(i.warnings.some((w) => /malformed/.test(w))).toBe(true);
  });
});

describe('HPROF entropy spans stop at record ids', () => {
  // UTF8 records whose 8-byte id ends in text-like bytes, right before the record's text
  const utf8 = (id: Buffer, text: string): Buffer => {
    const body = Buffer.concat([id, Buffer.from(text, 'latin1')]);
    const head = Buffer.alloc(9);
    head[0] = 0x01;
    head.writeUInt32BE(body.length, 5);
    return Buffer.concat([head, body]);
  };
  const header = Buffer.concat([Buffer.from('JAVA PROFILE 1.0.2\0'), Buffer.from([0, 0, 0, 8, 0, 0, 0, 0, 0x65, 0x5f, 0x10, 0x00])]);
  const ids = ['\x00\x00\x7f\x1cM#o0', '\x00\x00\x7f\x1cL.Qj8', '\x00\x00\x7f\x1cL.D9H', '\x00\x00\x7f\x1c.4Qz'].map((s) => Buffer.from(s.padStart(8, '\0').slice(-8), 'latin1'));
  const names = ['java/nio/ByteBufferAsFloatBufferRL', 'Ljava/lang/management/ClassLoadingMXBean', 'sun/security/ssl/MaxFragExtension$MaxFragLenE', 'java/util/IllegalFormatWidthException'];
  const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

  it('names after an id are not flagged; a random token after an id is, with the id left out of its span', async () => {
    const token = 'Zq7' + Array.from(randomBytes(37), (b) => B62[b % 62]).join('');
    const records = [...names.map((n, i) => utf8(ids[i], n)), utf8(ids[0], token)];
    const file = join(dir, 'ids.hprof');
    writeFileSync(file, Buffer.concat([header, ...records]));
    const r = await scan(file);
    const tokenAt = header.length + records.slice(0, -1).reduce((n, b) => n + b.length, 0) + 9 + 8;
    expect(r.findings.map((f) => [f.start, f.end, f.region])).toEqual([[tokenAt, tokenAt + token.length, 'UTF8 string']]);
  });
});

// Java heap dumps (HPROF, big-endian). Payloads that stay redactable: UTF8 record text and
// primitive array elements (char[] is UTF-16BE, compact strings are Latin-1 byte[]). Everything
// else (record headers, ids, class dumps, instance field blocks, object arrays) is structure:
// redacting a reference would break the heap graph a profiler walks.
import type { FormatInfo, ReadAt } from '../types.js';
import { Collector } from './collect.js';
import { Bytes, Truncated, hex } from './reader.js';

const MAX_RECORDS = 50_000_000;
/** Beyond this many structural spans (~250 MiB) the rest of the file is left unparsed (still scanned raw). */
const MAX_SPANS = 4_000_000;
const TYPE_SIZE: Record<number, number> = { 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8 };
const TYPE_NAME: Record<number, string> = { 4: 'boolean', 5: 'char', 6: 'float', 7: 'double', 8: 'byte', 9: 'short', 10: 'int', 11: 'long' };

class Hprof {
  readonly c: Collector;
  id = 4;
  private records = 0;

  constructor(readonly b: Bytes) {
    this.c = new Collector(b.size);
  }

  parse(): FormatInfo {
    const { b, c } = this;
    const head = b.slice(0, Math.min(b.size, 64));
    const nul = head.indexOf(0);
    if (nul < 0 || !b.has(nul + 1, 12)) {
      c.warn('HPROF header truncated; whole file scanned raw');
      return c.result('hprof', ['utf16be']);
    }
    this.id = b.u32(nul + 1);
    if (this.id !== 4 && this.id !== 8) {
      c.warn(`HPROF identifier size ${this.id} unsupported; whole file scanned raw`);
      return c.result('hprof', ['utf16be']);
    }
    let pos = nul + 13;
    c.struct(0, pos);
    while (pos < b.size) {
      if (++this.records > MAX_RECORDS || c.structural.count > MAX_SPANS) {
        c.warn(`HPROF too large to map; records from ${hex(pos)} scanned raw and their headers are not protected from redaction`);
        break;
      }
      if (!b.has(pos, 9)) {
        c.warn(`HPROF record header truncated at ${hex(pos)}; remaining bytes scanned raw`);
        break;
      }
      const tag = b.u8(pos);
      const len = b.u32(pos + 5);
      const body = pos + 9;
      c.struct(pos, body);
      let end = body + len;
      if (end > b.size) {
        c.warn(`HPROF record ${hex(tag)} at ${hex(pos)} truncated at ${hex(b.size)}; remaining bytes scanned raw`);
        end = b.size;
      }
      try {
        this.record(tag, body, end);
      } catch (err) {
        if (!(err instanceof Truncated)) throw err;
        c.warn(`HPROF record ${hex(tag)} at ${hex(pos)} malformed near ${hex(err.offset)}; rest of the record scanned raw`);
      }
      pos = end;
    }
    return c.result('hprof', ['utf16be']);
  }

  private record(tag: number, body: number, end: number): void {
    const { c } = this;
    if (tag === 0x01) {
      // UTF8: id, then modified-UTF-8 text (class, field and method names, string constants).
      c.struct(body, body + this.id);
      c.region(body + this.id, end, 'string', 'HPROF UTF8 string');
      return;
    }
    if (tag === 0x0c || tag === 0x1c) {
      c.region(body, end, 'memory', 'heap dump');
      this.heapDump(body, end);
      return;
    }
    c.struct(body, end);
  }

  private heapDump(pos: number, end: number): void {
    const { b, c, id } = this;
    while (pos < end) {
      if (c.structural.count > MAX_SPANS) {
        c.warn(`HPROF too large to map; heap records from ${hex(pos)} scanned raw and their headers are not protected from redaction`);
        return;
      }
      const start = pos;
      const sub = b.u8(pos++);
      switch (sub) {
        case 0xff: case 0x05: case 0x07: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x90:
          pos += id; break;
        case 0x01: pos += 2 * id; break;
        case 0x04: case 0x06: case 0xfe: pos += id + 4; break;
        case 0x02: case 0x03: case 0x08: case 0x8e: pos += id + 8; break;
        case 0x20: pos = this.classDump(pos); break;
        case 0x21: pos += 2 * id + 4; pos += 4 + b.u32(pos); break;
        case 0x22: { pos += id + 4; const n = b.u32(pos); pos += 4 + id + n * id; break; }
        case 0x23: case 0xc3: {
          pos += id + 4;
          const n = b.u32(pos);
          const type = b.u8(pos + 4);
          const size = TYPE_SIZE[type];
          if (size === undefined) throw new Truncated(pos + 4, 1);
          pos += 5;
          if (sub === 0x23) {
            c.struct(start, pos);
            const dataEnd = pos + n * size;
            if (dataEnd > end) throw new Truncated(pos, n * size);
            if (n > 0) c.region(pos, dataEnd, type === 5 || type === 8 ? 'string' : 'memory', `${TYPE_NAME[type]}[${n}]`);
            pos = dataEnd;
            continue;
          }
          break;
        }
        default:
          c.warn(`unknown HPROF heap sub-record ${hex(sub)} at ${hex(start)}; rest of the segment scanned raw`);
          return;
      }
      if (pos > end) throw new Truncated(start, pos - start);
      c.struct(start, pos);
    }
  }

  private classDump(pos: number): number {
    const { b, id } = this;
    pos += 7 * id + 8;
    const cp = b.u16(pos);
    pos += 2;
    for (let i = 0; i < cp; i++) pos += 3 + this.valueSize(b.u8(pos + 2), pos + 2);
    const statics = b.u16(pos);
    pos += 2;
    for (let i = 0; i < statics; i++) pos += id + 1 + this.valueSize(b.u8(pos + id), pos + id);
    const fields = b.u16(pos);
    return pos + 2 + fields * (id + 1);
  }

  private valueSize(type: number, at: number): number {
    if (type === 2) return this.id;
    const s = TYPE_SIZE[type];
    if (s === undefined) throw new Truncated(at, 1);
    return s;
  }
}

export function parseHprof(readAt: ReadAt, size: number): FormatInfo {
  return new Hprof(new Bytes(readAt, size, false)).parse();
}

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

/** Beyond this many String instances or arrays their owner is not looked up (labels only). */
const MAX_OWNERS = 4_000_000;

class Hprof {
  readonly c: Collector;
  id = 4;
  private records = 0;
  // which char[]/byte[] hold a java.lang.String's text: learnt from the UTF8, LOAD CLASS and CLASS
  // DUMP records, the String instances and the arrays, resolved once all are seen
  private stringName = '';
  private valueName = '';
  private stringClass = '';
  private valueOffset = -1;
  private readonly stringData: number[] = [];
  private readonly arrays: Array<[string, number]> = [];

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
    this.labelStringArrays();
    return c.result('hprof', ['utf16be']);
  }

  /** The id at `at` as a map key. */
  private idAt(at: number): string {
    return this.id === 8 ? `${this.b.u32(at)}:${this.b.u32(at + 4)}` : `${this.b.u32(at)}`;
  }

  /** Appends ` of java.lang.String` to the label of every array a String instance points to. */
  private labelStringArrays(): void {
    const { b, c } = this;
    if (this.valueOffset < 0 || this.arrays.length === 0) return;
    const owned = new Set<string>();
    for (const data of this.stringData) if (b.has(data + this.valueOffset, this.id)) owned.add(this.idAt(data + this.valueOffset));
    for (const [id, region] of this.arrays) if (owned.has(id)) c.regions[region].label += ' of java.lang.String';
  }

  private record(tag: number, body: number, end: number): void {
    const { c } = this;
    if (tag === 0x01) {
      // UTF8: id, then modified-UTF-8 text (class, field and method names, string constants).
      c.struct(body, body + this.id);
      c.region(body + this.id, end, 'string', 'UTF8 string');
      const len = end - body - this.id;
      if (len === 16 || len === 5) {
        const text = this.b.slice(body + this.id, len).toString('latin1');
        if (text === 'java/lang/String') this.stringName = this.idAt(body);
        else if (text === 'value') this.valueName = this.idAt(body);
      }
      return;
    }
    if (tag === 0x02 && end - body >= 8 + 2 * this.id && this.stringName !== '' && this.idAt(body + 8 + this.id) === this.stringName) {
      // LOAD CLASS: serial, class id, stack serial, name id
      this.stringClass = this.idAt(body + 4);
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
        case 0xff:
        case 0x05:
        case 0x07:
        case 0x89:
        case 0x8a:
        case 0x8b:
        case 0x8c:
        case 0x8d:
        case 0x90:
          pos += id;
          break;
        case 0x01:
          pos += 2 * id;
          break;
        case 0x04:
        case 0x06:
        case 0xfe:
          pos += id + 4;
          break;
        case 0x02:
        case 0x03:
        case 0x08:
        case 0x8e:
          pos += id + 8;
          break;
        case 0x20:
          pos = this.classDump(pos);
          break;
        case 0x21: {
          // INSTANCE DUMP: id, stack serial, class id, length, field values
          const cls = this.idAt(pos + id + 4);
          pos += 2 * id + 4;
          if (cls === this.stringClass && this.stringData.length < MAX_OWNERS) this.stringData.push(pos + 4);
          pos += 4 + b.u32(pos);
          break;
        }
        case 0x22: {
          pos += id + 4;
          const n = b.u32(pos);
          pos += 4 + id + n * id;
          break;
        }
        case 0x23:
        case 0xc3: {
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
            if (n > 0) {
              const before = c.regions.length;
              c.region(pos, dataEnd, type === 5 || type === 8 ? 'string' : 'memory', `${TYPE_NAME[type]}[${n}]`);
              if ((type === 5 || type === 8) && c.regions.length > before && this.arrays.length < MAX_OWNERS) this.arrays.push([this.idAt(start + 1), before]);
            }
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
    const cls = this.idAt(pos);
    pos += 7 * id + 8;
    const cp = b.u16(pos);
    pos += 2;
    for (let i = 0; i < cp; i++) pos += 3 + this.valueSize(b.u8(pos + 2), pos + 2);
    const statics = b.u16(pos);
    pos += 2;
    for (let i = 0; i < statics; i++) pos += id + 1 + this.valueSize(b.u8(pos + id), pos + id);
    const fields = b.u16(pos);
    if (cls === this.stringClass) {
      // the instance's own fields come first, in this order: find where `value` sits
      let offset = 0;
      for (let i = 0; i < fields; i++) {
        const at = pos + 2 + i * (id + 1);
        if (this.idAt(at) === this.valueName && b.u8(at + id) === 2) this.valueOffset = offset;
        offset += this.valueSize(b.u8(at + id), at + id);
      }
    }
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

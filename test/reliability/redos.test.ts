// ReDoS at pipeline level: 4 MiB built to make rule regexes backtrack still scans in bounded time.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan } from '../../src/index.js';
import { builtinRuleInputs } from '../../src/rules/index.js';
import { filler, tempDir } from '../lead/cli-harness.js';

const ALPHABETS = ['A', 'a0', 'Zz9+/', 'abcdef0123456789', 'xY_-', '=', '.', 'eyJ', 'AKIA', '%2F'];

/** Keyword, then a separator, then a long run of token characters with no terminator — for every rule. */
function adversarial(size: number): Buffer {
  const keywords = [...new Set(builtinRuleInputs.flatMap((r) => (r as { keywords?: string[] }).keywords ?? []))];
  keywords.push('password', 'secret', 'token', '-----BEGIN RSA PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----', 'Bearer ', 'Authorization: ');
  const parts: string[] = [];
  let len = 0;
  let i = 0;
  while (len < size * 0.45) {
    const k = keywords[i % keywords.length];
    const alpha = ALPHABETS[i % ALPHABETS.length];
    const sep = ['=', ': ', '="', "='", ' ', '\n', ':=', '=>'][i % 8];
    const run = alpha.repeat(Math.ceil((512 + (i % 7) * 700) / alpha.length));
    const piece = `${k}${sep}${run}${k}${k}${sep}${sep}`;
    parts.push(piece);
    len += piece.length;
    i++;
  }
  const text = parts.join('');
  const quarter = size / 4;
  const out = Buffer.alloc(size);
  Buffer.from(text, 'latin1').copy(out, 0, 0, quarter);
  // keywords back to back: every position starts a candidate match
  Buffer.from('secret=token=api_key=password=pwd='.repeat(quarter / 34 + 1), 'latin1').copy(out, quarter, 0, quarter);
  Buffer.from('password='.repeat(quarter / 18 + 1), 'utf16le').copy(out, 2 * quarter, 0, quarter);
  // the mixed text again as UTF-16LE, the other view detectors run
  Buffer.from(text.slice(0, quarter / 2), 'utf16le').copy(out, 3 * quarter, 0, quarter);
  return out;
}

describe('hostile text', () => {
  it('4 MiB of keywords and unterminated token runs scans in bounded time', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'adversarial.bin');
    const normal = path.join(dir, 'normal.bin');
    fs.writeFileSync(bad, adversarial(4 * 1024 * 1024));
    fs.writeFileSync(normal, filler(4 * 1024 * 1024, 9));
    let t0 = Date.now();
    const n = await scan(normal);
    const normalMs = Date.now() - t0;
    t0 = Date.now();
    const r = await scan(bad);
    const badMs = Date.now() - t0;
    expect(n.verdict).not.toBe('io-error');
    expect(r.verdict).not.toBe('io-error');
    // generous bound for a 2-core CI box; the benchmark measures the ratio precisely
    expect(badMs).toBeLessThan(30_000);
    console.log(`redos: normal 4 MiB ${normalMs} ms, adversarial 4 MiB ${badMs} ms (ratio ${(badMs / Math.max(1, normalMs)).toFixed(1)})`);
  }, 90_000);
});

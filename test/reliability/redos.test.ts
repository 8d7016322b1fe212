// ReDoS at pipeline level: 4 MiB built to make rule regexes backtrack scans within a small multiple
// of the time a normal 4 MiB file takes in the same run.
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

/**
 * Kubernetes Secret manifests whose `data:` map never comes: comment, blank, list and entry lines,
 * each of which a line pattern with overlapping readings (a comment is also indentation then text)
 * could read several ways, 64 and more of them below every `kind: Secret`. A look-behind that walks
 * back over such lines to find `data:` tries every combination of readings before it gives up.
 */
function manifestSoup(size: number): Buffer {
  const lines = ['kind: Secret', 'metadata:'];
  for (let i = 0; i < 80; i++) lines.push(['  # note', '    ', '  key: dmFsdWVzZWNyZXQ=', '\t# x', '  -  ', ' '][i % 6]);
  const block = `${lines.join('\n')}\n`;
  return Buffer.from(block.repeat(Math.ceil(size / block.length)).slice(0, size), 'latin1');
}

async function scanRatio(hostile: Buffer): Promise<number> {
  const dir = tempDir();
  try {
    const bad = path.join(dir, 'adversarial.bin');
    const normal = path.join(dir, 'normal.bin');
    fs.writeFileSync(bad, hostile);
    fs.writeFileSync(normal, filler(hostile.length, 9));
    let t0 = performance.now();
    const n = await scan(normal);
    const normalMs = performance.now() - t0;
    t0 = performance.now();
    const r = await scan(bad);
    const badMs = performance.now() - t0;
    expect(n.verdict).not.toBe('io-error');
    expect(r.verdict).not.toBe('io-error');
    return badMs / Math.max(normalMs, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile text', () => {
  it('4 MiB of keywords and unterminated token runs scans within a multiple of a normal file', async () => {
    // against the normal file timed in the same run: backtracking, a retry at every keyword inside a
    // match, or hunting the soup's repeated values everywhere would each be 100x and more
    expect(await scanRatio(adversarial(4 * 1024 * 1024))).toBeLessThan(40);
  }, 90_000);

  it('4 MiB of Secret manifests without their data: map scans within a multiple of a normal file', async () => {
    // the rule that reads Secret data walks back over the lines above a value: one reading per line keeps it linear
    expect(await scanRatio(manifestSoup(4 * 1024 * 1024))).toBeLessThan(40);
  }, 90_000);
});

// ReDoS at pipeline level: text built to make rule regexes backtrack costs CPU in proportion to its
// size, as a normal file does.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scan } from '../../src/index.js';
import { builtinRuleInputs } from '../../src/rules/index.js';
import { tempDir } from '../lead/cli-harness.js';

const MIB = 1024 * 1024;

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

/** CPU seconds (every thread of this process) a scan takes: other processes on a busy machine barely move it, unlike wall time. */
async function cpuOf(file: string): Promise<{ verdict: string; cpu: number }> {
  const t0 = process.cpuUsage();
  const r = await scan(file);
  const t = process.cpuUsage(t0);
  return { verdict: r.verdict, cpu: t.user + t.system };
}

/**
 * How the scan's CPU time grows from 1 MiB to 4 MiB of the same hostile text: about 4 when linear,
 * 16 when quadratic (backtracking over the whole run, a retry at every keyword inside a match, hunting
 * the text's repeated values in every place). A ratio of CPU in one process is what other load on a
 * busy machine moves least; a normal file is no yardstick, as the scan skips most of it.
 */
async function growth(make: (size: number) => Buffer): Promise<number> {
  const dir = tempDir();
  try {
    const small = path.join(dir, 'small.bin');
    const big = path.join(dir, 'big.bin');
    fs.writeFileSync(small, make(MIB));
    fs.writeFileSync(big, make(4 * MIB));
    // a first scan pays for compiling the rules and the detectors
    await cpuOf(small);
    const s = await cpuOf(small);
    const b = await cpuOf(big);
    for (const v of [s.verdict, b.verdict]) expect(v).not.toBe('io-error');
    return b.cpu / Math.max(s.cpu, 1000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile text', () => {
  it('keywords and unterminated token runs: 4x the text costs about 4x the CPU, not 16x', async () => {
    expect(await growth(adversarial)).toBeLessThan(8);
  }, 120_000);

  it('Secret manifests without their data: map: 4x the text costs about 4x the CPU', async () => {
    // the rule that reads Secret data walks back over the lines above a value: one reading per line keeps it linear
    expect(await growth(manifestSoup)).toBeLessThan(8);
  }, 120_000);
});

// Real processes that keep one token in several encodings: a Python UCS-4 string and a C++
// std::wstring (UTF-32LE), and Node and Python services that copy a token into a header buffer, a
// JSON body, a UTF-16 string and a hex log line. After gcore and `dumpscrub scrub`, no copy of the
// token may be left in the copy. Tokens are made at run time; assertions show counts, never tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { coreOf, hasGcore } from './helpers/gcore.js';

const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const HAVE_GCORE = hasGcore();
const HAVE_PYTHON = which('python3');
const HAVE_GXX = which('g++');
const CLI = resolve('dist/cli.js');
const GEN = resolve('fixtures/gen');
if (!HAVE_GCORE || !HAVE_PYTHON || !HAVE_GXX) {
  console.warn(`\n*** real-copies tests SKIPPED in part: ${HAVE_GCORE ? '' : 'gcore (apt-get install -y gdb) '}${HAVE_PYTHON ? '' : 'python3 '}${HAVE_GXX ? '' : 'g++ '}not installed ***\n`);
}

const digits = (n: number): string => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
/** A Slack bot token made at run time (never a literal in the repo). */
const slackToken = (): string => ['xox' + 'b', digits(12), digits(13), randomBytes(18).toString('base64url').replace(/[-_]/g, 'x')].join('-');
/** An opaque API token: nothing in it says what it is. */
const opaqueToken = (): string => randomBytes(24).toString('base64url');

function utf32(text: string): Buffer {
  const out = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) out[i * 4] = text.charCodeAt(i);
  return out;
}

/** The token in every form these processes write it in. */
function forms(tok: string): Record<string, Buffer> {
  return {
    ascii: Buffer.from(tok, 'latin1'),
    utf16le: Buffer.from(tok, 'utf16le'),
    utf32le: utf32(tok),
    hex: Buffer.from(Buffer.from(tok).toString('hex')),
  };
}

function count(hay: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) n++;
  return n;
}

/** How many copies of each form of the token the bytes hold (names and counts only). */
function copies(hay: Buffer, tok: string): Record<string, number> {
  return Object.fromEntries(Object.entries(forms(tok)).map(([k, v]) => [k, count(hay, v)]));
}

const none = (c: Record<string, number>) => Object.fromEntries(Object.keys(c).map((k) => [k, 0]));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Core of a child that reads the token from stdin and prints "ready" once it holds its copies. */
async function coreHolding(cmd: string, args: string[], tok: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const cored = await coreOf(cmd, args, 'ready', `${tok}\n`, env);
  if (typeof cored === 'string') throw new Error(cored);
  dirs.push(dirname(cored.core));
  return cored.core;
}

/** `dumpscrub scrub` of a core; the exit status and the copy. */
function scrub(core: string, extra: string[] = []): { status: number | null; copy: Buffer } {
  const out = `${core}.scrubbed${extra.join('')}`;
  const r = spawnSync(process.execPath, [CLI, 'scrub', core, '-o', out, '--format', 'json', ...extra], { encoding: 'utf8', timeout: 300_000 });
  const copy = r.status === 0 ? readFileSync(out) : Buffer.alloc(0);
  rmSync(out, { force: true });
  return { status: r.status, copy };
}

describe.skipIf(!HAVE_GCORE || !HAVE_PYTHON)('real process: Python UCS-4 string (UTF-32LE in the heap)', () => {
  const tok = slackToken();
  let core = '';
  beforeAll(async () => {
    core = await coreHolding('python3', [join(GEN, 'child-ucs4.py')], tok);
  }, 120_000);

  it('every copy of the token is gone, the UTF-32LE one included', () => {
    const before = copies(readFileSync(core), tok);
    // the document with the rocket is a UCS-4 string: the token is in the core as UTF-32LE
    expect(before.utf32le).toBeGreaterThan(0);
    const { status, copy } = scrub(core);
    expect(status).toBe(0);
    const after = copies(copy, tok);
    expect(after).toEqual(none(after));
  }, 300_000);
});

describe.skipIf(!HAVE_GCORE || !HAVE_GXX)('real process: C++ std::wstring (wchar_t is UTF-32LE)', () => {
  const tok = slackToken();
  let core = '';
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-wstring-'));
    dirs.push(dir);
    const exe = join(dir, 'child-wstring');
    execFileSync('g++', ['-O1', '-o', exe, join(GEN, 'child-wstring.cpp')], { stdio: 'pipe', timeout: 120_000 });
    core = await coreHolding(exe, [], tok);
  }, 180_000);

  it('the wide copy (the only one in memory) is found and gone', () => {
    const before = copies(readFileSync(core), tok);
    expect({ utf32le: before.utf32le > 0, ascii: before.ascii }).toEqual({ utf32le: true, ascii: 0 });
    const { status, copy } = scrub(core);
    expect(status).toBe(0);
    const after = copies(copy, tok);
    expect(after).toEqual(none(after));
  }, 300_000);
});

// Only the header copy says what the token is; the JSON, UTF-16 and hex copies must be found as
// copies of a value already found.
const SERVICES: Array<[string, boolean, string, string[], NodeJS.ProcessEnv | undefined]> = [
  // no JIT code range, a small V8 heap and one malloc arena keep the core small
  ['Node', true, process.execPath, ['--jitless', '--max-semi-space-size=1', '--max-old-space-size=24', join(GEN, 'child-copies.mjs')], { MALLOC_ARENA_MAX: '1', UV_THREADPOOL_SIZE: '1' }],
  ['Python', HAVE_PYTHON, 'python3', [join(GEN, 'child-copies.py')], undefined],
];

describe.each(SERVICES)('real process: %s service with header, JSON, UTF-16 and hex copies of a token', (_name, have, cmd, args, env) => {
  const tok = opaqueToken();
  let core = '';
  beforeAll(async () => {
    if (!HAVE_GCORE || !have) return;
    core = await coreHolding(cmd, args, tok, env);
  }, 120_000);

  it.skipIf(!HAVE_GCORE || !have)('the process holds every copy', () => {
    const before = copies(readFileSync(core), tok);
    expect({ ascii: before.ascii > 0, utf16le: before.utf16le > 0, hex: before.hex > 0 }).toEqual({ ascii: true, utf16le: true, hex: true });
  });

  for (const extra of [[], ['--entropy', 'off']]) {
    // the hex copies carry no keyword: they go because the value found elsewhere is hunted
    it.skipIf(!HAVE_GCORE || !have)(
      `all copies gone after scrub ${extra.join(' ') || '(defaults)'}`,
      () => {
        const { status, copy } = scrub(core, extra);
        expect(status).toBe(0);
        const after = copies(copy, tok);
        expect(after).toEqual(none(after));
      },
      300_000,
    );
  }
});

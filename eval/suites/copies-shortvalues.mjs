// How often a short literal value turns up by chance in clean real memory: the false hits a bare
// hunt for a found value of length 6..16 would make. Cores of a Node and a Python process holding no
// secret are gcored; for each alphabet a found value is drawn from, every window of L characters of
// that alphabet is counted in the views a hunt searches (ASCII, UTF-16LE, UTF-32LE, lower and upper
// hex). A value drawn uniformly from an alphabet of k characters matches one window with probability
// k^-L, so the expected chance hits per hunted value per GiB is (windows per GiB) / k^L, exactly, with
// no sampling; a Monte Carlo count of random needles checks it where hits are common enough to see.
// Run alone for the full table: node eval/suites/copies-shortvalues.mjs
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from '../lib/children.mjs';

const PAGE = 4096;
const LENGTHS = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
/** Hunted values the minimum length must stand: one false hit per GiB across this many. */
const VALUES = 10_000;

const range = (a, b) => Array.from({ length: b.charCodeAt(0) - a.charCodeAt(0) + 1 }, (_, i) => String.fromCharCode(a.charCodeAt(0) + i)).join('');
const DIGITS = range('0', '9');
const LOWER = range('a', 'z');
const UPPER = range('A', 'Z');
export const ALPHABETS = [
  { name: 'digits', chars: DIGITS },
  { name: 'hex', chars: DIGITS + 'abcdef' },
  { name: 'lower', chars: LOWER },
  { name: 'alnum', chars: DIGITS + LOWER + UPPER },
  { name: 'base64url', chars: DIGITS + LOWER + UPPER + '-_' },
  { name: 'printable', chars: range(' ', '~') },
];

/** Bit a of CLASS[byte] is set when the byte is in alphabet a. */
const CLASS = new Uint8Array(256);
ALPHABETS.forEach((a, i) => {
  for (const c of a.chars) CLASS[c.charCodeAt(0)] |= 1 << i;
});
const MAXRUN = 4096;

/** Run-length histograms per alphabet: hist[a][min(r, MAXRUN)] = runs of exactly r characters. */
function newHist() {
  return ALPHABETS.map(() => new Float64Array(MAXRUN + 1));
}

/** Feeds characters to per-alphabet run counters; `end()` closes the runs at a break. */
function counter(hist) {
  const run = new Int32Array(ALPHABETS.length);
  const close = (a) => {
    if (run[a] > 0) hist[a][Math.min(run[a], MAXRUN)]++;
    run[a] = 0;
  };
  return {
    push(c) {
      const m = CLASS[c];
      for (let a = 0; a < run.length; a++) {
        if (m & (1 << a)) run[a]++;
        else if (run[a] > 0) close(a);
      }
    },
    end() {
      for (let a = 0; a < run.length; a++) close(a);
    },
  };
}

const HEXV = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEXV[48 + i] = i;
for (let i = 0; i < 6; i++) ((HEXV[97 + i] = 10 + i), (HEXV[65 + i] = 10 + i));

/** Windows per view and alphabet in one buffer; uniform pages (zero fill) hold no window and are skipped. */
export function windowStats(buf) {
  const views = { ascii: newHist(), utf16le: newHist(), utf32le: newHist(), hex: newHist() };
  const uniform = (p) => {
    const v = buf[p];
    for (let i = p + 1; i < p + PAGE; i++) if (buf[i] !== v) return false;
    return true;
  };
  let dense = 0;
  const ascii = counter(views.ascii);
  const wide = [0, 1].map(() => counter(views.utf16le));
  const wide4 = [0, 1, 2, 3].map(() => counter(views.utf32le));
  for (let p = 0; p < buf.length; p += PAGE) {
    const end = Math.min(buf.length, p + PAGE);
    if (end - p === PAGE && uniform(p)) {
      ascii.end();
      for (const w of wide) w.end();
      for (const w of wide4) w.end();
      continue;
    }
    dense += end - p;
    for (let i = p; i < end; i++) ascii.push(buf[i]);
    // UTF-16LE characters c,0 at both alignments, UTF-32LE c,0,0,0 at all four; anything else breaks that alignment's run
    for (let a = 0; a < 2; a++) {
      const w = wide[a];
      for (let i = p + ((a - p) & 1); i < end; i += 2) {
        if (buf[i] !== 0 && buf[i + 1] === 0) w.push(buf[i]);
        else w.end();
      }
    }
    for (let a = 0; a < 4; a++) {
      const w = wide4[a];
      for (let i = p + ((a - p) & 3); i < end; i += 4) {
        if (buf[i] !== 0 && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) w.push(buf[i]);
        else w.end();
      }
    }
  }
  ascii.end();
  for (const w of wide) w.end();
  for (const w of wide4) w.end();
  // hex: runs of hex digits (one case throughout) decoded at both phases; a value's hex form is 2L digits
  const hex = counter(views.hex);
  for (let p = 0; p < buf.length;) {
    if (HEXV[buf[p]] < 0) {
      p++;
      continue;
    }
    let e = p;
    while (e < buf.length && HEXV[buf[e]] >= 0) e++;
    if (e - p >= 2 * LENGTHS[0]) {
      for (const phase of [0, 1]) {
        for (let i = p + phase; i + 1 < e; i += 2) hex.push((HEXV[buf[i]] << 4) | HEXV[buf[i + 1]]);
        hex.end();
      }
    }
    p = e;
  }
  return { views, dense, size: buf.length };
}

/** Windows of exactly L characters in runs with this histogram. */
function windows(hist, L) {
  let w = 0;
  for (let r = L; r <= MAXRUN; r++) w += hist[r] * (r - L + 1);
  return w;
}

/** Expected chance hits per hunted value per GiB, by alphabet and length (all views summed). */
export function expectedHits(stats) {
  const gib = stats.dense / 2 ** 30;
  const out = {};
  ALPHABETS.forEach((a, ai) => {
    out[a.name] = {};
    for (const L of LENGTHS) {
      let w = 0;
      for (const v of Object.values(stats.views)) w += windows(v[ai], L);
      out[a.name][L] = w / a.chars.length ** L / gib;
    }
  });
  return out;
}

/** Monte Carlo check: random needles of one alphabet and length, counted as ASCII (hits per needle per GiB). */
export function sampledHits(buf, dense, alphabet, L, needles) {
  let hits = 0;
  for (let k = 0; k < needles; k++) {
    const s = Array.from(randomBytes(L), (b) => alphabet[b % alphabet.length]).join('');
    const n = Buffer.from(s, 'latin1');
    for (let at = buf.indexOf(n); at !== -1; at = buf.indexOf(n, at + 1)) hits++;
  }
  return hits / needles / (dense / 2 ** 30);
}

/** Starts a clean process, waits for "ready", gcores it, kills it. Returns the core's path. */
async function coreOf(cmd, args, dir, env = {}) {
  const child = track(spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...env } }));
  await new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${cmd} never became ready`)), 30_000);
    let seen = '';
    child.stdout.on('data', (d) => {
      seen += d;
      if (seen.includes('ready')) (clearTimeout(t), res());
    });
    child.on('error', rej);
  });
  const prefix = join(dir, `core-${cmd.split('/').pop()}`);
  try {
    execFileSync('gcore', ['-o', prefix, String(child.pid)], { stdio: 'ignore', timeout: 120_000 });
  } finally {
    child.kill('SIGKILL');
  }
  return join(
    dir,
    readdirSync(dir).find((f) => f.startsWith(`core-${cmd.split('/').pop()}.`)),
  );
}

// A Node and a Python process at work, holding no secret: every built-in module loaded, JSON
// parsed and written, a server answering requests.
const NODE_CHILD = `
const mods = ['http', 'https', 'zlib', 'crypto', 'url', 'fs', 'path', 'stream', 'util', 'events', 'querystring', 'dns', 'net', 'os', 'child_process', 'readline', 'tls', 'assert', 'buffer', 'string_decoder'];
globalThis.keep = mods.map((m) => require('node:' + m));
const http = require('node:http');
keep.push(JSON.parse(JSON.stringify({ versions: process.versions, config: process.config, env: Object.keys(process.env) })));
const srv = http.createServer((q, r) => r.end(JSON.stringify({ path: q.url, headers: q.headers, at: Date.now() })));
const get = (i) => new Promise((res) => http.get({ host: '127.0.0.1', port: srv.address().port, path: '/items/' + i + '?page=' + i }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => res(b)); }));
srv.listen(0, '127.0.0.1', async () => {
  for (let i = 0; i < 50; i++) keep.push(await get(i));
  process.stdout.write('ready\\n');
});
`;
const PY_CHILD = `
import sys, pkgutil, importlib, json
keep = []
for m in sorted(n for _, n, _ in pkgutil.iter_modules() if not n.startswith(("_", "test", "idlelib", "tkinter", "turtle", "antigravity", "this"))):
    try:
        keep.append(importlib.import_module(m))
    except BaseException:
        pass
keep.append(json.dumps(sorted(sys.modules)))
print("ready", flush=True)
sys.stdin.read()
`;

/** The core file's pages that are not one repeated byte, runs of them joined by one zero byte (no window crosses a gap). */
export function densePages(file) {
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  const CH = 64 << 20;
  const chunk = Buffer.alloc(CH);
  const parts = [];
  let open = false;
  try {
    for (let off = 0; off < size; off += CH) {
      const n = readSync(fd, chunk, 0, Math.min(CH, size - off), off);
      for (let p = 0; p < n; p += PAGE) {
        const end = Math.min(n, p + PAGE);
        let same = end - p === PAGE;
        for (let i = p + 1; same && i < end; i++) same = chunk[i] === chunk[p];
        if (same) {
          if (open) parts.push(Buffer.alloc(1));
          open = false;
        } else {
          parts.push(Buffer.from(chunk.subarray(p, end)));
          open = true;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return { buf: Buffer.concat(parts), size };
}

export default async function copiesShortValues(env) {
  const title = 'Chance hits of short literal values in clean real cores (bare hunt)';
  if (spawnSync('sh', ['-c', 'command -v gcore']).status !== 0) return { title, rows: [], notes: ['skipped: gcore not installed (apt-get install -y gdb)'] };
  const procs = [
    // no JIT code range and no WebAssembly reservations: a core of what the process holds, not gigabytes of zeros
    ['node', process.execPath, ['--jitless', '-e', NODE_CHILD], { MALLOC_ARENA_MAX: '1' }],
    ...(spawnSync('sh', ['-c', 'command -v python3']).status === 0 ? [['python', 'python3', ['-c', PY_CHILD], {}]] : []),
  ];
  const total = { views: { ascii: newHist(), utf16le: newHist(), utf32le: newHist(), hex: newHist() }, dense: 0, size: 0 };
  const notes = [];
  let probe = null;
  for (const [name, cmd, args, extra] of procs) {
    const core = await coreOf(cmd, args, env.tmp, extra);
    let buf;
    let size;
    try {
      ({ buf, size } = densePages(core));
    } finally {
      rmSync(core, { force: true });
    }
    env.log(`${name}: core ${(size / 2 ** 20).toFixed(0)} MiB, ${(buf.length / 2 ** 20).toFixed(0)} MiB not uniform pages`);
    const s = windowStats(buf);
    s.size = size;
    for (const [v, hist] of Object.entries(s.views)) hist.forEach((h, a) => h.forEach((x, r) => (total.views[v][a][r] += x)));
    total.dense += s.dense;
    total.size += s.size;
    notes.push(`${name} core: ${(s.size / 2 ** 20).toFixed(0)} MiB, ${(s.dense / 2 ** 20).toFixed(0)} MiB not uniform pages`);
    probe ??= { buf, stats: s };
  }
  const exp = expectedHits(total);
  const fmt = (x) => (x === 0 ? '0' : x.toExponential(1));
  const rows = LENGTHS.map((L) => ({ name: `length ${String(L).padStart(2)}`, value: ALPHABETS.map((a) => `${a.name} ${fmt(exp[a.name][L])}`).join('  ') }));
  for (const a of ALPHABETS) {
    const min = LENGTHS.find((L) => exp[a.name][L] * VALUES <= 1);
    rows.push({ name: `min bare length, ${a.name}`, value: min ?? `> ${LENGTHS[LENGTHS.length - 1]}`, unit: `(≤ 1 false hit/GiB across ${VALUES} values)` });
  }
  // the sampled count agrees with the exact expectation where hits are frequent enough to count
  if (probe) {
    const L = 6;
    const sampled = sampledHits(probe.buf, probe.stats.dense, DIGITS, L, 2000);
    const exact = windows(probe.stats.views.ascii[0], L) / 10 ** L / (probe.stats.dense / 2 ** 30);
    rows.push({ name: 'check: random 6-digit values, ASCII, first core', value: `${fmt(sampled)} sampled (2000 values) vs ${fmt(exact)} exact` });
  }
  notes.push('values: expected chance hits per hunted value per GiB of non-uniform pages, ASCII + UTF-16LE + UTF-32LE + hex views');
  notes.push('the exact expectation is the conservative figure: repetitive runs (000000…, digit tables) carry much of it, so most sampled values hit less');
  notes.push(`GiB counted: ${(total.dense / 2 ** 30).toFixed(3)} (of ${(total.size / 2 ** 30).toFixed(3)} GiB of core files)`);
  return { title, rows, notes, table: exp };
}

// run alone: the full table, in the eval's format
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { formatSuite } = await import('../lib/table.mjs');
  const tmp = mkdtempSync(join(tmpdir(), 'ds-shortvalues-'));
  try {
    const r = await copiesShortValues({ tmp, log: (m) => process.stderr.write(`${m}\n`) });
    process.stdout.write(formatSuite({ suite: 'copies-shortvalues', ...r }) + '\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    (await import('../lib/children.mjs')).killAll();
  }
}

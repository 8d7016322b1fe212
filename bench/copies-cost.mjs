// What the copy hunt costs: the bench image with --values distinct secrets planted (each once
// behind `NAME=`, once as hex, once as UTF-16LE), CPU seconds of `scan --jobs 1` from GNU time,
// and, in this process, the CPU seconds of every detector over the image (the scan pass) and of
// the copies detector hunting what that pass found (the hunt pass), one thread, 16 MiB chunks.
// Usage: node bench/copies-cost.mjs <image> [--values 300] [--mib 256] [--keep]; prints JSON.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : dflt);
const n = Number(opt('--values', 300));
const mib = Number(opt('--mib', 256));
const root = new URL('..', import.meta.url).pathname;
const dist = pathToFileURL(path.join(root, 'dist')).href;
const { builtinDetectors } = await import(`${dist}/detectors/index.js`);
const { foundValues } = await import(`${dist}/found-values.js`);

// a seeded generator: the same image for the same arguments
let seed = 0x5eed17;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (k) => Array.from({ length: k }, () => ALNUM[Math.floor(rand() * ALNUM.length)]).join('');

const size = Math.min(fs.statSync(args[0]).size, mib * 1024 * 1024);
const img = Buffer.alloc(size);
const fd = fs.openSync(args[0], 'r');
fs.readSync(fd, img, 0, size, 0);
fs.closeSync(fd);
// three pieces per value, each in its own slot so none overlaps another
const slot = Math.floor(size / (3 * n + 1));
let at = 0;
const planted = [];
const put = (b, from = 0, to = b.length) => {
  const o = at + Math.floor(rand() * (slot - b.length));
  b.copy(img, o);
  planted.push([o + from, o + to]);
  at += slot;
};
for (let i = 0; i < n; i++) {
  const v = pick(32);
  const line = `\nSERVICE_${i}_API_KEY=`;
  put(Buffer.from(`${line}${v}\n`), line.length, line.length + v.length);
  put(Buffer.from(Buffer.from(v).toString('hex')));
  put(Buffer.from(v, 'utf16le'));
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-copies-cost-'));
const file = path.join(tmp, 'image.bin');
fs.writeFileSync(file, img);

try {
  // the CLI: one worker, the whole pipeline of scan
  const t = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, path.join(root, 'dist/cli.js'), 'scan', file, '--jobs', '1', '--format', 'json'], { maxBuffer: 1 << 28 });
  const [user, sys] = t.stderr.toString().trim().split('\n').pop().split(' ').map(Number);
  const report = JSON.parse(t.stdout.toString());
  const byRule = report.summary.byRule;
  // a planted value or copy is left when any byte of it is outside every finding
  const spans = report.files[0].findings.map((f) => [f.start, f.end]).sort((a, b) => a[0] - b[0]);
  const covered = ([s, e]) => {
    let reach = s;
    for (const [fs0, fe] of spans) if (fs0 <= reach && fe > reach) reach = fe;
    return reach >= e;
  };
  const left = planted.filter((p) => !covered(p)).length;
  const copies = Object.entries(byRule)
    .filter(([r]) => r.startsWith('copy-of-'))
    .reduce((a, [, c]) => a + c, 0);

  // in this process: the scan pass, then the hunt pass as the pipeline runs it
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  };
  const CHUNK = 16 * 1024 * 1024;
  const chunks = [];
  for (let off = 0; off < size; off += CHUNK) chunks.push({ off, bytes: img.subarray(off, Math.min(size, off + CHUNK)) });
  const options = { entropy: 'context', knownKeys: [], knownSecrets: [], knownSecretDigests: [], extraRules: [] };
  const detectors = builtinDetectors(options);
  const base = { knownKeys: [], learned: [], knownSecrets: [], extraViews: [], entropy: 'context' };
  detectors.forEach((d) => d.detect(chunks[0].bytes.subarray(0, 1 << 20), base)); // warm-up
  let t0 = cpu();
  const hits = [];
  for (const c of chunks) for (const d of detectors) for (const h of d.detect(c.bytes, base).hits) hits.push({ ...h, start: h.start + c.off, end: h.end + c.off });
  const scanPass = cpu() - t0;
  const values = foundValues(hits, (o, l) => img.subarray(o, o + l));
  const hunter = builtinDetectors({ ...options, entropy: 'off' }).filter((d) => d.id === 'copies');
  t0 = cpu();
  let found = 0;
  for (const c of chunks) for (const d of hunter) found += d.detect(c.bytes, { ...base, learned: values }).hits.length;
  const huntPass = cpu() - t0;
  const cli = user + sys;
  console.log(
    JSON.stringify({
      bytes: size,
      planted: n,
      foundValues: values.length,
      cli: { cpuSeconds: +cli.toFixed(2), copyFindings: copies, plantedLeft: left, exitCode: t.status },
      inProcess: { scanPass: +scanPass.toFixed(2), huntPass: +huntPass.toFixed(2), huntHits: found },
      huntShareOfCli: +(huntPass / cli).toFixed(3),
    }),
  );
} finally {
  if (!args.includes('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
}

import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCandidateName, reasonText, runGate } from '../src/gate.js';
import { isStable } from '../src/stable.js';
import { StepClock } from './support/step-clock.js';
import { runCliHere } from './lead/cli-harness.js';
import type { GateResult } from '../src/gate.js';
import { makeOptions } from '../src/options.js';
import type { FileResult } from '../src/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function workspace(): { root: string; inbox: string; outbox: string; quarantine: string; audit: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-gate-'));
  dirs.push(root);
  const inbox = path.join(root, 'inbox');
  const outbox = path.join(root, 'outbox');
  fs.mkdirSync(inbox);
  fs.mkdirSync(outbox);
  return { root, inbox, outbox, quarantine: path.join(root, 'quarantine'), audit: path.join(root, 'audit.jsonl') };
}

/** A fresh RSA private key as PEM (DER from the generator, re-imported: avoids the Node 20 keygen hang). */
function freshPem(): { pem: string; body: string[] } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  const pem = String(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs1', format: 'pem' }));
  return { pem, body: pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')) };
}

/** A memory-like image with a PEM key in the middle. */
function dumpWithKey(size = 96 * 1024): { bytes: Buffer; body: string[] } {
  const { pem, body } = freshPem();
  const bytes = Buffer.alloc(size, 0x20);
  for (let i = 0; i < size; i += 4096) bytes.write('worker thread pool request ok\n', i, 'latin1');
  bytes.write(`\0${pem}\0`, size / 2 - 1024, 'latin1');
  return { bytes, body };
}

const leaks = (text: string, secrets: string[]) => secrets.filter((s) => text.includes(s)).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

function startGate(ws: ReturnType<typeof workspace>, stableSeconds: number, extra: Partial<Parameters<typeof runGate>[0]> = {}) {
  const ac = new AbortController();
  const log: string[] = [];
  const done: Promise<GateResult> = runGate({
    inbox: ws.inbox,
    outbox: ws.outbox,
    quarantine: ws.quarantine,
    once: false,
    originals: 'delete',
    auditLog: ws.audit,
    stableSeconds,
    maxWaitSeconds: 60,
    scrub: makeOptions({ jobs: 1 }),
    log: (l) => log.push(l),
    signal: ac.signal,
    pollMs: 100,
    ...extra,
  });
  return { stop: async () => (ac.abort(), done), log, done };
}

describe('gate helpers', () => {
  it('ignores names a producer is still writing', () => {
    expect(isCandidateName('core.1234')).toBe(true);
    expect(isCandidateName('app.dmp')).toBe(true);
    for (const n of ['.app.dmp', 'app.dmp.part', 'x.tmp', 'y.partial', 'z.crdownload', 'w.filepart']) expect(isCandidateName(n)).toBe(false);
  });

  it('calls a file stable after the window, by observation or by an old mtime, never on first sight', () => {
    const o = { key: '1:2', size: 10, mtimeMs: 0, since: 0, polls: 1 };
    expect(isStable(o, 10_000, 10_000, 1000)).toBe(false);
    expect(isStable({ ...o, polls: 2 }, 500, 500, 1000)).toBe(false);
    expect(isStable({ ...o, polls: 2 }, 1000, 500, 1000)).toBe(true);
    expect(isStable({ ...o, polls: 2, since: 900 }, 1000, 1200, 1000)).toBe(true);
    expect(isStable({ ...o, polls: 1 }, 0, 0, 0)).toBe(true);
  });

  it('writes reasons with spans and fingerprints, never secrets', () => {
    const r: FileResult = {
      file: 'a.dmp',
      size: 100,
      format: 'raw',
      findings: [{ start: 1, end: 9, ruleId: 'jwt', encoding: 'ascii', fingerprint: 'abcdefabcdef', preview: 'eyJh****', region: 'raw' }],
      survivors: [],
      verdict: 'survived-verification',
      warnings: [],
      error: '1 finding(s) survived verification',
      durationMs: 1,
    };
    const text = reasonText(r, 'a.dmp');
    expect(text).toContain('verdict: survived-verification');
    expect(text).toContain('[1, 9) jwt ascii region=raw fp=abcdefabcdef');
    expect(text.includes('eyJh')).toBe(false);
  });
});

describe('gate watching a directory', () => {
  // time is a StepClock: each step is one 100 ms poll, so the window is counted in polls, never measured
  it('does not touch a file that arrives slowly until it has been stable for the window', async () => {
    const ws = workspace();
    const clock = new StepClock();
    const gate = startGate(ws, 1, { clock });
    const { bytes, body } = dumpWithKey();
    const target = path.join(ws.inbox, 'slow.dmp');
    const pieces = 5;
    const step = Math.ceil(bytes.length / pieces);
    for (let i = 0; i < pieces; i++) {
      fs.appendFileSync(target, bytes.subarray(i * step, (i + 1) * step));
      for (let k = 0; k < 4; k++) await clock.step(gate.done); // 400 ms: under the window
      expect(fs.readdirSync(ws.outbox)).toEqual([]);
    }
    const published = path.join(ws.outbox, 'slow.dmp');
    const polls = 4 + (await clock.stepUntil(() => fs.existsSync(published), 100, gate.done));
    expect(fs.existsSync(published)).toBe(true);
    // since the last piece: the window (10 polls of 100 ms), and not much more
    expect(polls).toBeGreaterThanOrEqual(10);
    expect(polls).toBeLessThanOrEqual(12);
    const result = await gate.stop();

    const copy = fs.readFileSync(published);
    expect(copy.length).toBe(bytes.length);
    expect(leaks(copy.toString('latin1'), body)).toBe(0);
    expect(fs.existsSync(target)).toBe(false);
    expect(result.exitCode).toBe(0);
    const audit = fs
      .readFileSync(ws.audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ event: 'published', file: 'slow.dmp', verdict: 'redacted-verified', original: 'deleted', exitCode: 0 });
    expect(audit[0].findings).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(audit) + gate.log.join('\n'), body)).toBe(0);
  }, 30_000);

  it.skipIf(!fs.existsSync('/proc/self/fdinfo'))(
    'waits while a process still holds the file open for writing',
    async () => {
      const ws = workspace();
      const clock = new StepClock();
      const gate = startGate(ws, 0.3, { clock });
      const target = path.join(ws.inbox, 'held.dmp');
      // this process is the writer: /proc lists it like any other
      const fd = fs.openSync(target, 'w');
      fs.writeSync(fd, Buffer.alloc(64 * 1024, 0x41));
      for (let k = 0; k < 15; k++) await clock.step(gate.done); // five windows, still open for writing
      expect(fs.readdirSync(ws.outbox)).toEqual([]);
      expect(fs.existsSync(target)).toBe(true);
      fs.closeSync(fd);
      const published = path.join(ws.outbox, 'held.dmp');
      await clock.stepUntil(() => fs.existsSync(published), 50, gate.done);
      expect(fs.existsSync(published)).toBe(true);
      const result = await gate.stop();
      expect(result.exitCode).toBe(0);
    },
    30_000,
  );

  it('never overwrites an existing copy in the outbox', async () => {
    const ws = workspace();
    fs.writeFileSync(path.join(ws.outbox, 'same.bin'), 'older copy');
    fs.writeFileSync(path.join(ws.inbox, 'same.bin'), Buffer.alloc(4096, 0x42));
    const clock = new StepClock();
    const gate = startGate(ws, 0, { clock });
    await clock.stepUntil(() => fs.existsSync(path.join(ws.outbox, 'same.1.bin')), 50, gate.done);
    expect(fs.existsSync(path.join(ws.outbox, 'same.1.bin'))).toBe(true);
    await gate.stop();
    expect(fs.readFileSync(path.join(ws.outbox, 'same.bin'), 'utf8')).toBe('older copy');
  }, 60_000);

  it('refuses an audit log that is a symbolic link, like every other writer: exit 3, the target untouched', async () => {
    const ws = workspace();
    const elsewhere = path.join(ws.root, 'elsewhere.txt');
    fs.writeFileSync(elsewhere, 'keep\n');
    fs.symlinkSync(elsewhere, ws.audit);
    fs.writeFileSync(path.join(ws.inbox, 'a.bin'), Buffer.alloc(4096, 0x42));
    const log: string[] = [];
    const r = await runGate({
      inbox: ws.inbox,
      outbox: ws.outbox,
      quarantine: ws.quarantine,
      once: true,
      originals: 'delete',
      auditLog: ws.audit,
      stableSeconds: 0,
      maxWaitSeconds: 60,
      scrub: makeOptions({ jobs: 1 }),
      log: (l) => log.push(l),
      pollMs: 20,
    });
    expect(r.records.map((x) => x.event)).toEqual(['published']);
    expect(r.exitCode).toBe(3);
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('keep\n');
    expect(fs.lstatSync(ws.audit).isSymbolicLink()).toBe(true);
    expect(log.join('\n')).toMatch(/FAILED .*audit log: cannot append to .*symlink refused/);
  });
});

describe('dumpscrub gate --once (CLI)', () => {
  async function run(args: string[], cwd = ROOT) {
    const r = await runCliHere(['gate', ...args], { cwd });
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  }

  it('publishes verified copies, quarantines failures 0600 with a reason, retains originals, audits, exits with the worst', async () => {
    const ws = workspace();
    const { bytes, body } = dumpWithKey();
    fs.writeFileSync(path.join(ws.inbox, 'good.dmp'), bytes);
    // not a valid gzip stream: the scrub cannot even start, so it must be quarantined, not published
    fs.writeFileSync(path.join(ws.inbox, 'broken.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), randomBytes(64)]));
    const old = new Date(Date.now() - 60_000);
    for (const f of fs.readdirSync(ws.inbox)) fs.utimesSync(path.join(ws.inbox, f), old, old);

    const r = await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--quarantine', ws.quarantine, '--once', '--retain-originals', '--audit-log', ws.audit, '--stable-seconds', '1']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/published good\.dmp/);
    expect(r.stderr).toMatch(/QUARANTINED broken\.gz/);

    expect(fs.readdirSync(ws.outbox)).toEqual(['good.dmp']);
    expect(leaks(fs.readFileSync(path.join(ws.outbox, 'good.dmp')).toString('latin1'), body)).toBe(0);

    const retained = path.join(ws.inbox, '.dumpscrub-originals', 'good.dmp');
    expect(fs.existsSync(retained)).toBe(true);
    expect((fs.statSync(retained).mode & 0o777).toString(8)).toBe('600');

    const held = path.join(ws.quarantine, 'broken.gz');
    expect((fs.statSync(held).mode & 0o777).toString(8)).toBe('600');
    const reason = fs.readFileSync(`${held}.reason.txt`, 'utf8');
    expect(reason).toMatch(/verdict: io-error/);
    expect((fs.statSync(`${held}.reason.txt`).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readdirSync(ws.inbox).filter((n) => !n.startsWith('.'))).toEqual([]);

    const audit = fs
      .readFileSync(ws.audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.map((a) => [a.file, a.event, a.exitCode]).sort()).toEqual([
      ['broken.gz', 'quarantined', 3],
      ['good.dmp', 'published', 0],
    ]);
    expect(leaks(fs.readFileSync(ws.audit, 'utf8') + r.stderr + reason, body)).toBe(0);
  }, 60_000);

  it('leaves a file that never settles in the inbox and exits 3', async () => {
    const ws = workspace();
    fs.writeFileSync(path.join(ws.inbox, 'fresh.dmp'), Buffer.alloc(1024));
    const r = await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--once', '--stable-seconds', '30', '--max-wait', '1', '--audit-log', ws.audit]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/did not settle/);
    expect(fs.existsSync(path.join(ws.inbox, 'fresh.dmp'))).toBe(true);
    expect(fs.readdirSync(ws.outbox)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(ws.audit, 'utf8')).event).toBe('pending');
  }, 30_000);

  it('never follows a symlink dropped into the inbox', async () => {
    const ws = workspace();
    const outside = path.join(ws.root, 'secret.dmp');
    fs.writeFileSync(outside, dumpWithKey().bytes);
    fs.symlinkSync(outside, path.join(ws.inbox, 'link.dmp'));
    const r = await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--once', '--stable-seconds', '0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ignoring link\.dmp: not a regular file \(symlink\)/);
    expect(fs.readdirSync(ws.outbox)).toEqual([]);
    expect(fs.lstatSync(path.join(ws.inbox, 'link.dmp')).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(outside)).toBe(true);
  });

  it('exits 0 on an empty inbox and 2 on contradictory or bad settings', async () => {
    const ws = workspace();
    expect((await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--once'])).code).toBe(0);
    expect((await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--once', '--retain-originals', '--delete-originals'])).code).toBe(2);
    expect((await run(['--inbox', ws.inbox, '--outbox', ws.inbox, '--once'])).code).toBe(2);
    expect((await run(['--inbox', ws.inbox, '--once'])).code).toBe(2);
    expect((await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--once', '--stable-seconds', 'soon'])).code).toBe(2);
    fs.writeFileSync(path.join(ws.root, 'bad.json'), '{"gate":{"stableSeconds":-1}}');
    const bad = await run(['--inbox', ws.inbox, '--outbox', ws.outbox, '--once', '--config', path.join(ws.root, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/gate\.stableSeconds: expected a number >= 0/);
  }, 60_000);
});

describe('a fleet of gate workers on one inbox', () => {
  /** Small dumps, every third with a password made now; all old enough to be stable at once. */
  function fill(inbox: string, n: number): string[] {
    const secrets: string[] = [];
    const old = new Date(Date.now() - 60_000);
    for (let i = 0; i < n; i++) {
      const bytes = Buffer.alloc(8 * 1024, 0x20);
      if (i % 3 === 0) {
        const s = randomBytes(18).toString('base64url');
        secrets.push(s);
        bytes.write(`\0db_password=${s}\0`, 4000, 'latin1');
      }
      const p = path.join(inbox, `d${String(i).padStart(3, '0')}.dmp`);
      fs.writeFileSync(p, bytes);
      fs.utimesSync(p, old, old);
    }
    return secrets;
  }

  const gateOpts = (ws: ReturnType<typeof workspace>, workerId: string) => ({
    inbox: ws.inbox,
    outbox: ws.outbox,
    quarantine: ws.quarantine,
    once: true,
    originals: 'delete' as const,
    auditLog: ws.audit,
    stableSeconds: 0,
    maxWaitSeconds: 60,
    scrub: makeOptions({ jobs: 1 }),
    log: () => undefined,
    pollMs: 20,
    workerId,
  });

  it('two --once workers on one inbox process each dump exactly once, with no failures', async () => {
    const ws = workspace();
    fill(ws.inbox, 12);
    const [a, b] = await Promise.all([runGate(gateOpts(ws, 'a')), runGate(gateOpts(ws, 'b'))]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const published = [...a.records, ...b.records].filter((r) => r.event === 'published').map((r) => r.file);
    expect(published.length).toBe(12);
    expect(new Set(published).size).toBe(12);
    expect(fs.readdirSync(ws.outbox).sort()).toEqual([...published].sort());
    expect(fs.readdirSync(ws.inbox)).toEqual([]);
  });

  it("a dead worker's claims go back: a claimed dump is scrubbed again, a verified copy is published once", async () => {
    const ws = workspace();
    const claims = path.join(ws.inbox, '.dumpscrub-claims', 'gone-1');
    fs.mkdirSync(path.join(claims, 'files'), { recursive: true });
    // another host's worker whose lease stopped long ago
    fs.writeFileSync(path.join(claims, 'lease'), JSON.stringify({ host: 'elsewhere', pid: 1 }));
    const long = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(claims, 'lease'), long, long);
    const { bytes, body } = dumpWithKey(16 * 1024);
    fs.writeFileSync(path.join(claims, 'files', 'half.dmp'), bytes);
    // killed after verifying `done.dmp` but before removing its original and publishing the copy
    fs.writeFileSync(path.join(claims, 'files', 'done.dmp'), bytes);
    const work = path.join(ws.outbox, '.dumpscrub-work', 'gone-1');
    fs.mkdirSync(path.join(work, 'done.dmp'), { recursive: true });
    fs.writeFileSync(path.join(work, 'done.dmp', 'out'), Buffer.alloc(bytes.length, 0x2a));
    fs.mkdirSync(path.join(work, 'half.dmp'));
    fs.writeFileSync(path.join(work, 'half.dmp', '.dumpscrub-tmp-1-aaaaaaaaaaaa-out'), bytes.subarray(0, 100));

    const r = await runGate({ ...gateOpts(ws, 'alive'), claimTimeoutSeconds: 30 });
    expect(r.exitCode).toBe(0);
    expect(fs.readdirSync(ws.outbox).sort()).toEqual(['done.dmp', 'half.dmp']);
    expect(fs.readFileSync(path.join(ws.outbox, 'done.dmp')).every((x) => x === 0x2a)).toBe(true);
    expect(leaks(fs.readFileSync(path.join(ws.outbox, 'half.dmp')).toString('latin1'), body)).toBe(0);
    expect(fs.readdirSync(ws.inbox)).toEqual([]);
  });

  it("a live worker's claims are left alone", async () => {
    const ws = workspace();
    const claims = path.join(ws.inbox, '.dumpscrub-claims', 'busy-1');
    fs.mkdirSync(path.join(claims, 'files'), { recursive: true });
    fs.writeFileSync(path.join(claims, 'lease'), JSON.stringify({ host: 'elsewhere', pid: 1 }));
    fs.writeFileSync(path.join(claims, 'files', 'x.dmp'), Buffer.alloc(1024));
    const r = await runGate({ ...gateOpts(ws, 'other'), claimTimeoutSeconds: 30 });
    expect(r.exitCode).toBe(0);
    expect(fs.readdirSync(ws.outbox)).toEqual([]);
    expect(fs.existsSync(path.join(claims, 'files', 'x.dmp'))).toBe(true);
  });

  it('4 workers x 100 dumps, one SIGKILLed midway: every dump is published exactly once', async () => {
    const ws = workspace();
    const secrets = fill(ws.inbox, 100);
    const names = fs.readdirSync(ws.inbox).sort();
    const workers = [0, 1, 2, 3].map((i) => {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'gate',
          '--inbox',
          ws.inbox,
          '--outbox',
          ws.outbox,
          '--quarantine',
          ws.quarantine,
          '--stable-seconds',
          '0',
          '--claim-timeout',
          '3',
          '--worker-id',
          `w${i}`,
          '--audit-log',
          ws.audit,
          '-q',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      return { child, exited, stderr: () => stderr };
    });
    const published = () => fs.readdirSync(ws.outbox).filter((n) => !n.startsWith('.'));
    try {
      expect(await waitFor(() => published().length >= 20, 120_000)).toBe(true);
      workers[0].child.kill('SIGKILL');
      expect(published().length).toBeLessThan(100);
      expect((await workers[0].exited).signal).toBe('SIGKILL');
      expect(await waitFor(() => published().length >= 100, 240_000)).toBe(true);
      await sleep(500);
    } finally {
      for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    }
    for (const w of workers.slice(1)) expect((await w.exited).code).toBe(0);
    expect(published().sort()).toEqual(names);
    for (const n of names) expect(leaks(fs.readFileSync(path.join(ws.outbox, n)).toString('latin1'), secrets)).toBe(0);
    expect(fs.readdirSync(ws.inbox).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(fs.existsSync(ws.quarantine) ? fs.readdirSync(ws.quarantine) : []).toEqual([]);
    expect(workers.map((w) => w.stderr()).join('')).not.toMatch(/FAILED|QUARANTINED/);
  }, 400_000);
});

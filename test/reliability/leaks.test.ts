// Secrets never leak: every command, report format, failure path, audit log and quarantine listing — zero hits.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { leakCount, tempDir, runCliHere, runCli } from '../lead/cli-harness.js';
import { plant } from './util.js';

const FORMATS = ['text', 'json', 'jsonl', 'sarif'];

describe('no secret in any output, on success or failure', () => {
  it('scan/verify/scrub x text/json/jsonl/sarif, survivors + quarantine, io and usage errors, audit log', async () => {
    const dir = tempDir();
    const { file, secrets } = plant(dir, 'core.bin', 256 * 1024);
    // a second image whose copy cannot verify clean: a known "secret" made of the fill byte survives redaction
    const stars = '*'.repeat(24);
    const bytes = fs.readFileSync(file);
    Buffer.from(`\0${stars}\0`).copy(bytes, 200_000);
    const survivorFile = path.join(dir, 'survivor.bin');
    fs.writeFileSync(survivorFile, bytes);
    // the user's known-secrets file holds real secrets: reading it must not echo them
    const knownSecrets = path.join(dir, 'known.txt');
    fs.writeFileSync(knownSecrets, `${secrets[0]}\n`, { mode: 0o600 });
    const knownStars = path.join(dir, 'stars.txt');
    fs.writeFileSync(knownStars, `${stars}\n`, { mode: 0o600 });
    const quarantine = path.join(dir, 'quarantine');
    const audit = path.join(dir, 'audit.jsonl');
    const reports = path.join(dir, 'reports');
    fs.mkdirSync(reports);
    const outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir);
    const link = path.join(dir, 'link.bin');
    fs.symlinkSync(file, link);

    const outputs: Array<Buffer | string> = [];
    const labels: string[] = [];
    const codes = new Map<string, number>();
    const common = ['--verbose', '--summary', '--audit-log', audit, '--known-secret', knownSecrets];
    const cases: Array<[string, string[], Buffer?]> = [
      ['scan', ['scan', file]],
      ['verify', ['verify', file]],
      ['scrub', ['scrub', file, '-o', path.join(outDir, 'core.clean')]],
      ['survivor', ['scrub', survivorFile, '-o', path.join(outDir, 'survivor.clean'), '--fill-binary', '42', '--known-secret', knownStars, '--quarantine', quarantine]],
      ['dir-as-output', ['scrub', file, '-o', outDir]],
      ['no-such-dir', ['scrub', file, '--out-dir', path.join(dir, 'missing')]],
      ['missing-input', ['scan', path.join(dir, 'nope.bin')]],
      ['in-place-link', ['scrub', link, '--in-place']],
      ['stdin', ['scrub', '-', '-o', '-'], fs.readFileSync(file)],
      // an unreadable secrets file is named, its neighbours' contents never quoted
      ['missing-known-secret', ['scan', file, '--known-secret', path.join(dir, 'missing.txt')]],
    ];
    for (const format of FORMATS) {
      for (const [name, args, input] of cases) {
        const report = path.join(reports, `${name}.${format}`);
        // the report file path for two formats, the terminal for the other two (same renderer either way)
        const extra = name === 'stdin' || format === 'text' || format === 'jsonl' ? [] : ['--report', report];
        {
          const r = runCli([...args, ...common, '--format', format, ...extra], { input });
          codes.set(`${name}/${format}`, r.code);
          outputs.push(r.stdout, r.stderr);
          labels.push(`${name}/${format}/${extra.length}/stdout`, `${name}/${format}/${extra.length}/stderr`);
        }
      }
    }
    // the gate (it takes no fill flags, so both files publish; quarantine listings are covered above)
    const inbox = path.join(dir, 'inbox');
    const outbox = path.join(dir, 'outbox');
    const gateQ = path.join(dir, 'gate-quarantine');
    for (const d of [inbox, outbox, gateQ]) fs.mkdirSync(d);
    fs.copyFileSync(file, path.join(inbox, 'one.bin'));
    fs.copyFileSync(survivorFile, path.join(inbox, 'two.bin'));
    const gateLog = path.join(dir, 'gate-audit.jsonl');
    const g = await runCliHere(['gate', '--inbox', inbox, '--outbox', outbox, '--quarantine', gateQ, '--once', '--stable-seconds', '0', '--audit-log', gateLog, '--known-secret', knownSecrets]);
    codes.set('gate', g.code);
    outputs.push(g.stdout, g.stderr, fs.readFileSync(gateLog), fs.readdirSync(gateQ).join('\n'));
    labels.push('gate/stdout', 'gate/stderr', 'gate audit log', 'gate quarantine listing');
    for (const f of fs.readdirSync(gateQ).filter((n) => n.endsWith('.txt'))) {
      outputs.push(fs.readFileSync(path.join(gateQ, f)));
      labels.push(`gate reason file ${f}`);
    }

    for (const f of fs.readdirSync(reports)) {
      outputs.push(fs.readFileSync(path.join(reports, f)));
      labels.push(`report ${f}`);
    }
    outputs.push(fs.readFileSync(audit));
    labels.push('audit log');
    outputs.push(fs.readdirSync(quarantine).join('\n'));
    labels.push('quarantine listing');

    // the runs really did find, fail and quarantine what they should (else zero hits would prove nothing)
    expect(codes.get('scan/json')).toBe(1);
    expect(codes.get('scrub/json')).toBe(0);
    expect(codes.get('survivor/json')).toBe(1);
    expect(codes.get('dir-as-output/json')).toBe(2);
    expect(codes.get('missing-input/json')).toBe(3);
    expect(codes.get('in-place-link/json')).toBe(2);
    expect(codes.get('missing-known-secret/json')).toBe(2);
    expect(fs.readdirSync(quarantine).length).toBeGreaterThan(0);
    expect(codes.get('gate')).toBe(0);
    expect(fs.readdirSync(outbox).sort()).toEqual(['one.bin', 'two.bin']);
    expect(fs.readFileSync(audit, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(20);

    expect(leakCount(fs.readFileSync(file), secrets)).toBeGreaterThan(0); // the search does see planted secrets
    // names of the leaking outputs only, never the secret
    const leaking = outputs.flatMap((o, i) => (leakCount(o, secrets) ? [labels[i]] : []));
    expect(leaking).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});

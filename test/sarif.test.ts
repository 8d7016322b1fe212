import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_KEY, renderSarif, toUri } from '../src/report.js';
import { makeFixture } from './support/report-fixture.js';
import { validateSarif } from './support/sarif-subset.js';

const CLI = join(dirname(import.meta.dirname), 'dist', 'cli.js');

const RULES = [
  { id: 'pem-private-key', name: 'PEM private key', description: 'A PEM-armoured private key of any label.' },
  { id: 'generic-assignment', name: 'Secret assignment', description: 'password/secret/token = value.' },
  { id: 'pem-private-key', name: 'duplicate', description: 'dropped: ids must be unique' },
];

describe('renderSarif', () => {
  it('validates against the SARIF 2.1.0 schema subset we emit', () => {
    const { report } = makeFixture();
    const log = JSON.parse(renderSarif(report, RULES));
    expect(validateSarif(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
  });

  it('the validator itself rejects broken logs', () => {
    const { report } = makeFixture();
    const log = JSON.parse(renderSarif(report, RULES));
    const bad = structuredClone(log);
    delete bad.runs[0].results[0].message;
    bad.runs[0].results[1].level = 'fatal';
    bad.runs[0].results[2].locations[0].physicalLocation.region = { byteLength: -1 };
    bad.runs[0].tool.driver.rules.push({ ...bad.runs[0].tool.driver.rules[0] });
    bad.runs[0].invocations[0] = { exitCode: 1.5 };
    bad.runs[0].bogus = true;
    const errors = validateSarif(bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        '/runs/0/results/0: missing required message',
        '/runs/0/results/1/level: "fatal" not in enum',
        '/runs/0/results/2/locations/0/physicalLocation/region: matches none of anyOf',
        '/runs/0/results/2/locations/0/physicalLocation/region/byteLength: below minimum 0',
        '/runs/0/tool/driver/rules: items are not unique',
        '/runs/0/invocations/0: missing required executionSuccessful',
        '/runs/0/invocations/0/exitCode: expected integer, got number',
        '/runs/0: unexpected property bogus',
      ]),
    );
  });

  it('lists rules in tool.driver.rules and points results at them by ruleId and ruleIndex', () => {
    const { report } = makeFixture();
    const run = JSON.parse(renderSarif(report, RULES)).runs[0];
    const rules = run.tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual(['pem-private-key', 'generic-assignment', 'aes-schedule']);
    expect(rules[0].shortDescription.text).toBe('PEM private key');
    for (const r of run.results) expect(rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.tool.driver.name).toBe('dumpscrub');
    expect(run.tool.driver.version).toBe('0.1.0');
  });

  it('carries byte offsets, lengths, artifact uris and fingerprints', () => {
    const { report } = makeFixture();
    const run = JSON.parse(renderSarif(report, RULES)).runs[0];
    const f = report.files[0].findings[1];
    const res = run.results.find((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY] === f.fingerprint);
    expect(res).toBeDefined();
    expect(res.level).toBe('error');
    const loc = res.locations[0].physicalLocation;
    expect(loc.region).toEqual({ byteOffset: f.start, byteLength: f.end - f.start });
    expect(loc.artifactLocation.uri).toBe('dumps/app%20one.dmp');
    expect(run.artifacts[loc.artifactLocation.index].location.uri).toBe(loc.artifactLocation.uri);
    expect(run.artifacts[loc.artifactLocation.index].hashes['sha-256']).toBe('a'.repeat(64));
    expect(res.message.text).toContain(`[${f.start}, ${f.end})`);
    expect(run.artifacts[1].location.uri).toBe('file:///srv/dumps/core.1234');
    const survivor = run.results.find((r: { properties: { phase: string } }) => r.properties.phase === 'verify');
    expect(survivor.message.text).toMatch(/survived verification/);
  });

  it('records the exit code in invocations and I/O errors as notifications', () => {
    const { report } = makeFixture();
    const run = JSON.parse(renderSarif(report, RULES)).runs[0];
    expect(run.invocations[0]).toMatchObject({ exitCode: 3, executionSuccessful: false });
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes.some((n: { level: string; message: { text: string } }) => n.level === 'error' && /input changed/.test(n.message.text))).toBe(true);
    const ok = JSON.parse(renderSarif({ ...report, exitCode: 1 }, RULES)).runs[0].invocations[0];
    expect(ok.executionSuccessful).toBe(true);
  });

  it('emits a valid empty run for a clean scan, and never the secret', () => {
    const { report, secret } = makeFixture();
    const empty = JSON.parse(renderSarif({ ...report, command: 'scan', files: [], exitCode: 0 }, []));
    expect(validateSarif(empty)).toEqual([]);
    expect(empty.runs[0].results).toEqual([]);
    expect(renderSarif(report, RULES).includes(secret)).toBe(false);
  });

  it('turns paths into uri-references', () => {
    expect(toUri('a b/c#d.dmp')).toBe('a%20b/c%23d.dmp');
    expect(toUri('/x/y z')).toBe('file:///x/y%20z');
  });
});

describe('dumpscrub scan --format sarif (CLI)', () => {
  it('writes a schema-valid log whose results point at the planted secret, without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dumpscrub-sarif-'));
    // random, but always upper+lower+digit so no validator can reject it by chance
    const password = `Zq7${randomBytes(12).toString('base64url')}`;
    const dump = Buffer.alloc(128 * 1024);
    const at = 40_000;
    dump.write(`\0db_password=${password}\0`, at, 'latin1');
    writeFileSync(join(dir, 'app.dmp'), dump);
    const r = spawnSync(process.execPath, [CLI, 'scan', 'app.dmp', '--format', 'sarif', '--report', 'out.sarif', '--summary'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^dumpscrub scan: 1 file, \d+ findings?, 0 survivors, exit 1$/m);
    const text = readFileSync(join(dir, 'out.sarif'), 'utf8');
    expect(text.includes(password)).toBe(false);
    const log = JSON.parse(text);
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0];
    expect(run.invocations[0]).toMatchObject({ exitCode: 1, executionSuccessful: true });
    const start = at + '\0db_password='.length;
    const hit = run.results.find(
      (x: { locations: Array<{ physicalLocation: { region: { byteOffset: number; byteLength: number } } }> }) =>
        x.locations[0].physicalLocation.region.byteOffset === start && x.locations[0].physicalLocation.region.byteLength === password.length,
    );
    expect(hit).toBeDefined();
    expect(hit.locations[0].physicalLocation.artifactLocation.uri).toBe('app.dmp');
    expect(run.tool.driver.rules[hit.ruleIndex].id).toBe(hit.ruleId);
    rmSync(dir, { recursive: true, force: true });
  });
});

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, globToRegExp, parseConfig, parseConfigText, pathAllowlisted, renderConfig, resolveConfigPaths } from '../src/config.js';
import { regionSelected } from '../src/options.js';
import { buildScrubOptions } from '../src/run-options.js';

const SRC = 'dumpscrub.config.json';
const CLI = join(dirname(import.meta.dirname), 'dist', 'cli.js');

/** A custom rule in the same shape as the built-in ones. */
const ACME_RULE = {
  id: 'acme-token',
  name: 'ACME API token',
  description: 'Tokens of the fictional ACME API.',
  family: 'custom',
  keywords: ['acme_'],
  pattern: 'acme_(?<secret>[a-z0-9]{32})',
  maxLen: 40,
};

function errorOf(json: unknown): string {
  try {
    parseConfig(json, SRC);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills every default from an empty object', async () => {
    const c = parseConfig({}, SRC);
    expect(c).toEqual(defaultConfig());
    expect(c.entropy).toBe('all');
    expect(c.fill).toEqual({ text: '*', binary: 0 });
    expect(c.allowlist).toEqual({ ruleIds: [], fingerprints: [], regexes: [], paths: [] });
    expect(c.report).toEqual({ format: 'text', summary: false, verbose: false, color: 'auto' });
    expect(c.gate).toEqual({ stableSeconds: 5, originals: 'delete' });
  });

  it('accepts a full config', async () => {
    const c = parseConfig(
      {
        $schema: './node_modules/dumpscrub/config.schema.json',
        rules: [ACME_RULE],
        allowlist: { ruleIds: ['jwt'], fingerprints: ['0123456789ab'], regexes: ['^EXAMPLE'], paths: ['**/fixtures/**'] },
        fill: { text: '#', binary: 255 },
        entropy: 'all',
        regions: { include: ['heap', 'stack'], exclude: ['image'] },
        report: { format: 'sarif', summary: true },
        knownKeys: ['keys/signing.pub.pem'],
        knownSecrets: ['secrets.txt'],
        jobs: 4,
        selfHunt: false,
        gate: { stableSeconds: 10, originals: 'retain', quarantine: 'q', auditLog: 'audit.jsonl' },
      },
      SRC,
    );
    expect(c.entropy).toBe('all');
    expect(c.report.format).toBe('sarif');
    expect(c.rules).toHaveLength(1);
  });

  it('names the field path and what was expected', async () => {
    expect(errorOf({ allowlist: { fingerprints: ['0123456789ab', 'abc', 'ABCDEF012345'] } })).toBe(
      ['dumpscrub.config.json: allowlist.fingerprints[1]: expected 12 lowercase hex characters', 'dumpscrub.config.json: allowlist.fingerprints[2]: expected 12 lowercase hex characters'].join('\n'),
    );
    expect(errorOf({ entropy: 'max' })).toBe('dumpscrub.config.json: entropy: expected one of "off", "context", "all", got "max"');
    expect(errorOf({ jobs: 'four' })).toBe('dumpscrub.config.json: jobs: expected number, got a string');
    expect(errorOf({ jobs: 1.5 })).toBe('dumpscrub.config.json: jobs: expected an integer, got a number');
    expect(errorOf({ jobs: 1000 })).toBe('dumpscrub.config.json: jobs: expected a number <= 256');
    expect(errorOf({ fill: { binary: 256 } })).toBe('dumpscrub.config.json: fill.binary: expected a number <= 255');
    expect(errorOf({ fill: { text: '**' } })).toMatch(/^dumpscrub\.config\.json: fill\.text: expected exactly one ASCII character/);
    expect(errorOf({ allowlsit: {} })).toBe('dumpscrub.config.json: (top level): unknown key "allowlsit"');
    expect(errorOf({ report: { format: 'xml' } })).toBe('dumpscrub.config.json: report.format: expected one of "text", "json", "jsonl", "sarif", got "xml"');
    expect(errorOf({ regions: { include: ['heap', 'kernel'] } })).toMatch(/^dumpscrub\.config\.json: regions\.include\[1\]: expected one of "memory"/);
    expect(errorOf({ allowlist: { regexes: ['(unclosed'] } })).toBe('dumpscrub.config.json: allowlist.regexes[0]: expected a valid regular expression (JavaScript, u flag)');
    expect(errorOf({ rules: {} })).toBe('dumpscrub.config.json: rules: expected array, got an object');
    expect(errorOf([])).toBe('dumpscrub.config.json: (top level): expected object, got an array');
  });

  it('validates custom rules with the built-in rule schema', async () => {
    expect(errorOf({ rules: [{ ...ACME_RULE, pattern: 'acme_[a-z0-9]+' }] })).toMatch(/^dumpscrub\.config\.json: rules\[0\]\.pattern: unbounded quantifier '\+'/);
    const { description: _d, ...noDescription } = ACME_RULE;
    expect(errorOf({ rules: [noDescription] })).toBe('dumpscrub.config.json: rules[0].description: expected string, got nothing');
    expect(errorOf({ rules: [ACME_RULE, ACME_RULE] })).toBe('dumpscrub.config.json: rules[1].id: duplicate rule id "acme-token"');
    expect(errorOf({ rules: [{ ...ACME_RULE, id: 'Bad Id' }] })).toMatch(/^dumpscrub\.config\.json: rules\[0\]\.id: /);
  });

  it('reports bad JSON with the file name', async () => {
    expect(() => parseConfigText('{ "entropy": ', 'my.json')).toThrow(/^my\.json: not valid JSON/);
    expect(parseConfigText('\uFEFF{"entropy":"off"}', 'bom.json').entropy).toBe('off');
  });
});

describe('config mapping', () => {
  it('maps onto ScrubOptions that zod accepts', async () => {
    const c = parseConfig({ entropy: 'off', fill: { text: '#' }, jobs: 2, allowlist: { ruleIds: ['jwt'] }, selfHunt: false }, SRC);
    const opts = await buildScrubOptions({ entropy: c.entropy, jobs: c.jobs, fill: c.fill, knownKeys: c.knownKeys, knownSecrets: c.knownSecrets }, c);
    expect(opts.entropy).toBe('off');
    expect(opts.fill).toEqual({ text: '#', binary: 0 });
    expect(opts.jobs).toBe(2);
    expect(opts.selfHunt).toBe(false);
    expect(opts.allowlist.ruleIds).toEqual(['jwt']);
  });

  it('resolves file lists relative to the config file', async () => {
    const c = resolveConfigPaths(parseConfig({ knownKeys: ['k.pem', '/abs/k2.pem'], gate: { auditLog: 'logs/a.jsonl' } }, SRC), '/etc/ds/dumpscrub.config.json');
    expect(c.knownKeys).toEqual(['/etc/ds/k.pem', '/abs/k2.pem']);
    expect(c.gate.auditLog).toBe('/etc/ds/logs/a.jsonl');
  });

  it('prints the effective config as JSON with its source', async () => {
    const out = JSON.parse(renderConfig(parseConfig({ $schema: 'x', entropy: 'all' }, SRC), '/w/dumpscrub.config.json'));
    expect(out.source).toBe('/w/dumpscrub.config.json');
    expect(out.entropy).toBe('all');
    expect(out).not.toHaveProperty('$schema');
    expect(JSON.parse(renderConfig(defaultConfig(), null)).source).toBeNull();
  });
});

describe('region selection', () => {
  it('reports everything by default, honours include and lets exclude win', async () => {
    expect(regionSelected('heap', { include: [], exclude: [] })).toBe(true);
    expect(regionSelected('heap', { include: ['stack'], exclude: [] })).toBe(false);
    expect(regionSelected('stack', { include: ['stack'], exclude: [] })).toBe(true);
    expect(regionSelected('stack', { include: ['stack'], exclude: ['stack'] })).toBe(false);
    expect(regionSelected('raw', { include: [], exclude: ['image'] })).toBe(true);
  });
});

describe('path allowlist globs', () => {
  it('matches **, *, ? and {a,b}', async () => {
    expect(globToRegExp('**/fixtures/**').test('a/b/fixtures/x.dmp')).toBe(true);
    expect(globToRegExp('**/fixtures/**').test('fixtures/x.dmp')).toBe(true);
    expect(globToRegExp('*.dmp').test('a/x.dmp')).toBe(false);
    expect(globToRegExp('core.?').test('core.1')).toBe(true);
    expect(globToRegExp('*.{dmp,core}').test('x.core')).toBe(true);
    expect(pathAllowlisted('dumps/test.dmp', ['*.dmp'])).toBe(true);
    expect(pathAllowlisted('dumps/test.core', ['*.dmp'])).toBe(false);
    expect(pathAllowlisted('dumps/test.dmp', ['other/*.dmp'])).toBe(false);
    expect(pathAllowlisted('x', [])).toBe(false);
  });
});

describe('config through the CLI', () => {
  function setup(config: unknown) {
    const dir = mkdtempSync(join(tmpdir(), 'dumpscrub-config-'));
    const token = randomBytes(16).toString('hex');
    writeFileSync(join(dir, 'dumpscrub.config.json'), JSON.stringify(config));
    const dump = Buffer.alloc(64 * 1024);
    dump.write(`\0ref:acme_${token}\0`, 30_000, 'latin1');
    writeFileSync(join(dir, 'app.dmp'), dump);
    return { dir, token };
  }
  const cli = (dir: string, args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('finds with a custom rule, allowlists it in scan, but scrub still redacts it', async () => {
    const { dir, token } = setup({ rules: [ACME_RULE], entropy: 'off' });
    const scan = cli(dir, ['scan', 'app.dmp', '--format', 'json']);
    expect(scan.code).toBe(1);
    const finding = JSON.parse(scan.stdout).files[0].findings.find((f: { ruleId: string }) => f.ruleId === 'acme-token');
    expect(finding).toMatchObject({ ruleId: 'acme-token', start: 30_000 + 10, end: 30_000 + 10 + 32 });
    expect(scan.stdout.includes(token)).toBe(false);
    const sarif = JSON.parse(cli(dir, ['scan', 'app.dmp', '--format', 'sarif']).stdout);
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules[sarif.runs[0].results[0].ruleIndex]).toMatchObject({ id: 'acme-token', name: 'ACME API token' });

    writeFileSync(join(dir, 'dumpscrub.config.json'), JSON.stringify({ rules: [ACME_RULE], entropy: 'off', allowlist: { ruleIds: ['acme-token'] } }));
    expect(cli(dir, ['scan', 'app.dmp']).code).toBe(0);
    const scrub = cli(dir, ['scrub', 'app.dmp', '-o', 'clean.dmp']);
    expect(scrub.code).toBe(0);
    expect(readFileSync(join(dir, 'clean.dmp')).includes(Buffer.from(token))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes report defaults from the file, lets flags win, and skips allowlisted paths', async () => {
    const { dir } = setup({ rules: [ACME_RULE], entropy: 'off', report: { format: 'json', summary: true }, allowlist: { paths: ['*.skip'] } });
    const r = cli(dir, ['scan', 'app.dmp']);
    expect(JSON.parse(r.stdout).schema).toBe('dumpscrub.report/v1');
    expect(r.stderr).toMatch(/^dumpscrub scan: 1 file, 1 finding, 0 survivors, exit 1$/m);
    expect(cli(dir, ['scan', 'app.dmp', '--format', 'text']).stdout).toMatch(/acme-token/);
    writeFileSync(join(dir, 'other.skip'), Buffer.alloc(10));
    const skipped = cli(dir, ['scan', 'other.skip', '--format', 'text']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/skipping other\.skip \(allowlist\.paths\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('config --print shows the effective config; a bad file or a missing --config exits 2', async () => {
    const { dir } = setup({ entropy: 'all' });
    const printed = cli(dir, ['config', '--print']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ source: join(realpathSync(dir), 'dumpscrub.config.json'), entropy: 'all' });
    writeFileSync(join(dir, 'dumpscrub.config.json'), JSON.stringify({ allowlist: { fingerprints: ['zz'] } }));
    const bad = cli(dir, ['scan', 'app.dmp']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('dumpscrub: dumpscrub.config.json: allowlist.fingerprints[0]: expected 12 lowercase hex characters\n');
    expect(cli(dir, ['--config', 'missing.json', 'scan', 'app.dmp']).code).toBe(2);
    expect(cli(dir, ['config', '--config', 'missing.json']).code).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});

import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configToOptions,
  defaultConfig,
  globToRegExp,
  parseConfig,
  parseConfigText,
  pathAllowlisted,
  renderConfig,
  resolveConfigPaths,
} from '../src/config.js';
import { makeOptions } from '../src/options.js';

const SRC = 'dumpscrub.config.json';

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
  it('fills every default from an empty object', () => {
    const c = parseConfig({}, SRC);
    expect(c).toEqual(defaultConfig());
    expect(c.entropy).toBe('context');
    expect(c.fill).toEqual({ text: '*', binary: 0 });
    expect(c.allowlist).toEqual({ ruleIds: [], fingerprints: [], regexes: [], paths: [] });
    expect(c.report).toEqual({ format: 'text', summary: false, verbose: false, color: 'auto' });
    expect(c.gate).toEqual({ stableSeconds: 5, originals: 'delete' });
  });

  it('accepts a full config', () => {
    const c = parseConfig(
      {
        $schema: './node_modules/dumpscrub/config.schema.json',
        rules: [{ id: 'acme-token', name: 'ACME token', keywords: ['acme_'], pattern: 'acme_[a-z0-9]{32}' }],
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

  it('names the field path and what was expected', () => {
    expect(errorOf({ allowlist: { fingerprints: ['0123456789ab', 'abc', 'ABCDEF012345'] } })).toBe(
      [
        'dumpscrub.config.json: allowlist.fingerprints[1]: expected 12 lowercase hex characters',
        'dumpscrub.config.json: allowlist.fingerprints[2]: expected 12 lowercase hex characters',
      ].join('\n'),
    );
    expect(errorOf({ entropy: 'max' })).toBe('dumpscrub.config.json: entropy: expected one of "off", "context", "all", got "max"');
    expect(errorOf({ jobs: 'four' })).toBe('dumpscrub.config.json: jobs: expected number, got a string');
    expect(errorOf({ jobs: 1.5 })).toBe('dumpscrub.config.json: jobs: expected an integer, got a number');
    expect(errorOf({ jobs: 1000 })).toBe('dumpscrub.config.json: jobs: expected a number <= 256');
    expect(errorOf({ fill: { binary: 256 } })).toBe('dumpscrub.config.json: fill.binary: expected a number <= 255');
    expect(errorOf({ fill: { text: '**' } })).toMatch(/^dumpscrub\.config\.json: fill\.text: expected exactly one ASCII character/);
    expect(errorOf({ allowlsit: {} })).toBe('dumpscrub.config.json: (top level): unknown key "allowlsit"');
    expect(errorOf({ report: { format: 'xml' } })).toBe(
      'dumpscrub.config.json: report.format: expected one of "text", "json", "jsonl", "sarif", got "xml"',
    );
    expect(errorOf({ regions: { include: ['heap', 'kernel'] } })).toMatch(/^dumpscrub\.config\.json: regions\.include\[1\]: expected one of "memory"/);
    expect(errorOf({ allowlist: { regexes: ['(unclosed'] } })).toBe(
      'dumpscrub.config.json: allowlist.regexes[0]: expected a valid regular expression (JavaScript, u flag)',
    );
    expect(errorOf({ rules: {} })).toBe('dumpscrub.config.json: rules: expected array, got an object');
    expect(errorOf([])).toBe('dumpscrub.config.json: (top level): expected object, got an array');
  });

  it('reports bad JSON with the file name', () => {
    expect(() => parseConfigText('{ "entropy": ', 'my.json')).toThrow(/^my\.json: not valid JSON/);
    expect(parseConfigText('\uFEFF{"entropy":"off"}', 'bom.json').entropy).toBe('off');
  });
});

describe('config mapping', () => {
  it('maps onto ScrubOptions that zod accepts', () => {
    const c = parseConfig({ entropy: 'off', fill: { text: '#' }, jobs: 2, allowlist: { ruleIds: ['jwt'] }, selfHunt: false }, SRC);
    const { input, extraRules } = configToOptions(c);
    const opts = makeOptions(input, { extraRules });
    expect(opts.entropy).toBe('off');
    expect(opts.fill).toEqual({ text: '#', binary: 0 });
    expect(opts.jobs).toBe(2);
    expect(opts.selfHunt).toBe(false);
    expect(opts.allowlist.ruleIds).toEqual(['jwt']);
  });

  it('resolves file lists relative to the config file', () => {
    const c = resolveConfigPaths(parseConfig({ knownKeys: ['k.pem', '/abs/k2.pem'], gate: { auditLog: 'logs/a.jsonl' } }, SRC), '/etc/ds/dumpscrub.config.json');
    expect(c.knownKeys).toEqual(['/etc/ds/k.pem', '/abs/k2.pem']);
    expect(c.gate.auditLog).toBe('/etc/ds/logs/a.jsonl');
  });

  it('prints the effective config as JSON with its source', () => {
    const out = JSON.parse(renderConfig(parseConfig({ $schema: 'x', entropy: 'all' }, SRC), '/w/dumpscrub.config.json'));
    expect(out.source).toBe('/w/dumpscrub.config.json');
    expect(out.entropy).toBe('all');
    expect(out).not.toHaveProperty('$schema');
    expect(JSON.parse(renderConfig(defaultConfig(), null)).source).toBeNull();
  });
});

describe('path allowlist globs', () => {
  it('matches **, *, ? and {a,b}', () => {
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

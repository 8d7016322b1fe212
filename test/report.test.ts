import { describe, expect, it } from 'vitest';
import { decideColor, formatBytes, renderJson, renderJsonl, renderJsonlEnd, renderSummary, renderText, REPORT_SCHEMA, safeText } from '../src/report.js';
import { makeFixture } from './support/report-fixture.js';
import type { Report } from '../src/types.js';

const ESC = '\u001b';

describe('renderText', () => {
  it('fits 100 columns: long paths, regions, notes and errors are cut or wrapped, not spilled', () => {
    const { report } = makeFixture();
    const f = report.files[0].findings[0];
    const long: Report = {
      ...report,
      files: [
        {
          ...report.files[0],
          file: `dumps/${'deep/'.repeat(40)}core.1234`,
          findings: [{ ...f, ruleId: 'sidekiq-enterprise-credentials', region: `image of /usr/lib/${'x'.repeat(150)}.so`, note: 'n'.repeat(120) }],
          error: `${'word '.repeat(60)}end`,
          warnings: [`${'warning '.repeat(40)}end`],
        },
      ],
    };
    for (const verbose of [false, true]) {
      const out = renderText(long, { color: false, verbose });
      for (const l of out.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
      expect(out).toContain(f.fingerprint);
      expect(out).toMatch(/ end$/m);
    }
  });

  it('groups findings by file with hex+decimal offset, half-open span, region, rule, fingerprint, preview', () => {
    const { report } = makeFixture();
    const out = renderText(report, { color: false });
    const f = report.files[0].findings[0];
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.includes(f.fingerprint));
    const line = lines[at];
    expect(line).toContain('0x00001000');
    expect(line).toContain('(4096)');
    expect(line).toContain(`[${f.start}, ${f.end})`);
    expect(line).toContain('generic-assignment');
    expect(line).toContain(f.preview);
    expect(lines[at + 1]).toContain('in stack of thread 3');
    expect(lines[at + 1]).toContain('@0x7ffd12340000');
    // File header precedes its findings; each file ends with a verdict line.
    expect(out.indexOf('dumps/app one.dmp')).toBeLessThan(out.indexOf(f.fingerprint));
    expect(out).toContain('✗ secrets found (2 findings, 5.0 MiB, minidump, 42 ms)');
    expect(out).toContain('✓ clean (0 findings');
    expect(out).toContain('SURVIVED verification');
    expect(out).toContain('survived verification in the written copy:');
    expect(out).toContain('error: input changed during the run');
    expect(out.trimEnd().split('\n').at(-1)).toBe('4 files, 3 findings, 1 survivor — exit 3');
  });

  it('emits no ANSI escapes without colour, and some with it', () => {
    const { report } = makeFixture();
    const plain = renderText(report, { color: false });
    expect(plain.includes(ESC)).toBe(false);
    const coloured = renderText(report, { color: true });
    expect(coloured.includes(`${ESC}[`)).toBe(true);
  });

  it('neutralises control characters in file names even with colour on', () => {
    const { report } = makeFixture();
    const out = renderText(report, { color: false });
    expect(out).toContain('evil\\x1b[31mname.bin');
    expect(safeText('a\u0007b\u009bc')).toBe('a\\x07b\\x9bc');
  });

  it('lists warnings and hashes only with verbose', () => {
    const { report } = makeFixture();
    const terse = renderText(report, { color: false });
    expect(terse).toContain('1 warning (--verbose to list)');
    expect(terse.includes('MemoryList range 2')).toBe(false);
    const verbose = renderText(report, { color: false, verbose: true });
    expect(verbose).toContain('warning: MemoryList range 2');
    expect(verbose).toContain(`sha256: ${'a'.repeat(64)}`);
    expect(verbose).toContain('output: evil.scrubbed.bin');
  });

  it('never renders a secret smuggled into a finding', () => {
    const { report, secret } = makeFixture();
    for (const out of [renderText(report, { color: true, verbose: true }), renderJson(report), ...report.files.map(renderJsonl), renderSummary(report)]) {
      expect(out.includes(secret)).toBe(false);
      expect(out.includes(Buffer.from(secret).toString('base64'))).toBe(false);
    }
  });
});

describe('decideColor', () => {
  it('follows --no-color, NO_COLOR, FORCE_COLOR, TERM=dumb and TTY in that order', () => {
    expect(decideColor({ env: {}, isTTY: true })).toBe(true);
    expect(decideColor({ env: {}, isTTY: false })).toBe(false);
    expect(decideColor({ env: { NO_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(decideColor({ env: { NO_COLOR: '' }, isTTY: true })).toBe(true);
    expect(decideColor({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(decideColor({ env: { FORCE_COLOR: '1' }, isTTY: false })).toBe(true);
    expect(decideColor({ env: { FORCE_COLOR: '' }, isTTY: false })).toBe(true);
    expect(decideColor({ env: { FORCE_COLOR: '0' }, isTTY: true })).toBe(false);
    expect(decideColor({ env: { FORCE_COLOR: '1' }, isTTY: true, flag: false })).toBe(false);
    expect(decideColor({ env: { TERM: 'dumb' }, isTTY: true })).toBe(false);
  });
});

describe('renderJson', () => {
  it('follows the documented schema', () => {
    const { report } = makeFixture();
    const doc = JSON.parse(renderJson(report));
    expect(doc.schema).toBe(REPORT_SCHEMA);
    expect(doc.tool).toEqual({ name: 'dumpscrub', version: '0.1.0' });
    expect(doc.command).toBe('scrub');
    expect(doc.exitCode).toBe(3);
    expect(doc.summary).toEqual({
      files: 4,
      findings: 3,
      survivors: 1,
      byVerdict: { 'secrets-found': 1, clean: 1, 'survived-verification': 1, 'io-error': 1 },
      byRule: { 'generic-assignment': 1, 'pem-private-key': 1, 'aes-schedule': 1 },
    });
    const f = doc.files[0].findings[0];
    expect(Object.keys(f).sort()).toEqual(['address', 'encoding', 'end', 'fingerprint', 'length', 'offsetHex', 'preview', 'region', 'ruleId', 'start'].sort());
    expect(f.length).toBe(f.end - f.start);
    expect(f.offsetHex).toBe('0x00001000');
    expect(doc.files[1]).not.toHaveProperty('survivors');
    expect(doc.files[2].survivors).toHaveLength(1);
    expect(doc.files[3].error).toMatch(/input changed/);
  });
});

describe('renderJsonl', () => {
  it('writes one finding per line then one file line, each valid JSON', () => {
    const { report } = makeFixture();
    const lines = renderJsonl(report.files[2])
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['finding', 'finding', 'file']);
    expect(lines[0].phase).toBe('scan');
    expect(lines[1].phase).toBe('verify');
    expect(lines[0].file).toBe(report.files[2].file);
    expect(lines[2]).toMatchObject({ type: 'file', verdict: 'survived-verification', findings: 1, survivors: 1 });
    const cleanLines = renderJsonl(report.files[1]).trimEnd().split('\n');
    expect(cleanLines).toHaveLength(1);
    const end = JSON.parse(renderJsonlEnd(report));
    expect(end).toMatchObject({ type: 'summary', exitCode: 3, files: 4, findings: 3 });
  });
});

describe('renderSummary', () => {
  it('counts per verdict and per rule in plain text', () => {
    const { report } = makeFixture();
    const out = renderSummary(report);
    expect(out).toBe(
      [
        'dumpscrub scrub: 4 files, 3 findings, 1 survivor, exit 3',
        '  verdicts: clean=1 io-error=1 secrets-found=1 survived-verification=1',
        '  rules:    aes-schedule=1 generic-assignment=1 pem-private-key=1',
        '',
      ].join('\n'),
    );
    expect(out.includes(ESC)).toBe(false);
  });

  it('says (none) for an empty run', () => {
    const out = renderSummary({ tool: { name: 'dumpscrub', version: '0' }, command: 'scan', files: [], exitCode: 0 });
    expect(out).toContain('verdicts: (none)');
    expect(out).toContain('rules:    (none)');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64 MiB');
  });
});

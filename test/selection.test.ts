// What scan reports out of what it found: the ignore file, the baseline, --enable/--disable-rule.
import { describe, expect, it } from 'vitest';
import { parseIgnoreFile } from '../src/ignore-file.js';
import { parseBaseline } from '../src/baseline.js';
import { applySelection } from '../src/selection.js';
import type { FileResult, Finding } from '../src/types.js';

const known = new Set(['jwt', 'entropy-token', 'pem-private-key']);
const finding = (ruleId: string, fingerprint: string): Finding => ({ start: 0, end: 8, ruleId, encoding: 'ascii', fingerprint, preview: '****', region: 'raw' });
const result = (findings: Finding[]): FileResult => ({ file: 'a.dmp', size: 10, format: 'raw', findings, verdict: 'secrets-found', warnings: [], durationMs: 1 });

describe('.dumpscrubignore', () => {
  it('reads fingerprints, rule ids and path globs, with comments and explicit prefixes', () => {
    const list = parseIgnoreFile('# known noise\nabcdef012345\njwt   # test tokens\ncrash/**/*.dmp\npath:core\nrule:entropy-token\n\n', '.dumpscrubignore', known);
    expect(list).toEqual({ fingerprints: ['abcdef012345'], ruleIds: ['jwt', 'entropy-token'], paths: ['crash/**/*.dmp', 'core'] });
  });

  it('refuses an unknown rule id with its line, instead of silently ignoring nothing', () => {
    expect(() => parseIgnoreFile('jwt\njwtt\n', '.dumpscrubignore', known)).toThrow(/\.dumpscrubignore:2: unknown rule id "jwtt"/);
    expect(() => parseIgnoreFile('rule:nope\n', 'x', known)).toThrow(/x:1: unknown rule id "nope"/);
    expect(() => parseIgnoreFile('fingerprint:ABC\n', 'x', known)).toThrow(/12 lowercase hex/);
  });
});

describe('baseline and rule selection', () => {
  it('drops findings whose rule and fingerprint are in the baseline; a file with none left is clean', () => {
    const base = parseBaseline(JSON.stringify({ files: [{ findings: [{ ruleId: 'jwt', fingerprint: 'aaaaaaaaaaaa' }] }] }), 'b.json');
    const same = applySelection(result([finding('jwt', 'aaaaaaaaaaaa')]), { enable: new Set(), disable: new Set(), baseline: base });
    expect(same.verdict).toBe('clean');
    expect(same.findings).toEqual([]);
    // the same fingerprint under another rule is new
    expect(applySelection(result([finding('pem-private-key', 'aaaaaaaaaaaa')]), { enable: new Set(), disable: new Set(), baseline: base }).verdict).toBe('secrets-found');
    expect(() => parseBaseline('{"tool":{}}', 'b.json')).toThrow(/--baseline b\.json: no "files" array/);
  });

  it('--enable-rule keeps only those ids, --disable-rule and the ignore file drop theirs', () => {
    const r = result([finding('jwt', '111111111111'), finding('entropy-token', '222222222222'), finding('pem-private-key', '333333333333')]);
    const ids = (s: Parameters<typeof applySelection>[1]) => applySelection(r, s).findings.map((f) => f.ruleId);
    expect(ids({ enable: new Set(['jwt']), disable: new Set() })).toEqual(['jwt']);
    expect(ids({ enable: new Set(), disable: new Set(['entropy-token']) })).toEqual(['jwt', 'pem-private-key']);
    expect(ids({ enable: new Set(), disable: new Set(), ignore: { fingerprints: ['333333333333'], ruleIds: ['jwt'], paths: [] } })).toEqual(['entropy-token']);
  });
});

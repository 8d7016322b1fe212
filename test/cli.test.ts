// The CLI as a package: version, help, rules listing.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, ROOT } from './lead/cli-harness.js';
import { VERSION } from '../src/version.js';

describe('cli', () => {
  it('--version matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString().trim()).toBe(pkg.version);
  });

  it('rules lists detectors and rules as text and JSON', () => {
    const text = runCli(['rules']);
    expect(text.code).toBe(0);
    const json = runCli(['rules', '--format', 'json']);
    expect(json.code).toBe(0);
    const rules = JSON.parse(json.stdout.toString()) as Array<{ id: string; name: string; kind: string }>;
    expect(rules.length).toBeGreaterThanOrEqual(150);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(text.stdout.toString()).toContain(r.id);
  });

  it('an unknown command is a usage error', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
  });
});

// From hits to findings: collapse by span, masked previews that never show secret text.
import { describe, expect, it } from 'vitest';
import { collapseHits, maskedPreview, specificity, toFinding } from '../src/findings.js';
import type { Hit } from '../src/types.js';

const hit = (ruleId: string, start: number, end: number, secret = 'x'.repeat(end - start)): Hit => ({
  ruleId,
  start,
  end,
  encoding: 'ascii',
  secret: Buffer.from(secret, 'latin1'),
});

describe('collapseHits', () => {
  it('keeps the most specific rule for one span and names the others', () => {
    const out = collapseHits([hit('entropy-context', 10, 30), hit('password-assignment', 10, 30), hit('github-personal-access-token', 10, 30)], specificity);
    expect(out).toHaveLength(1);
    expect(out[0].ruleId).toBe('github-personal-access-token');
    expect(out[0].note).toContain('password-assignment');
  });

  it('drops an entropy guess inside an explained span, keeps one outside', () => {
    const out = collapseHits([hit('pem-private-key', 0, 1000), hit('entropy-context', 100, 140), hit('entropy-context', 2000, 2040)], specificity);
    expect(out.map((h) => [h.ruleId, h.start])).toEqual([
      ['pem-private-key', 0],
      ['entropy-context', 2000],
    ]);
  });
});

describe('maskedPreview', () => {
  it('shows a public token prefix and the length, never the secret body', () => {
    expect(maskedPreview(hit('x', 0, 40, `ghp_${'A1b2'.repeat(9)}`))).toBe('ghp_****(40 chars)');
    const pw = 'Tr0ub4dor&3horseBattery';
    const p = maskedPreview(hit('password-assignment', 0, pw.length, pw));
    expect(p).toBe(`****(${pw.length} chars)`);
    expect(maskedPreview({ ...hit('der', 0, 1200), encoding: 'binary' })).toBe('<1200 bytes>');
  });

  it('a finding carries a 12-hex fingerprint and no secret bytes', () => {
    const f = toFinding(hit('jwt', 5, 25, 'eyJhbGciOiJIUzI1NiJ9.abc'), undefined);
    expect(f.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(f)).not.toContain('hbGciOi');
    expect(f.region).toBe('raw');
  });
});

// The catalog as users see it (`dumpscrub rules --format json`): ids, names, families and kinds,
// kept in a reviewed snapshot so adding, renaming or dropping a rule shows up in the diff.
// A deliberate change: `npx vitest run test/catalog-snapshot.test.ts -u`, then commit the snapshot.
import { describe, expect, it } from 'vitest';
import { runCliHere } from './lead/cli-harness.js';

describe('dumpscrub rules --format json', () => {
  it('lists the catalog recorded in test/__snapshots__/rules-catalog.json', async () => {
    const r = await runCliHere(['rules', '--format', 'json']);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout.toString()) as Array<{ id: string; name: string; family: string; kind: string }>;
    const listed = entries.map(({ id, name, family, kind }) => ({ id, name, family, kind }));
    // one line per entry: a renamed or dropped rule is one line of the diff
    const text = `[\n${listed.map((e) => `  ${JSON.stringify(e)}`).join(',\n')}\n]\n`;
    await expect(text).toMatchFileSnapshot('__snapshots__/rules-catalog.json');
  });
});

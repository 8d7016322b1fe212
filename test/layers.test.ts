// The layers of src/: a module imports only its own layer and the layers below it, and no two
// folders import each other. LAYERS is the one list; docs/architecture.md shows the same table.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');

/** Bottom first. An entry ending in '/' is a folder of src/, any other a file directly in src/. */
const LAYERS: ReadonlyArray<{ name: string; modules: readonly string[] }> = [
  { name: 'vocabulary', modules: ['types.ts', 'span.ts', 'version.ts', 'errors.ts'] },
  { name: 'effects', modules: ['io/', 'stable.ts'] },
  { name: 'rule data', modules: ['rules/'] },
  { name: 'byte views', modules: ['views/'] },
  { name: 'formats', modules: ['formats/'] },
  { name: 'codecs', modules: ['codec/'] },
  { name: 'keys', modules: ['keys/'] },
  { name: 'detectors', modules: ['detectors/'] },
  { name: 'chunk scan', modules: ['scan/'] },
  { name: 'worker pool', modules: ['workers/'] },
  { name: 'engine', modules: ['engine.ts'] },
  {
    name: 'pipeline',
    modules: [
      'options.ts',
      'run-options.ts',
      'config.ts',
      'baseline.ts',
      'ignore-file.ts',
      'selection.ts',
      'known.ts',
      'findings.ts',
      'found-values.ts',
      'redact.ts',
      'scrub.ts',
      'report.ts',
      'progress.ts',
      'audit.ts',
      'catalog.ts',
      'finding-ids.ts',
      'rules-check.ts',
      'exit.ts',
    ],
  },
  { name: 'entry points', modules: ['cli-pipelines.ts', 'cli-run.ts', 'cli.ts', 'gate-command.ts', 'gate.ts', 'index.ts', 'bin.ts'] },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The LAYERS entry a file of src/ falls under: its top folder, or its own name at the top. */
function unitOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? `${rel[0]}/` : rel[0];
}

const layerOf = new Map<string, number>(LAYERS.flatMap((l, i) => l.modules.map((m) => [m, i] as const)));

/** Relative imports of one file (static, re-exports, dynamic with a literal), resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2];
    found.push(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return found;
}

const files = sourceFiles(SRC);
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

describe('layers of src/', () => {
  it('finds the imports it checks', () => {
    // a parser that found nothing would pass every check below
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((e) => unitOf(e.from) === 'workers/' && unitOf(e.to) === 'scan/')).toBe(true);
  });

  it('every module of src/ belongs to a layer', () => {
    const missing = [...new Set(files.map(unitOf))].filter((u) => !layerOf.has(u));
    // a new folder or top-level file: add it to LAYERS here and to the table in docs/architecture.md
    expect(missing).toEqual([]);
  });

  it('every import resolves to a source file', () => {
    const known = new Set(files);
    expect(edges.filter((e) => !known.has(e.to)).map((e) => `${path.relative(SRC, e.from)} -> ${path.relative(SRC, e.to)}`)).toEqual([]);
  });

  it('no module imports a layer above its own', () => {
    const upward = edges
      .filter((e) => (layerOf.get(unitOf(e.to)) ?? -1) > (layerOf.get(unitOf(e.from)) ?? Infinity))
      .map((e) => `${path.relative(SRC, e.from)} (${LAYERS[layerOf.get(unitOf(e.from))!].name}) -> ${path.relative(SRC, e.to)} (${LAYERS[layerOf.get(unitOf(e.to))!].name})`);
    expect(upward).toEqual([]);
  });

  it('no import cycle between folders or top-level modules', () => {
    const next = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const a = unitOf(from);
      const b = unitOf(to);
      if (a !== b) (next.get(a) ?? next.set(a, new Set()).get(a)!).add(b);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (u: string, trail: string[]): void => {
      state.set(u, 'open');
      for (const v of next.get(u) ?? []) {
        if (state.get(v) === 'open') cycles.push([...trail.slice(trail.indexOf(v)), u, v].join(' -> '));
        else if (!state.has(v)) visit(v, [...trail, u]);
      }
      state.set(u, 'done');
    };
    for (const u of next.keys()) if (!state.has(u)) visit(u, []);
    expect(cycles).toEqual([]);
  });

  it('docs/architecture.md shows the same layers in the same order', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Layers'), doc.indexOf('\n## ', doc.indexOf('## Layers') + 1));
    const rows = section
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| layer') && !l.startsWith('|---'))
      .map((l) => l.split('|').map((c) => c.trim()));
    // a module is a backticked name ending in .ts or /; other backticked words in the cell are prose
    const table = rows.map((c) => ({ name: c[1], modules: [...c[2].matchAll(/`([^`]+(?:\.ts|\/))`/g)].map((m) => m[1]) }));
    expect(table).toEqual(LAYERS.map((l) => ({ name: l.name, modules: [...l.modules] })));
  });
});

// Second build step (after tsc): the command's entry (dist/cli.js) and the scan worker are bundled,
// so starting them reads a few files instead of ~180 ES modules (zod alone is 95). The command comes
// in two chunks beside cli.js: what every run needs (commander, flags, help text) and what it imports
// on demand (the pipeline), which --help and usage errors never load. The library (dist/index.js and
// the rest) stays one module per source file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const CHUNK = /^chunk-[\w-]+\.js(\.map)?$/;
const NOTICES = 'THIRD-PARTY-NOTICES.md';
/** Package folders whose code went into a bundle: their licences must travel with it. */
const bundledPackages = new Set();

if (fs.readFileSync(path.join(DIST, 'cli.js'), 'utf8').includes('from "./chunk-')) throw new Error('dist/ is bundled already: bundle the output of a fresh tsc run (npm run build)');
for (const f of fs.readdirSync(DIST)) if (CHUNK.test(f)) fs.rmSync(path.join(DIST, f));

/** dist/ files the entry imports statically, however deep (tsc output: `from './x.js'`, type imports erased). */
function staticClosure(entry) {
  const seen = new Set();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    if (!fs.existsSync(f)) throw new Error(`${path.relative(DIST, f)} missing: bundle the output of a fresh tsc run (npm run build)`);
    seen.add(f);
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) todo.push(path.resolve(path.dirname(f), m[1]));
  }
  return seen;
}

/** Bundles dist/<entry> in place; chunks land in dist/ itself, where the entry's relative URLs (the worker's) still hold. */
async function bundle(entry, split) {
  const out = await build({
    input: { [entry.replace(/\.js$/, '')]: path.join(DIST, entry) },
    platform: 'node',
    logLevel: 'warn',
    // the pipeline's own import() calls sit inside the chunk that is already loaded on demand
    checks: { ineffectiveDynamicImport: false },
    write: false,
    output: { format: 'esm', sourcemap: true, codeSplitting: split && splitGroups(path.join(DIST, entry)), entryFileNames: '[name].js', chunkFileNames: 'chunk-[name]-[hash].js' },
  });
  for (const o of out.output) {
    if (o.type === 'chunk' && !o.isEntry && !CHUNK.test(o.fileName)) throw new Error(`bundle of ${entry}: unexpected file ${o.fileName}`);
    if (o.type === 'chunk')
      for (const id of o.moduleIds) {
        const pkg = packageOf(id);
        if (pkg) bundledPackages.add(pkg);
      }
    fs.writeFileSync(path.join(DIST, o.fileName), o.type === 'chunk' ? o.code : o.source);
  }
}

/**
 * Two parts: what the entry needs at once (commander, flags, help text) and one chunk with everything
 * it loads on demand (the pipeline, zod, the detectors); modules both use stay in the first.
 */
function splitGroups(entry) {
  const eager = staticClosure(entry);
  // the entry module stays in the entry file: it runs main() only when import.meta.url is the file node ran
  const atOnce = (id) => id !== entry && (eager.has(id) || /[\\/]node_modules[\\/]commander[\\/]/.test(id));
  return {
    groups: [
      { name: 'cli-main', test: atOnce, priority: 2 },
      { name: 'cli-run', test: (id) => id !== entry && !atOnce(id) && !id.startsWith('\0'), priority: 1 },
    ],
  };
}

/** The node_modules package folder holding a module (the innermost, for nested installs), or undefined for our own code. */
function packageOf(id) {
  const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(id);
  return m?.[1];
}

/** One file beside the bundles with each bundled package's name, version, licence id and licence text. */
function writeNotices() {
  const parts = [
    '# Third-party notices',
    '',
    'The bundled files in this folder (`cli.js`, its `chunk-*.js` files and `workers/scan-worker.js`) contain code from these packages, under these licences.',
    '',
  ];
  for (const dir of [...bundledPackages].sort()) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    if (!file) throw new Error(`bundled package ${pkg.name} has no licence file: its notice cannot ship`);
    parts.push(`## ${pkg.name} ${pkg.version} (${pkg.license})`, '', '```', fs.readFileSync(path.join(dir, file), 'utf8').trim(), '```', '');
  }
  fs.writeFileSync(path.join(DIST, NOTICES), parts.join('\n'));
}

await bundle('cli.js', true);
// a worker starts once per pool thread: one file, nothing to split
await bundle('workers/scan-worker.js', false);
writeNotices();

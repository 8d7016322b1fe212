// Second build step (after tsc): the command's entry (dist/cli.js) and the scan worker become one file
// each, so starting them reads two files instead of ~180 ES modules (zod alone is 95).
// The library (dist/index.js and the rest) stays one module per source file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const ENTRIES = ['cli.js', path.join('workers', 'scan-worker.js')];

for (const entry of ENTRIES) {
  const file = path.join(DIST, entry);
  const out = await build({
    input: file,
    platform: 'node',
    logLevel: 'warn',
    write: false,
    output: { format: 'esm', codeSplitting: false, sourcemap: true },
  });
  const chunk = out.output.find((o) => o.type === 'chunk' && o.isEntry);
  if (!chunk || out.output.length > 2) throw new Error(`bundle of ${entry}: expected one file, got ${out.output.map((o) => o.fileName).join(', ')}`);
  fs.writeFileSync(file, chunk.code);
  const map = out.output.find((o) => o.type === 'asset' && o.fileName.endsWith('.map'));
  if (map) fs.writeFileSync(`${file}.map`, map.source);
}

// Compiles each AssemblyScript kernel in kernels/ to dist/kernels/<name>.wasm (run by `npm run
// build`, `prepare` and the test setup; no built module is committed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'kernels');
const OUT = path.join(ROOT, 'dist', 'kernels');

fs.mkdirSync(OUT, { recursive: true });
for (const file of fs
  .readdirSync(SRC)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const name = file.slice(0, -3);
  // no garbage collector (kernels allocate nothing), no assertion traps, SIMD on
  const args = [path.join(SRC, file), '-o', path.join(OUT, `${name}.wasm`), '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd'];
  const { error, stderr } = await asc.main(args);
  if (error) {
    process.stderr.write(stderr.toString());
    throw new Error(`kernel ${file} did not compile: ${error.message}`);
  }
}

// Every test run gets its own temp directory (TMPDIR for the test processes and every CLI they start),
// removed when the run ends: whatever a test or a killed child leaves there goes with it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export default function runTempDir(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dumpscrub-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

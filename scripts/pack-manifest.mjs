// `prepare` builds dist/ for a git checkout (`npm install`, `npm ci`), but in a published package.json
// it is an install script to every installer: prepack drops the install-time scripts from the
// manifest npm packs, postpack puts the checkout's package.json back byte for byte.
import * as fs from 'node:fs';

const PKG = 'package.json';
const SAVED = '.package.json.before-pack';
const INSTALL_TIME = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'];

const mode = process.argv[2];
if (mode === 'strip') {
  // a pack that died before postpack left the stripped manifest: start from the saved one
  if (fs.existsSync(SAVED)) fs.copyFileSync(SAVED, PKG);
  const text = fs.readFileSync(PKG, 'utf8');
  const pkg = JSON.parse(text);
  fs.writeFileSync(SAVED, text);
  for (const s of INSTALL_TIME) delete pkg.scripts?.[s];
  fs.writeFileSync(PKG, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (mode === 'restore') {
  if (fs.existsSync(SAVED)) {
    fs.copyFileSync(SAVED, PKG);
    fs.rmSync(SAVED);
  }
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}

// Precision on a clean 16 MiB memory-like image whose text pages are the system CA bundle cut at page
// boundaries (so most certificate lines sit on a page without their BEGIN line), between zero,
// pointer, random and zlib pages. Nothing secret is planted: every changed byte is over-redaction.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { byRule, scrubMeasure } from '../lib/dumpscrub.mjs';
import { PAGE, keystream, pointerPage, prng, randomPage, zeroPage, zlibPage } from '../lib/pages.mjs';

const BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
const SIZE = 16 * 1024 * 1024;

export default async function caImage(env) {
  const bundle = BUNDLES.find((p) => existsSync(p));
  const title = 'Precision: clean 16 MiB image with CA-bundle pages';
  if (!bundle) return { title, rows: [], notes: [`skipped: no CA bundle at ${BUNDLES.join(', ')} (apt-get install ca-certificates)`] };
  const ca = readFileSync(bundle);
  const caPages = [];
  for (let o = 0; o + PAGE <= ca.length; o += PAGE) caPages.push(ca.subarray(o, o + PAGE));
  const rand = prng(13);
  const bytes = keystream(13);
  const pages = [];
  let next = 0;
  let caCount = 0;
  while (pages.length < SIZE / PAGE) {
    const r = rand();
    if (r < 0.3) {
      // CA pages in bundle order but shuffled among others, so BEGIN lines land on other pages
      pages.push(caPages[next++ % caPages.length]);
      caCount++;
    } else if (r < 0.5) pages.push(zeroPage());
    else if (r < 0.7) pages.push(pointerPage(rand));
    else if (r < 0.85) pages.push(randomPage(bytes));
    else pages.push(zlibPage(rand));
  }
  const input = join(env.tmp, 'ca-image.raw');
  writeFileSync(input, Buffer.concat(pages));
  const m = await scrubMeasure(env.cli, input, join(env.tmp, 'out.raw'), join(env.tmp, 'report.json'));
  const ppm = (m.changed / m.size) * 1e6;
  const perGiB = (m.findings.length / m.size) * 2 ** 30;
  return {
    title,
    rows: [
      { name: 'scrub exit code', value: m.code, target: '0', pass: m.code === 0 },
      { name: 'bytes changed', value: ppm, unit: 'ppm', target: '≤ 50 ppm', pass: ppm <= 50 },
      { name: 'findings', value: m.findings.length },
      { name: 'findings per GiB', value: Math.round(perGiB) },
    ],
    notes: [
      `${caCount} of ${pages.length} pages from ${bundle} (${caPages.length} distinct), ${m.published ? 'byte diff of the published copy' : 'not published: reported finding spans'}`,
      ...(m.findings.length ? [`rules: ${byRule(m.findings)}`] : []),
    ],
  };
}

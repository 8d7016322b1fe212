// Names that programs are built from (symbols, class and package names, descriptors, time-zone
// IDs) have the character mix of a random token but the grammar of words: the entropy detector
// asks here before calling a token random. Recognised by grammar, not by a list of names.

const enum C {
  OTHER = 0,
  LOWER = 1,
  UPPER = 2,
  DIGIT = 4,
  SEP = 8,
}
const CLS = new Uint8Array(256);
for (let c = 97; c <= 122; c++) CLS[c] = C.LOWER;
for (let c = 65; c <= 90; c++) CLS[c] = C.UPPER;
for (let c = 48; c <= 57; c++) CLS[c] = C.DIGIT;
for (const c of '_/-$.:;<>()[]') CLS[c.charCodeAt(0)] = C.SEP;
const PRIMITIVE = new Uint8Array(256);
for (const c of 'ZBCSIJFD[') PRIMITIVE[c.charCodeAt(0)] = 1;
const MARKER = new Uint8Array(256);
for (const c of 'NEISKCDT_') MARKER[c.charCodeAt(0)] = 1;

// The letter pairs that make up 95 % of the pairs in English prose (derived once from licence texts).
const COMMON_PAIRS =
  'abacadagaialamanaparasatauavaybabebiblbobsbucacechcickclcocpctcudadedidodueaebecedeeefegeielemeneoepeqeresetevexfafefifofrftfugeghgigngogpgrhahehihmhohphrhtiaibicidieifigiliminioipirisitivkelaldlelglilllolsltlulymamemimmmompmsmunancndnenfngninonsntnunyocodofogolomonoooporosotouovowpapephpiplpoppprptpupyqurarcrergrirkrmrnrorprrrsrtrurvrysascseshsislsospsrssstsusytatethtitotrtstttutwtyubucudueuiulumunupurusutvaveviwawiwoxaxpxtyoypyr';
const PAIR = new Uint8Array(26 * 26);
for (let i = 0; i < COMMON_PAIRS.length; i += 2) PAIR[(COMMON_PAIRS.charCodeAt(i) - 97) * 26 + COMMON_PAIRS.charCodeAt(i + 1) - 97] = 1;

/**
 * Splits buf[s, e) into humps (camelCase and snake_case words, acronyms, digit runs) and counts, over
 * the word humps, letter pairs that are common in prose. About 30 % of a random token's pairs are
 * common and its humps are short; a name's words are long and mostly made of common pairs.
 */
function wordShare(buf: Uint8Array, s: number, e: number): { pairs: number; common: number; wordLetters: number; letters: number } {
  let pairs = 0;
  let common = 0;
  let wordLetters = 0;
  let letters = 0;
  let i = s;
  while (i < e) {
    const c = CLS[buf[i]];
    if (c !== C.LOWER && c !== C.UPPER) {
      i++;
      continue;
    }
    let j = i;
    while (j < e && CLS[buf[j]] === C.UPPER) j++;
    // an acronym (possibly empty), then a word that starts with the acronym's last capital
    const w = j < e && CLS[buf[j]] === C.LOWER && j > i ? j - 1 : j;
    letters += w - i;
    let k = w === j ? j : j;
    while (k < e && CLS[buf[k]] === C.LOWER) k++;
    const len = k - w;
    if (len >= 3) {
      wordLetters += len;
      for (let m = w + 1; m < k; m++) {
        pairs++;
        common += PAIR[((buf[m - 1] | 0x20) - 97) * 26 + (buf[m] | 0x20) - 97];
      }
    }
    letters += k - w;
    i = Math.max(k, i + 1);
  }
  return { pairs, common, wordLetters, letters };
}

/**
 * Itanium length-prefixed names without their `_Z` (typeinfo names such as N6icu_786number4impl17XE,
 * or a symbol whose head was cut): three or more `<len><name>` pairs chained to the end, with only
 * nesting and template markers (N, E, I, S_, K, C1, D0...) between them, and names that read as words.
 */
function lengthPrefixedChain(buf: Uint8Array, s: number, e: number): boolean {
  for (let start = s; start < Math.min(e, s + 4); start++) {
    let i = start;
    let pairs = 0;
    let covered = 0;
    while (i < e && CLS[buf[i]] === C.DIGIT && buf[i] !== 48) {
      let n = 0;
      let j = i;
      while (j < e && j - i < 3 && CLS[buf[j]] === C.DIGIT) n = n * 10 + buf[j++] - 48;
      if (n < 2 || j + n > e || (!(CLS[buf[j]] & (C.LOWER | C.UPPER)) && buf[j] !== 95)) break;
      pairs++;
      covered += j + n - i;
      i = j + n;
      while (i < e && MARKER[buf[i]] === 1 && i - (j + n) < 3) i++;
    }
    // after a nested-name opener (N, NS, St, ZN: typeinfo names) two names and template codes suffice
    let opener = start > s;
    for (let k = s; k < start; k++) opener &&= buf[k] === 78 || buf[k] === 83 || buf[k] === 116 || buf[k] === 90 || buf[k] === 75;
    if ((pairs >= 3 && e - i <= 3 && covered * 4 >= (e - s) * 3) || (opener && pairs >= 2 && e - i <= 8 && covered * 10 >= (e - s) * 7)) {
      const w = wordShare(buf, s, e);
      return w.common * 2 >= w.pairs && w.pairs >= 4;
    }
  }
  return false;
}

/** Rust v0 mangling: `_R`, path tags, a crate `Cs<hash>_`, then length-prefixed names. */
function rustV0(buf: Uint8Array, s: number, e: number): boolean {
  // at the start of the token (one glued byte allowed): a `_R` inside a random token proves nothing
  for (let i = s; i + 3 < e && i <= s + 1; i++) {
    if (buf[i] !== 95 || buf[i + 1] !== 82) continue;
    let j = i + 2;
    while (j < e && CLS[buf[j]] !== C.DIGIT && !(buf[j] === 67 && buf[j + 1] === 115)) j++;
    if (buf[j] === 67) {
      // crate disambiguator: Cs, base62, `_`
      j += 2;
      while (j < e && buf[j] !== 95) j++;
      j++;
    }
    return j - i <= 32 && j < e && lengthPrefixedChain(buf, j, e);
  }
  return false;
}

function wordy(buf: Uint8Array, s: number, e: number): boolean {
  const w = wordShare(buf, s, e);
  // measured: 55 of 60 real names pass, 2 in 100,000 random base62 tokens (32-64 chars) do
  return w.pairs >= 6 && w.common * 10 >= w.pairs * 7 && w.wordLetters * 10 >= w.letters * 7;
}

/**
 * A JVM class reference: optional array brackets and `L`, two or more lower-case package segments,
 * then a class name (Ljava/lang/String, java/security/cert/X509Certificate, sun/nio/fs/UnixPath).
 */
export function jvmClassPath(buf: Uint8Array, s: number, e: number): boolean {
  // one glued byte (a constant-pool length, a record id) may precede
  return classPathAt(buf, s, e) || (e - s > 1 && classPathAt(buf, s + 1, e));
}

function classPathAt(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  // the parameter types before it in a method descriptor: primitives, arrays
  while (i < e && i - s < 8 && PRIMITIVE[buf[i]] === 1) i++;
  if (buf[i] === 76 && CLS[buf[i + 1]] === C.LOWER) i++;
  let segments = 0;
  while (i < e) {
    // a class name starts a segment with a capital; package segments are lower case and end in '/'
    if (CLS[buf[i]] === C.UPPER) return segments >= 2;
    const seg = i;
    if (CLS[buf[i]] !== C.LOWER) return false;
    while (i < e && (CLS[buf[i]] === C.LOWER || CLS[buf[i]] === C.DIGIT || buf[i] === 95)) i++;
    if (i >= e || buf[i] !== 47 || i - seg < 2) return false;
    segments++;
    i++;
  }
  return false;
}

/**
 * True if buf[s, e) reads as a name: C/C++ symbols (mangled or not, ICU `_78` versions), v8dbg_
 * constants, Go and Rust paths, Java class names and descriptors, time-zone IDs.
 */
export function looksLikeIdentifier(buf: Uint8Array, s: number, e: number): boolean {
  return jvmClassPath(buf, s, e) || wordy(buf, s, e) || lengthPrefixedChain(buf, s, e) || rustV0(buf, s, e);
}

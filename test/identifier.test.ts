// Names programs are built from (symbols, class paths, time-zone IDs) are not random tokens, by their
// grammar; random tokens of the same alphabets still are.
import { randomInt } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { rulesDetector } from '../src/detectors/rules.js';
import { looksLikeIdentifier } from '../src/detectors/identifier.js';
import type { DetectContext, Hit } from '../src/types.js';

const ctx: DetectContext = { knownKeys: [], knownSecrets: [], extraViews: [], entropy: 'all', learned: [] };
const detect = (buf: Buffer): Hit[] => rulesDetector([], { entropy: 'all' }).detect(buf, ctx).hits;
const ident = (s: string): boolean => looksLikeIdentifier(Buffer.from(s, 'latin1'), 0, s.length);

// as they sit in the dynamic symbol tables and heaps of node, libicu, libjvm and Go/Rust binaries
const NAMES = [
  'ucnv_io_stripEBCDICForCompare_78',
  'uprv_addScriptExtensionsCodePoints_78',
  'ures_getAllChildrenWithFallback_78',
  'ucal_getTimeZoneIDForWindowsID_78',
  'unorm2_getNFKCSimpleCasefoldInstance_78',
  'uhash_compareCaselessUnicodeString_78',
  'v8dbg_parent_JSArrayBuffer__JSObjectWithEmbedderSlots',
  'v8dbg_parent_SharedFunctionInfo__HeapObject',
  'v8dbg_frametype_TurbofanStubWithContextFrame',
  'N6icu_786number4impl17UsagePrefsHandlerE',
  'N6icu_7830TextTrieMapSearchResultHandlerE',
  'N12_GLOBAL__N_117FirstLineConsumerE',
  'NSt7__cxx1117moneypunct_bynameIcLb0EEE',
  '_RNvNtNtCs9ltgdHTiPiY_4core3fmt9Formatter12debug_struct',
  'runtime/internal/atomic/Xaddint64Relaxed',
  'AArch64HotSpotJVMCIBackendFactory',
  'Ljava/lang/management/ClassLoadingMXBean',
  'Ljava/util/concurrent/ForkJoinTask',
  'sun/security/x509/OCSPNoCheckExtension',
  'setJavaObjectInputStreamReadString',
  // a constant-pool length byte or descriptor parameter codes glued before a class path
  '5java/lang/invoke/VarHandleBytes$FieldInstanceReadOnly',
  'ZZZLsun/security/krb5/Checksum',
];

describe('identifier grammar', () => {
  test.each(NAMES)('%s reads as a name and is not flagged by entropy', (name) => {
    expect(ident(name)).toBe(true);
    // glued to neighbouring symbols as in a string table: NUL-separated
    expect(detect(Buffer.from(`\0_ZN2v88internal\0${name}\0_ZTVN2v88in\0`, 'latin1')).length).toBe(0);
  });

  test('UTF-16LE names are not flagged either', () => {
    for (const name of NAMES) expect(detect(Buffer.from(`\0${name}\0`, 'utf16le')).length).toBe(0);
  });

  test('random tokens of 32-64 chars almost never read as names (measured ~1 in 10,000; asserted < 1 in 600)', () => {
    const alphabets = [
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    ];
    let named = 0;
    const N = 6000;
    for (let k = 0; k < N; k++) {
      const a = alphabets[k % 3];
      const len = 32 + (k % 33);
      let s = '';
      for (let i = 0; i < len; i++) s += a[randomInt(a.length)];
      if (ident(s)) named++;
    }
    expect(named).toBeLessThan(N / 600);
  });
});

describe('near a credential word', () => {
  const near = (text: string): Hit[] => rulesDetector([], { entropy: 'context' }).detect(Buffer.from(`\0${text}\0`, 'latin1'), { ...ctx, entropy: 'context' }).hits;
  const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

  test.each([
    'com.sun.crypto.provider.KeyWrapCipher$AES256_KW_PKCS5Padding',
    'javax.crypto.SecretKeyFactory.PBEWithSHA1AndRC2_128',
    '(Ljava/security/PrivateKey;)Lsun/security/x509/AlgorithmId;',
    '(Lsun/security/pkcs11/P11Key;JZLsun/security/pkcs11/Session;)V',
  ])('the next part of a qualified name is not a value: %s', (text) => {
    expect(near(text).length).toBe(0);
  });

  test('a value after the keyword still is', () => {
    const value = 'Q7' + Array.from({ length: 22 }, () => B62[randomInt(62)]).join('');
    const hits = near(`client credential: "${value}"`);
    expect(hits.length).toBe(1);
  });
});

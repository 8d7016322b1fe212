// Ids a finding can carry besides rule ids and detector ids: the detectors that report several kinds
// name each kind, so `rules` lists them and allowlists, ignore files and --disable-rule can use them.
import type { CatalogEntry } from './catalog.js';

const kind = (id: string, name: string, description: string): CatalogEntry => ({ id, name, kind: 'binary', family: 'finding', description });

const FINDING_IDS: readonly CatalogEntry[] = [
  { ...kind('entropy-token', 'High-entropy token', 'a long random token anywhere (--entropy all)'), kind: 'text' },
  { ...kind('entropy-context', 'High-entropy token near a credential keyword', 'a random token next to password/secret/token/key (--entropy context or all)'), kind: 'text' },
  kind('der-rsa', 'RSA private key (DER)', 'PKCS#1 or PKCS#8 RSA private key, checked by n = p*q'),
  kind('der-ec', 'EC private key (DER)', 'SEC1 or PKCS#8 EC private key'),
  kind('der-okp', 'Ed25519/X25519/Ed448/X448 private key (DER)', 'PKCS#8 OKP private key'),
  kind('der-dsa', 'DSA private key (DER)', 'PKCS#8 DSA private key'),
  kind('der-dh', 'DH private key (DER)', 'PKCS#8 Diffie-Hellman private key'),
  kind('der-encrypted', 'Encrypted private key (DER)', 'PKCS#8 EncryptedPrivateKeyInfo'),
  kind('der-pfx', 'PKCS#12 / PFX container', 'a PKCS#12 container (may hold private keys)'),
  kind('cng-rsa', 'RSA private key (CNG blob)', 'BCRYPT_RSAPRIVATE_BLOB / BCRYPT_RSAFULLPRIVATE_BLOB'),
  kind('capi-rsa', 'RSA private key (CAPI blob)', 'CryptoAPI PRIVATEKEYBLOB'),
  kind('cng-ec', 'EC private key (CNG blob)', 'BCRYPT_ECCPRIVATE_BLOB'),
  kind('cng-key-data', 'Symmetric key (CNG blob)', 'BCRYPT_KEY_DATA_BLOB'),
  kind('aes-schedule', 'AES key schedule', 'an expanded AES-128/192/256 key schedule'),
  kind('aes-key', 'AES key', 'the key of an AES schedule found elsewhere in the dump, in any encoding'),
  { ...kind('known-secret-digest', 'Secret known by its SHA-256', 'a token whose SHA-256 was given with --known-secret sha256:'), kind: 'text' },
];

/** Every id a finding can carry: the catalog first, then the kinds above that it does not list. */
export function allFindingIds(catalog: readonly CatalogEntry[]): CatalogEntry[] {
  const have = new Set(catalog.map((c) => c.id));
  return [...catalog, ...FINDING_IDS.filter((f) => !have.has(f.id))];
}

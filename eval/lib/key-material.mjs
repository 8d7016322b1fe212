// Which changed bytes of a "clean" process are genuine key material: a live process holds keys of its
// own (the RNG's AES-CTR DRBG schedules, TLS ephemeral keys) that no harness planted. Those findings
// prove themselves by arithmetic, so they are correct redactions, not over-redaction; the precision
// target applies to everything else. Classified by the finding's rule id, never by where it lies.

/** Finding ids whose detector verified the value by arithmetic, with the check it made. */
export const SELF_VERIFYING = {
  'aes-schedule': 'every round key follows from the key by the AES key expansion',
  'aes-key': 'the key of a verified AES schedule, found elsewhere',
  'der-rsa': 'an RSA private key whose n = p·q',
  'cng-rsa': 'an RSA private key blob whose n = p·q',
  'capi-rsa': 'an RSA private key blob whose n = p·q',
  'rsa-private-component': 'a component of an RSA key whose factor divides its modulus',
  'cng-ec': 'a CNG EC private key blob whose scalar gives its public point',
  'known-key': 'the private half of a public key or modulus held in the dump or given',
};

const COPY = 'copy-of-';

/** True for a self-verifying finding id, or a copy of a value one of them found. */
export function isKeyMaterial(ruleId) {
  const base = ruleId.startsWith(COPY) ? ruleId.slice(COPY.length) : ruleId;
  return Object.hasOwn(SELF_VERIFYING, base);
}

/**
 * Splits the changed bytes: those under a self-verifying finding, and the rest (every changed byte no
 * such finding covers, including bytes no finding explains at all).
 */
export function splitChanged(spans, findings, coverage, mergeSpans) {
  const keyCov = coverage(mergeSpans(findings.filter((f) => isKeyMaterial(f.ruleId)).map((f) => [f.start, f.end])));
  let key = 0;
  let rest = 0;
  for (const [a, b] of spans) {
    const k = keyCov(a, b);
    key += k;
    rest += b - a - k;
  }
  return { key, rest };
}

// RSA arithmetic on bigint: derive every private component from n, e and one prime.

export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) return 0n;
  return ((s0 % m) + m) % m;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * All private values a runtime may hold for the key: the primes, d modulo phi and modulo lambda
 * (OpenSSL 3 uses lambda), the CRT exponents and coefficients in both prime orders, and the
 * Montgomery constants R^2 mod p / mod q (each reveals p via gcd with n).
 */
export function rsaComponents(n: bigint, e: bigint, p: bigint): Record<string, bigint> {
  const q = n / p;
  const out: Record<string, bigint> = { p, q };
  const phi = (p - 1n) * (q - 1n);
  const lambda = phi / gcd(p - 1n, q - 1n);
  const dPhi = modInverse(e, phi);
  const dLambda = modInverse(e, lambda);
  if (dLambda) out.d = dLambda;
  if (dPhi && dPhi !== dLambda) out['d (mod phi)'] = dPhi;
  if (dLambda) {
    out.dp = dLambda % (p - 1n);
    out.dq = dLambda % (q - 1n);
  }
  out.qinv = modInverse(q, p);
  out['qinv (swapped)'] = modInverse(p, q);
  for (const [name, prime] of [['p', p], ['q', q]] as const) {
    const limbs = BigInt(Math.ceil(prime.toString(2).length / 64));
    out[`R^2 mod ${name}`] = (1n << (128n * limbs)) % prime;
  }
  for (const k of Object.keys(out)) if (out[k] < 2n ** 64n) delete out[k];
  return out;
}

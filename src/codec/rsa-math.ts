// RSA arithmetic on bigint: derive every private component from n, e and one prime.

function modInverse(a: bigint, m: bigint): bigint {
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

function gcd(a: bigint, b: bigint): bigint {
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
  for (const [name, prime] of [
    ['p', p],
    ['q', q],
  ] as const) {
    const limbs = BigInt(Math.ceil(prime.toString(2).length / 64));
    out[`R^2 mod ${name}`] = (1n << (128n * limbs)) % prime;
  }
  for (const k of Object.keys(out)) if (out[k] < 2n ** 64n) delete out[k];
  return out;
}

function derInt(x: bigint): Buffer {
  let h = x.toString(16);
  if (h.length & 1) h = '0' + h;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
  return derTlv(0x02, Buffer.from(h, 'hex'));
}

function derTlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 255] : [0x83, n >> 16, (n >> 8) & 255, n & 255];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

/**
 * The PKCS#1 and PKCS#8 DER encodings a library writes for this key (d mod lambda and d mod phi,
 * both prime orders), so that their base64 / PEM text can be found where the binary is not.
 */
export function rsaPrivateDers(n: bigint, e: bigint, p: bigint): Buffer[] {
  const c = rsaComponents(n, e, p);
  const out: Buffer[] = [];
  const ds = [c.d, c['d (mod phi)']].filter((x): x is bigint => x !== undefined);
  for (const d of ds) {
    for (const [a, b] of [
      [c.p, c.q],
      [c.q, c.p],
    ]) {
      const pkcs1 = derTlv(0x30, Buffer.concat([derInt(0n), derInt(n), derInt(e), derInt(d), derInt(a), derInt(b), derInt(d % (a - 1n)), derInt(d % (b - 1n)), derInt(modInverse(b, a))]));
      const alg = Buffer.from('300d06092a864886f70d0101010500', 'hex');
      out.push(pkcs1, derTlv(0x30, Buffer.concat([derInt(0n), alg, derTlv(0x04, pkcs1)])));
    }
  }
  return out;
}

// An AES key schedule laid out in memory as implementations store it: 32-bit words big-endian
// (byte order of the FIPS-197 text), or each word little-endian (`swap`: u32 arrays on x86).
export function scheduleBytes(words: Uint32Array, swap: boolean): Buffer {
  const out = Buffer.allocUnsafe(words.length * 4);
  for (let i = 0; i < words.length; i++) {
    if (swap) out.writeUInt32LE(words[i], i * 4);
    else out.writeUInt32BE(words[i], i * 4);
  }
  return out;
}

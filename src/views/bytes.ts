// Facts the word- and byte-level scanners share: which bytes are text, and the host's byte order.

/** Printable ASCII plus tab, LF and CR: the characters text (and a credential in it) is made of. */
export const PRINTABLE = new Uint8Array(256);
for (let c = 0x20; c < 0x7f; c++) PRINTABLE[c] = 1;
PRINTABLE[9] = PRINTABLE[10] = PRINTABLE[13] = 1;

/** Word loads give the first byte in the low bits only on little-endian hosts. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

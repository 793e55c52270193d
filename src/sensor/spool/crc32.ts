/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial 0xEDB88320, reflected). zlib.crc32 exists from Node 20.15 and 22.2;
 * older Node 20 releases get the table-driven version below, which gives identical values.
 */
import * as zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Table-driven CRC-32, continuing from `crc` (0 to start). */
export function crc32Table(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = (TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `crc`. @example crc32(Buffer.from('hello')) // 907060870 */
export const crc32: (data: Uint8Array, crc?: number) => number =
  typeof native === 'function' ? (d, c = 0) => native(d, c) >>> 0 : crc32Table;

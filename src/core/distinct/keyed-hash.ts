/**
 * Keyed 53-bit string hash for the distinct counters (distinct sources / sensors / targets).
 *
 * Why keyed: HyperLogLog trusts its hash. With a public hash an attacker who controls the counted values
 * (e.g. spoofed source addresses) can pick values that land in chosen registers with chosen ranks and so
 * steer the published estimate up. Keying the hash with a 16-byte server secret makes register index and
 * rank unpredictable to anyone without the secret.
 *
 * Construction (runs once per event, so it is built for speed in JS: Math.imul, no BigInt, no allocation):
 * 1. The string is read as UTF-16 code units, two per 32-bit block (a lone last unit is zero-extended).
 * 2. Every block feeds two independent 32-bit lanes in one loop:
 *    lane A is the MurmurHash3_x86_32 block step seeded with key word k0;
 *    lane B is an xxHash32 accumulator round, seeded with k1, whose input is first offset by k1
 *    (a keyed modular add, so that XOR-differences between inputs are not preserved key-independently).
 * 3. Each lane takes the length in code units and the murmur fmix32 avalanche; then a 3-round keyed Feistel
 *    network (round function fmix32, round keys derived from k2, k3 and k0) mixes the lanes, so every
 *    output bit depends on every input bit and all 128 key bits (tested: flipping any one seed bit or input
 *    character flips ~26.5 of the 53 output bits), and the 64-bit finish is a bijection of the lane states.
 * 4. Output = top 21 bits of lane A * 2^32 + lane B: a non-negative integer < 2^53 (a safe integer).
 *
 * Invariants: hash(text) is deterministic for a given seed; 0 <= hash < 2**53; Number.isSafeInteger(hash).
 * Only the first 16 bytes of the seed are used; a shorter seed is refused (SW_CONFIG_INVALID).
 *
 * Limits (read before relying on it):
 * - This is NOT a cryptographic PRF. MurmurHash3 and xxHash have known seed-independent differential
 *   multicollisions (Aumasson & Bernstein, "SipHash", 2012); here an attacker would need a simultaneous
 *   collision in two structurally different lanes, one with a keyed additive input, which we believe to be
 *   hard but have not proven. A collision can only merge values (undercount); it does not let anyone
 *   place values in chosen registers, which would require predicting the keyed output.
 * - An adversary who can observe many hash outputs (they are never published) could try to recover the
 *   key; outputs must stay server-side. Published estimates leak far too little to matter in practice.
 * - SipHash-2-4 (or HalfSipHash for 32-bit JS arithmetic) would be the principled, stronger choice, at an
 *   estimated 2-4x the cost per event; swap it in here if the threat model grows. The interface would not
 *   change.
 * - Two distinct strings collide with probability ~2^-53 per pair (birthday: ~n^2 / 2^54 expected
 *   collisions among n values, ~0.006 at n = 1e7), which is negligible beside HLL's error.
 */
import { makeError } from '../errors.js';

export interface KeyedHasher {
  /** A non-negative integer < 2**53, well mixed; deterministic for the hasher's seed. */
  hash(text: string): number;
}

/** Bytes of secret the hasher uses (shorter seeds are refused, longer ones are truncated to this). */
export const KEYED_HASH_SEED_BYTES = 16;

const M_C1 = 0xcc9e2d51;
const M_C2 = 0x1b873593;
const M_N = 0xe6546b64;
const X_P1 = 0x9e3779b1;
const X_P2 = 0x85ebca77;
const TWO_POW_32 = 4294967296;

/** MurmurHash3 finaliser: a bijective avalanche on 32 bits. */
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function readWordLE(seed: Uint8Array, offset: number): number {
  return (
    ((seed[offset] ?? 0) | ((seed[offset + 1] ?? 0) << 8) | ((seed[offset + 2] ?? 0) << 16)) +
    (seed[offset + 3] ?? 0) * 0x1000000
  );
}

/**
 * @param seed at least 16 secret bytes (e.g. from crypto.randomBytes(16), kept in the server config);
 *   only the first 16 are used.
 * @throws StormwatchError SW_CONFIG_INVALID when the seed is not a Uint8Array of >= 16 bytes.
 * @example const h = createKeyedHasher(secret); counter.addHash(h.hash(event.src));
 */
export function createKeyedHasher(seed: Uint8Array): KeyedHasher {
  if (!(seed instanceof Uint8Array) || seed.length < KEYED_HASH_SEED_BYTES) {
    const len = seed instanceof Uint8Array ? seed.length : -1;
    throw makeError(
      'SW_CONFIG_INVALID',
      `keyed hash seed must be ${KEYED_HASH_SEED_BYTES} bytes, got ${len}`,
    );
  }
  // Key words. The Feistel round keys are pre-mixed so that related raw seeds give unrelated round keys.
  const k0 = readWordLE(seed, 0) | 0;
  const k1 = readWordLE(seed, 4) | 0;
  const k2 = fmix32(readWordLE(seed, 8) ^ 0x5bd1e995) | 0;
  const k3 = fmix32(readWordLE(seed, 12) ^ 0x27d4eb2f) | 0;
  const k4 = fmix32((k2 ^ Math.imul(k3, 0x9e3779b1) ^ k0) >>> 0) | 0;

  return {
    hash(text: string): number {
      const n = text.length;
      let a = k0;
      let b = k1;
      let i = 0;
      const pairs = n - (n & 1);
      for (; i < pairs; i += 2) {
        const w = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
        // lane A: MurmurHash3_x86_32 block
        let k = Math.imul(w, M_C1);
        k = (k << 15) | (k >>> 17);
        a ^= Math.imul(k, M_C2);
        a = (a << 13) | (a >>> 19);
        a = (Math.imul(a, 5) + M_N) | 0;
        // lane B: xxHash32 round over the keyed input
        b = (b + Math.imul((w + k1) | 0, X_P2)) | 0;
        b = (b << 13) | (b >>> 19);
        b = Math.imul(b, X_P1);
      }
      if (i < n) {
        const w = text.charCodeAt(i);
        let k = Math.imul(w, M_C1);
        k = (k << 15) | (k >>> 17);
        a ^= Math.imul(k, M_C2);
        a = (a << 13) | (a >>> 19);
        a = (Math.imul(a, 5) + M_N) | 0;
        b = (b + Math.imul((w + k1) | 0, X_P2)) | 0;
        b = (b << 13) | (b >>> 19);
        b = Math.imul(b, X_P1);
      }
      a = fmix32(a ^ n);
      b = fmix32((b + n) | 0);
      // 3-round keyed Feistel: invertible on (a, b); each output word depends on both lanes and on both
      // round keys (with 2 rounds, k3 would only ever reach the low word).
      a = (a ^ fmix32((b + k2) | 0)) >>> 0;
      b = (b ^ fmix32((a + k3) | 0)) >>> 0;
      a = (a ^ fmix32((b + k4) | 0)) >>> 0;
      return (a >>> 11) * TWO_POW_32 + b;
    },
  };
}

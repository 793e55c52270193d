/**
 * A sensor's weight in the fleet's exposure (DETECTION.md: "active sensors weighted by the addresses they
 * watch"): 1 + log2(addresses), so one address weighs 1, a /28 weighs 5, a /24 weighs 9, a /16 weighs 17.
 *
 * Why the logarithm: scanners that pick addresses at random reach a sensor in proportion to the addresses it
 * watches, while those that sweep address blocks in order (most of today's mass scanning) reach a /24 once, as
 * they reach a single address; the distinct sources a sensor sees grow with its addresses, and much more slowly
 * than in proportion. Linear weights would let one large sensor outweigh a hundred small ones in the
 * expectation; equal weights would make a large sensor's arrival look like a rise on every port it sees.
 *
 * Rules: the input is clamped to [1, MAX]; non-finite or smaller values count as 1 (a sensor that never said).
 * @example exposureWeight(256) // 9
 */
export const EXPOSURE_MAX_ADDRESSES = 16_777_216;

export function exposureWeight(addresses: number): number {
  const a = Number.isFinite(addresses) ? Math.min(EXPOSURE_MAX_ADDRESSES, Math.max(1, addresses)) : 1;
  return 1 + Math.log2(a);
}

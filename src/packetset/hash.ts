/** One step of a multiplicative hash (MurmurHash3's 32-bit mixing), for the merge tables of PacketSet. */
export function mix(h: number, x: number): number {
  let k = Math.imul(x, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  const m = ((h ^ k) << 13) | ((h ^ k) >>> 19);
  return (Math.imul(m, 5) + 0xe6546b64) | 0;
}

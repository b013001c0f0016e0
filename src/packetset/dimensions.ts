import { Ranges } from './ranges';

export type Family = 4 | 6;
export const FAMILIES: readonly Family[] = [4, 6];

/**
 * The dimensions of a packet, in the order boxes are split: destination port and address
 * first because they discriminate rules most, so the pieces of a subtraction stay few.
 */
export const DIMENSIONS = ['dport', 'dst', 'src', 'proto', 'sport', 'icmp', 'tcpflags', 'iif', 'oif', 'state'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The position of each dimension in DIMENSIONS. */
export const DIMENSION_INDEX: Readonly<Record<Dimension, number>> = Object.freeze(
  Object.fromEntries(DIMENSIONS.map((dim, i) => [dim, i])) as Record<Dimension, number>,
);

export function isAddressDimension(dim: Dimension): dim is 'src' | 'dst' {
  return dim === 'src' || dim === 'dst';
}

/** Conntrack states as values of the `state` dimension. */
export const CtState = Object.freeze({ NEW: 0, ESTABLISHED: 1, RELATED: 2, INVALID: 3, UNTRACKED: 4 } as const);

/** TCP flag bits as values of the `tcpflags` dimension (a packet's flags byte). */
export const TcpFlag = Object.freeze({ FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 } as const);

const ADDRESS_UNIVERSE: Readonly<Record<Family, Ranges>> = { 4: Ranges.of(0n, (1n << 32n) - 1n), 6: Ranges.of(0n, (1n << 128n) - 1n) };
const SIXTEEN_BITS = Ranges.of(0n, 65535n);
const EIGHT_BITS = Ranges.of(0n, 255n);
const OTHER_UNIVERSE: Readonly<Record<Exclude<Dimension, 'src' | 'dst'>, Ranges>> = {
  dport: SIXTEEN_BITS,
  sport: SIXTEEN_BITS,
  proto: EIGHT_BITS,
  // ICMP type * 256 + code.
  icmp: SIXTEEN_BITS,
  tcpflags: EIGHT_BITS,
  // Interface indices assigned by the normalizer.
  iif: SIXTEEN_BITS,
  oif: SIXTEEN_BITS,
  state: Ranges.of(0n, BigInt(CtState.UNTRACKED)),
};

/** All values a dimension can take in a family. */
export function universe(family: Family, dim: Dimension): Ranges {
  return isAddressDimension(dim) ? ADDRESS_UNIVERSE[family] : OTHER_UNIVERSE[dim];
}

/** The number of bits of an address of the family. */
export function addressBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

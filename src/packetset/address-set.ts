import type { Family } from './dimensions';
import { Ranges } from './ranges';

/** Addresses per family: a role's, a host's, the networks behind an interface. */
export type AddressSet = Readonly<Record<Family, Ranges>>;

export const NO_ADDRESSES: AddressSet = { 4: Ranges.EMPTY, 6: Ranges.EMPTY };

export function unionOfAddresses(a: AddressSet, b: AddressSet): AddressSet {
  return { 4: a[4].union(b[4]), 6: a[6].union(b[6]) };
}

/**
 * Sets the configuration may not decide: `surely` the values certainly in, `may` those possibly
 * in (surely ⊆ may), `uncertain` why they differ (a host name resolved at run time, an address a
 * DHCP server hands out). Decided sets have surely = may.
 */
import { Ranges } from '../../packetset';

export interface Fuzzy {
  readonly surely: Ranges;
  readonly may: Ranges;
  readonly uncertain: readonly string[];
}

export const NOTHING: Fuzzy = { surely: Ranges.EMPTY, may: Ranges.EMPTY, uncertain: [] };

export function exact(ranges: Ranges): Fuzzy {
  return { surely: ranges, may: ranges, uncertain: [] };
}

/** Values that may or may not be in, for this reason. */
export function unknown(may: Ranges, reason: string, surely: Ranges = Ranges.EMPTY): Fuzzy {
  return { surely, may: may.union(surely), uncertain: [reason] };
}

function mergeReasons(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

export function unionFuzzy(a: Fuzzy, b: Fuzzy): Fuzzy {
  return { surely: a.surely.union(b.surely), may: a.may.union(b.may), uncertain: mergeReasons(a.uncertain, b.uncertain) };
}

export function unionAllFuzzy(sets: readonly Fuzzy[]): Fuzzy {
  return sets.reduce(unionFuzzy, NOTHING);
}

/** The values of `a` not in `b`. */
export function subtractFuzzy(a: Fuzzy, b: Fuzzy): Fuzzy {
  return { surely: a.surely.subtract(b.may), may: a.may.subtract(b.surely), uncertain: mergeReasons(a.uncertain, b.uncertain) };
}

/** The values of `universe` not in the set. */
export function complementFuzzy(set: Fuzzy, universe: Ranges): Fuzzy {
  return { surely: universe.subtract(set.may), may: universe.subtract(set.surely), uncertain: set.uncertain };
}

export function isDecided(set: Fuzzy): boolean {
  return set.surely.equals(set.may);
}

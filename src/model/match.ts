/** Three-valued matches: building them from decided sets and undecided conditions. */
import { PacketSet } from '../packetset';
import type { Match } from './policy';

/** A match the configuration decides: these packets and no others. */
export function exactly(set: PacketSet): Match {
  return { surely: set, may: set, uncertain: [] };
}

/** A condition the engine cannot decide: it may hold for any packet of `may`, for none surely. */
export function undecided(reason: string, may: PacketSet): Match {
  return { surely: PacketSet.EMPTY, may, uncertain: [reason] };
}

/** Every condition must hold. */
export function allOf(matches: Match[], universe: PacketSet): Match {
  let surely = universe;
  let may = universe;
  const uncertain: string[] = [];
  for (const m of matches) {
    surely = surely.intersect(m.surely);
    may = may.intersect(m.may);
    uncertain.push(...m.uncertain);
  }
  return { surely, may, uncertain };
}

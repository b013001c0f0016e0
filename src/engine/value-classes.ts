/**
 * The set evaluator's knowledge of metadata values: the packets split into classes, each with the
 * values its packets carry. A write moves the packets it writes into classes of their new values;
 * a rule that tests a value matches the classes whose value passes.
 */
import { CtState, PacketSet, Ranges } from '../packetset';
import type { DecisionRule, ValueMetadata, ValueTest } from '../model/policy';
import { INITIAL_STATE, joinStates, laterPacketState, testValue, valuesKey, type ValueState } from './values';

export interface ValueClass {
  packets: PacketSet;
  state: ValueState;
}

/** The packets a test surely and maybe holds for, and the rules that made it unknown where it cannot tell. */
export interface TestedPackets {
  /** 'all' and 'none' spare the caller an intersection. */
  holds: PacketSet | 'all' | 'none';
  may: PacketSet | 'all' | 'none';
  unknownBy: Set<DecisionRule>;
}

/** Immutable: a branch keeps the partition it started from, whatever the other branch writes. */
export class ValuePartition {
  private constructor(readonly classes: readonly ValueClass[]) {}

  /**
   * The packets as they enter a point: marks 0, except the connection mark of established and
   * related connections, which `connectionMarkWriters` may have set on their earlier packets.
   */
  static initial(all: PacketSet, connectionMarkWriters: ReadonlySet<DecisionRule>): ValuePartition {
    const later = all.restrict(
      'state',
      Ranges.fromIntervals([CtState.ESTABLISHED, CtState.RELATED].map((s) => [BigInt(s), BigInt(s)] as const)),
    );
    const classes = [
      { packets: all.subtract(later), state: INITIAL_STATE },
      { packets: later, state: laterPacketState(connectionMarkWriters) },
    ];
    return new ValuePartition(merged(classes.filter((c) => !c.packets.isEmpty())));
  }

  /** The partition after the packets of `packets` take the state `change` gives them. */
  map(packets: PacketSet, change: (state: ValueState) => ValueState): ValuePartition {
    if (packets.isEmpty()) return this;
    const classes: ValueClass[] = [];
    for (const c of this.classes) {
      const inside = c.packets.intersect(packets);
      if (inside.isEmpty()) {
        classes.push(c);
        continue;
      }
      const outside = c.packets.subtract(packets);
      if (!outside.isEmpty()) classes.push({ packets: outside, state: c.state });
      classes.push({ packets: inside, state: change(c.state) });
    }
    return new ValuePartition(merged(classes));
  }

  /**
   * After the two branches of a rule that may match `within` (each walked those packets only):
   * outside `within` nothing changed; inside, a packet carries what either branch gave it.
   */
  static joinBranches(a: ValuePartition, b: ValuePartition, within: PacketSet): ValuePartition {
    if (a === b) return a;
    const classes: ValueClass[] = [];
    for (const c of a.classes) {
      const outside = c.packets.subtract(within);
      if (!outside.isEmpty()) classes.push({ packets: outside, state: c.state });
    }
    for (const x of a.classes) {
      const mine = x.packets.intersect(within);
      if (mine.isEmpty()) continue;
      for (const y of b.classes) {
        const both = mine.intersect(y.packets);
        if (!both.isEmpty()) classes.push({ packets: both, state: joinStates(x.state, y.state) });
      }
    }
    return new ValuePartition(merged(classes));
  }

  /** Where the test holds, where it may, and who made it unknown for packets of `relevant`. */
  test(test: ValueTest, relevant: PacketSet): TestedPackets {
    const holds: PacketSet[] = [];
    const may: PacketSet[] = [];
    const unknownBy = new Set<DecisionRule>();
    for (const c of this.classes) {
      const result = testValue(test, c.state);
      if (result === false) continue;
      may.push(c.packets);
      if (result === true) holds.push(c.packets);
      else if (c.packets.overlaps(relevant)) for (const writer of c.state.writers[test.metadata]) unknownBy.add(writer);
    }
    const total = this.classes.length;
    const as = (sets: PacketSet[]): PacketSet | 'all' | 'none' =>
      sets.length === total ? 'all' : sets.length === 0 ? 'none' : PacketSet.unionOfDisjoint(sets);
    return { holds: as(holds), may: as(may), unknownBy };
  }

  /** Packets some rule wrote `metadata` on, and those rules (for readers that do not test values exactly). */
  changed(metadata: ValueMetadata): { packets: PacketSet; writers: Set<DecisionRule> } {
    const writers = new Set<DecisionRule>();
    const packets: PacketSet[] = [];
    for (const c of this.classes) {
      if (c.state.writers[metadata].size === 0) continue;
      packets.push(c.packets);
      for (const w of c.state.writers[metadata]) writers.add(w);
    }
    return { packets: PacketSet.unionOfDisjoint(packets), writers };
  }
}

/** One class per set of values: packets that carry the same values are decided alike. */
function merged(classes: ValueClass[]): ValueClass[] {
  const byValues = new Map<string, ValueClass[]>();
  for (const c of classes) {
    const key = valuesKey(c.state);
    const same = byValues.get(key);
    if (same) same.push(c);
    else byValues.set(key, [c]);
  }
  if (byValues.size === classes.length) return classes;
  return [...byValues.values()].map((same) =>
    same.length === 1
      ? same[0]
      : { packets: PacketSet.unionOfDisjoint(same.map((c) => c.packets)), state: same.map((c) => c.state).reduce(joinStates) },
  );
}

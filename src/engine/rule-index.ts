/** The rules of a chain indexed by the packets they may match: which rules a packet, or a set, can meet. */
import { BoxIndex, type Box, type PacketSet } from '../packetset';
import type { DecisionChain, DecisionRule } from '../model/policy';

/** Every packet a rule may match: `may`, and where the rule reads metadata, what it may match once that is unknown. */
export function widestMatch(rule: DecisionRule): PacketSet {
  return rule.reads ? rule.match.may.union(rule.reads.relaxed) : rule.match.may;
}

export class ChainIndex {
  private readonly boxes = new BoxIndex();
  /** Per box id, the position of its rule; per position, its first box id. */
  private readonly positionOf: number[] = [];
  private readonly firstBoxOf: number[] = [];

  /** `matchOf` gives every packet a rule may match for whoever asks (its widest match unless told otherwise). */
  constructor(
    readonly chain: DecisionChain,
    matchOf: (rule: DecisionRule) => PacketSet = widestMatch,
  ) {
    chain.rules.forEach((rule, position) => {
      this.firstBoxOf.push(this.boxes.size);
      for (const box of matchOf(rule).boxes) this.positionOf[this.boxes.add(box)] = position;
    });
    this.firstBoxOf.push(this.boxes.size);
  }

  /** The positions, from `from` on and below `to`, ascending, of the rules that may match a packet of the box. */
  meeting(box: Box, from = 0, to = this.chain.rules.length): number[] {
    const positions: number[] = [];
    const count = this.chain.rules.length;
    for (const id of this.boxes.overlapping(box, this.firstBoxOf[Math.min(from, count)], this.firstBoxOf[Math.min(to, count)])) {
      const position = this.positionOf[id]!;
      if (positions[positions.length - 1] !== position) positions.push(position);
    }
    return positions;
  }

  /** The positions, from `from` on and below `to`, ascending, of the rules that may match a packet of the set. */
  meetingSet(set: PacketSet, from = 0, to = this.chain.rules.length): number[] {
    if (set.boxes.length === 1) return this.meeting(set.boxes[0]!, from, to);
    const positions = new Set<number>();
    for (const box of set.boxes) for (const position of this.meeting(box, from, to)) positions.add(position);
    return [...positions].sort((a, b) => a - b);
  }
}

/** One index per chain, made when first asked for. */
export class ProgramIndex {
  private readonly indexes = new Map<DecisionChain, ChainIndex>();

  constructor(readonly matchOf: (rule: DecisionRule) => PacketSet = widestMatch) {}

  of(chain: DecisionChain): ChainIndex {
    let index = this.indexes.get(chain);
    if (!index) this.indexes.set(chain, (index = new ChainIndex(chain, this.matchOf)));
    return index;
  }
}

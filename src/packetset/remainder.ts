import { Box } from './box';
import { BoxIndex } from './box-index';
import { PacketSet } from './packet-set';
import { subtractAll } from './sweep';

/** A question that meets more cuts than this makes the base exact first. */
const MATERIALIZE_FROM = 64;
/** A witness search gives up (and answers "maybe not empty") after this many pieces. */
const SEARCH_BUDGET = 20_000;

/**
 * What is left of some packets as a decision list takes its rules' packets away, one rule after
 * the other: the packets and the cuts kept apart. A cut is only recorded (indexed); a question
 * about a rule's packets looks at the cuts that overlap them, and nothing else. So a walk over n
 * rules costs what the rules overlap, not n times the fragments of the whole difference.
 *
 * `isEmpty` and `meets` search for a packet left (a witness) instead of computing the difference;
 * `intersect` and `toPacketSet` are exact. Mutable, unlike PacketSet: it belongs to one walk.
 */
export class Remainder {
  private readonly cuts = new BoxIndex();
  /** The packets before the cuts from `since` on: the exact remainder once those are taken away. */
  private base: PacketSet;
  private since = 0;
  /** A packet known to be left, while no cut made since `witnessCheckedAt` contains it. */
  private witness: Box | undefined;
  private witnessCheckedAt = 0;

  constructor(packets: PacketSet) {
    this.base = packets;
  }

  /** Takes the packets away. */
  subtract(packets: PacketSet): void {
    if (this.base.isEmpty() || packets.isEmpty()) return;
    // A base inside the cut (a rule that catches everything left) is gone at once.
    if (this.base.boxes.every((box) => packets.boxes.some((cut) => box.subsetOf(cut)))) {
      this.base = PacketSet.EMPTY;
      return;
    }
    for (const box of packets.boxes) this.cuts.add(box);
  }

  /** What is left of `packets`, exactly. */
  intersect(packets: PacketSet): PacketSet {
    if (this.base.isEmpty() || packets.isEmpty()) return PacketSet.EMPTY;
    let meeting = this.base.intersectionPieces(packets);
    if (meeting.length === 0) return PacketSet.EMPTY;
    // Many cuts would be met again by the next question too: the base is made exact once instead.
    if (this.cuts.size - this.since > MATERIALIZE_FROM && this.cutsMeeting(meeting).length > MATERIALIZE_FROM) {
      meeting = this.toPacketSet().intersectionPieces(packets);
    }
    return PacketSet.ofDisjoint(this.minusCuts(meeting));
  }

  /**
   * Whether some packet of `packets` is left: a witness searched for instead of the difference
   * computed, which a rule that only stops packets needs no more of.
   */
  meets(packets: PacketSet): boolean {
    if (this.base.isEmpty() || packets.isEmpty()) return false;
    const meeting = this.base.intersectionPieces(packets);
    if (meeting.length === 0) return false;
    const found = this.findLeft(meeting);
    if (found === 'unknown') return this.minusCuts(meeting).length > 0;
    return found !== undefined;
  }

  isEmpty(): boolean {
    if (this.base.isEmpty()) return true;
    if (this.witness && !this.cuts.overlapsAny(this.witness, this.witnessCheckedAt)) {
      this.witnessCheckedAt = this.cuts.size;
      return false;
    }
    const found = this.findLeft(this.base.boxes);
    if (found === undefined) {
      this.base = PacketSet.EMPTY;
      return true;
    }
    // A search that gave up finds no witness to keep, and says "not empty", as it may not be.
    this.witness = found === 'unknown' ? undefined : found;
    this.witnessCheckedAt = this.cuts.size;
    return false;
  }

  /** A packet left, as a one-packet box, when `isEmpty` finds one (none when its search gives up). */
  packetLeft(): Box | undefined {
    return this.isEmpty() ? undefined : this.witness;
  }

  /** What is left, exactly (and from now on the base, so that later questions meet only newer cuts). */
  toPacketSet(): PacketSet {
    const left = this.minusCuts(this.base.boxes);
    if (left !== this.base.boxes) this.base = PacketSet.ofDisjoint(left);
    this.since = this.cuts.size;
    return this.base;
  }

  /** Disjoint boxes (within the base) minus the cuts from `since` on, as disjoint boxes not merged (the same array when no cut meets them). */
  private minusCuts(boxes: readonly Box[]): readonly Box[] {
    const hits = this.cutsMeeting(boxes);
    if (hits.length === 0) return boxes;
    return subtractAll(
      boxes,
      hits.map((id) => this.cuts.box(id)),
    );
  }

  /** The ids (ascending) of the cuts from `since` on that overlap the boxes. */
  private cutsMeeting(boxes: readonly Box[]): number[] {
    if (this.cuts.size === this.since) return [];
    if (boxes.length === 1) return this.cuts.overlapping(boxes[0]!, this.since);
    const ids = new Set<number>();
    for (const box of boxes) for (const id of this.cuts.overlapping(box, this.since)) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  }

  /**
   * A packet (as a one-packet box) of the boxes in no cut from `since` on; undefined when there is
   * none; 'unknown' when the search gave up. Depth first: a box's inner point is tried against the
   * cuts that overlap the box; the cut holding it splits the box, and its pieces are searched.
   */
  private findLeft(boxes: readonly Box[]): Box | 'unknown' | undefined {
    const pending: { box: Box; cuts: number[] }[] = boxes.map((box) => ({ box, cuts: this.cuts.overlapping(box, this.since) }));
    for (let steps = 0; pending.length > 0; steps++) {
      if (steps > SEARCH_BUDGET) return 'unknown';
      const { box, cuts } = pending.pop()!;
      const meeting = cuts.filter((id) => this.cuts.box(id).overlaps(box));
      if (meeting.length === 0) return innerPoint(box);
      if (meeting.some((id) => box.subsetOf(this.cuts.box(id)))) continue;
      const point = innerPoint(box);
      const holder = meeting.find((id) => this.cuts.box(id).overlaps(point));
      if (holder === undefined) return point;
      const rest = meeting.filter((id) => id !== holder);
      for (const piece of box.subtract(this.cuts.box(holder))) pending.push({ box: piece, cuts: rest });
    }
    return undefined;
  }
}

function innerPoint(box: Box): Box {
  return Box.point(box.inner());
}

import { BoxIndex } from './box-index';
import { PacketSet } from './packet-set';
import { subtractAll } from './sweep';

/** A set with more intervals than this (over all its boxes and dimensions) records the pieces taken from it instead of cutting it at once. */
const DEFER_FROM = 256;
/** A question that meets more recorded pieces than this makes the set exact first. */
const SETTLE_FROM = 64;

/**
 * Packets that pieces of themselves are taken from, one after another, as a chain's rules take
 * their packets: exact at every step, and `PacketSet`'s answers. Cutting a piece out of a large set
 * copies the set (a block list of n rules, each taking one address out of one interval list, would
 * copy that list n times); so while the set is large a piece is only recorded and indexed, a
 * question subtracts the pieces that overlap its packets, and the set is cut by all pieces at once
 * when a question meets many of them or the walk needs the set itself.
 */
export class ShrinkingSet {
  private base: PacketSet;
  /** The recorded pieces: pairwise disjoint, inside `base`. */
  private pieces = new BoxIndex();
  /** The packets in `base` and in the pieces, known once a piece is recorded: equal sizes mean nothing is left. */
  private baseSize = 0n;
  private piecesSize = 0n;

  constructor(packets: PacketSet) {
    this.base = packets;
  }

  isEmpty(): boolean {
    return this.base.isEmpty();
  }

  /** The packets of `packets` still in the set. */
  intersect(packets: PacketSet): PacketSet {
    const meeting = this.base.intersect(packets);
    if (this.pieces.size === 0 || meeting.isEmpty()) return meeting;
    const hits = this.piecesMeeting(meeting);
    if (hits.length === 0) return meeting;
    if (hits.length > SETTLE_FROM) return this.toPacketSet().intersect(packets);
    return PacketSet.ofDisjoint(
      subtractAll(
        meeting.boxes,
        hits.map((id) => this.pieces.box(id)),
      ),
    );
  }

  /** Takes out `piece`, which must be packets the set still has (as `intersect` answers). */
  take(piece: PacketSet): void {
    if (piece.isEmpty()) return;
    if (this.pieces.size === 0 && !hasMoreIntervals(this.base, DEFER_FROM)) {
      this.base = this.base.subtract(piece);
      return;
    }
    if (this.pieces.size === 0) this.baseSize = this.base.size();
    for (const box of piece.boxes) this.pieces.add(box);
    this.piecesSize += piece.size();
    if (this.piecesSize === this.baseSize) this.clear(PacketSet.EMPTY);
  }

  /** Adds back packets taken out earlier (what a called chain returns of the packets that jumped). */
  giveBack(packets: readonly PacketSet[]): void {
    this.base = PacketSet.unionOfDisjoint([this.toPacketSet(), ...packets]);
  }

  /** The packets left, exactly. */
  toPacketSet(): PacketSet {
    if (this.pieces.size > 0) {
      const taken = Array.from({ length: this.pieces.size }, (_, id) => this.pieces.box(id));
      this.clear(PacketSet.ofDisjoint(subtractAll(this.base.boxes, taken)));
    }
    return this.base;
  }

  private clear(base: PacketSet): void {
    this.base = base;
    this.pieces = new BoxIndex();
    this.piecesSize = 0n;
  }

  /** The ids of the recorded pieces that overlap the set. */
  private piecesMeeting(set: PacketSet): number[] {
    if (set.boxes.length === 1) return this.pieces.overlapping(set.boxes[0]!);
    const ids = new Set<number>();
    for (const box of set.boxes) for (const id of this.pieces.overlapping(box)) ids.add(id);
    return [...ids];
  }
}

/** Whether the set's boxes hold more than `limit` intervals over all dimensions. */
function hasMoreIntervals(set: PacketSet, limit: number): boolean {
  let n = 0;
  for (const box of set.boxes) {
    for (const r of box.ranges) n += r.intervalCount;
    if (n > limit) return true;
  }
  return false;
}

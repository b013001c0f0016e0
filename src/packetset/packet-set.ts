import { Box, type Point } from './box';
import { DIMENSIONS, DIMENSION_INDEX, FAMILIES, isAddressDimension, universe, type Dimension, type Family } from './dimensions';
import { Ranges } from './ranges';
import { disjointUnion, subtractAll } from './sweep';
import { BoxIndex } from './box-index';

/** Values a witness takes when the caller gives no preference and they are in the set. */
const DEFAULT_PREFERRED: Partial<Record<Dimension, readonly bigint[]>> = { sport: [40000n] };

/**
 * An immutable set of packets: a union of boxes, possibly of both families. The boxes are
 * non-empty and pairwise disjoint, so sizes add up and subtraction never has to look twice.
 */
export class PacketSet {
  static readonly EMPTY: PacketSet = new PacketSet([]);
  private static readonly FULL = {
    4: new PacketSet([Box.full(4)]),
    6: new PacketSet([Box.full(6)]),
    both: new PacketSet([Box.full(4), Box.full(6)]),
  };

  readonly boxes: readonly Box[];
  /** The boxes indexed, made once a large set has been looked up by enough small ones to pay for it. */
  #index: BoxIndex | undefined;
  /** How many boxes have been looked up in this set box by box, before it was indexed. */
  #scanned = 0;

  /** `boxes` must be non-empty and pairwise disjoint. */
  private constructor(boxes: Box[]) {
    this.boxes = Object.freeze(boxes);
  }

  /**
   * The set of disjoint boxes `settled` and `fresh`, where no two settled boxes merge (they
   * come from one PacketSet): only merges involving a fresh box need looking for.
   */
  private static fromDisjoint(settled: readonly Box[], fresh: readonly Box[]): PacketSet {
    if (settled.length + fresh.length === 0) return PacketSet.EMPTY;
    return new PacketSet(fresh.length === 0 ? [...settled] : mergeNeighbours(settled, fresh));
  }

  /** Every packet of the family, or of both families when omitted. */
  static full(family?: Family): PacketSet {
    return PacketSet.FULL[family ?? 'both'];
  }

  /** The union of any boxes; empty ones are dropped, overlapping ones made disjoint. */
  /**
   * The union of sets known to be pairwise disjoint (an evaluation's outcomes, say): no box
   * needs cutting, so this costs a merge pass instead of a subtraction per pair.
   */
  static unionOfDisjoint(sets: readonly PacketSet[]): PacketSet {
    const nonEmpty = sets.filter((s) => !s.isEmpty());
    if (nonEmpty.length <= 1) return nonEmpty[0] ?? PacketSet.EMPTY;
    const [first, ...rest] = nonEmpty;
    return PacketSet.fromDisjoint(
      first.boxes,
      rest.flatMap((s) => s.boxes),
    );
  }

  /** The union of boxes known to be pairwise disjoint (the pieces of a subtraction): only merged, never cut. */
  static ofDisjoint(boxes: readonly Box[]): PacketSet {
    return PacketSet.fromDisjoint(
      [],
      boxes.filter((box) => !box.isEmpty()),
    );
  }

  static of(boxes: Iterable<Box>): PacketSet {
    return PacketSet.fromDisjoint([], makeDisjoint(boxes));
  }

  /** The one packet p; empty when a value of p lies outside its dimension's universe. */
  static point(p: Point): PacketSet {
    const restrictions: Partial<Record<Dimension, Ranges>> = {};
    for (const dim of DIMENSIONS) restrictions[dim] = Ranges.point(BigInt(p[dim]));
    return PacketSet.of([Box.of(p.family, restrictions)]);
  }

  isEmpty(): boolean {
    return this.boxes.length === 0;
  }

  /** The number of packets. */
  size(): bigint {
    let n = 0n;
    for (const box of this.boxes) n += box.size();
    return n;
  }

  union(o: PacketSet): PacketSet {
    if (o.isEmpty() || o === this) return this;
    if (this.isEmpty()) return o;
    // Keep the set with more boxes whole and add the rest of the other: fewer boxes get cut.
    const [kept, added] = this.boxes.length >= o.boxes.length ? [this, o] : [o, this];
    return PacketSet.fromDisjoint(kept.boxes, minus(added.boxes, kept.boxes).rest);
  }

  intersect(o: PacketSet): PacketSet {
    if (o === this) return this;
    return PacketSet.fromDisjoint([], this.intersectionPieces(o));
  }

  /**
   * The intersection as disjoint boxes, not merged: for a caller that only looks at them or cuts
   * them further, and so merges once at the end (merging thousands of pieces costs more than
   * finding them).
   */
  intersectionPieces(o: PacketSet): readonly Box[] {
    if (o === this) return this.boxes;
    if (this.boxes.length < o.boxes.length) return o.intersectionPieces(this);
    const out: Box[] = [];
    const index = this.indexFor(o);
    if (index) {
      for (const b of o.boxes) for (const id of index.overlapping(b)) out.push(this.boxes[id]!.intersect(b)!);
    } else {
      for (const a of this.boxes) {
        for (const b of o.boxes) {
          const common = a.intersect(b);
          if (common !== null) out.push(common);
        }
      }
    }
    return out;
  }

  subtract(o: PacketSet): PacketSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    const { rest, fresh } = minus(this.boxes, o.boxes);
    if (rest === this.boxes) return this;
    return PacketSet.fromDisjoint(
      rest.filter((box) => !fresh.has(box)),
      [...fresh],
    );
  }

  /** Every packet of both families that is not in this set. */
  complement(): PacketSet {
    return PacketSet.full().subtract(this);
  }

  /** Intersects the dimension of every box with r. */
  restrict(dim: Dimension, r: Ranges): PacketSet {
    const unchanged: Box[] = [];
    const changed: Box[] = [];
    for (const box of this.boxes) {
      const restricted = box.restrict(dim, r);
      if (restricted === box) unchanged.push(box);
      else if (!restricted.isEmpty()) changed.push(restricted);
    }
    return unchanged.length === this.boxes.length ? this : PacketSet.fromDisjoint(unchanged, changed);
  }

  /** The packets that differ from one of this set only in the dimension. */
  relax(dim: Dimension): PacketSet {
    return PacketSet.of(this.boxes.map((box) => box.with(dim, universe(box.family, dim))));
  }

  onlyFamily(f: Family): PacketSet {
    const kept = this.boxes.filter((box) => box.family === f);
    return kept.length === this.boxes.length ? this : PacketSet.fromDisjoint(kept, []);
  }

  subsetOf(o: PacketSet): boolean {
    return this.boxes.every((box) => minus([box], o.boxes).rest.length === 0);
  }

  equals(o: PacketSet): boolean {
    if (o === this) return true;
    if (this.boxes.length === o.boxes.length) {
      const keys = new Set(this.boxes.map((box) => box.key()));
      if (o.boxes.every((box) => keys.has(box.key()))) return true;
    }
    return this.subsetOf(o) && o.subsetOf(this);
  }

  overlaps(o: PacketSet): boolean {
    if (this.boxes.length < o.boxes.length) return o.overlaps(this);
    const index = this.indexFor(o);
    if (index) return o.boxes.some((b) => index.overlapsAny(b));
    return this.boxes.some((a) => o.boxes.some((b) => a.overlaps(b)));
  }

  /**
   * The index to look up the boxes of a much smaller set `o` in, or undefined to compare them box
   * by box: indexing costs several scans of the boxes, so a set is indexed only once it has been
   * scanned for that many boxes (a set made, looked up once and dropped is never indexed).
   */
  private indexFor(o: PacketSet): BoxIndex | undefined {
    if (this.#index) return this.#index;
    if (this.boxes.length < INDEX_FROM || o.boxes.length * 4 > this.boxes.length) return undefined;
    this.#scanned += o.boxes.length;
    if (this.#scanned <= SCANS_BEFORE_INDEX) return undefined;
    return (this.#index = new BoxIndex(this.boxes));
  }

  contains(p: Point): boolean {
    return this.boxes.some((box) => box.contains(p));
  }

  /** All values the dimension takes in the family's packets. */
  project(dim: Dimension, family: Family): Ranges {
    const i = DIMENSION_INDEX[dim];
    return Ranges.unionAll(this.boxes.filter((box) => box.family === family).map((box) => box.ranges[i]!));
  }

  /**
   * One packet of the set, or undefined when empty. It depends only on the set, not on how
   * it is split into boxes: IPv4 if the set has any, then dimension by dimension in
   * DIMENSIONS order the nicest value some remaining packet has (see niceValue), keeping
   * only the packets with that value.
   */
  witness(prefer: Partial<Record<Dimension, readonly bigint[]>> = {}): Point | undefined {
    const family = FAMILIES.find((f) => this.boxes.some((box) => box.family === f));
    if (family === undefined) return undefined;
    let candidates = this.boxes.filter((box) => box.family === family);
    const values = {} as Record<Dimension, bigint>;
    DIMENSIONS.forEach((dim, i) => {
      const v = niceValue(dim, Ranges.unionAll(candidates.map((box) => box.ranges[i]!)), prefer[dim]);
      values[dim] = v;
      candidates = candidates.filter((box) => box.ranges[i]!.contains(v));
    });
    return {
      family,
      src: values.src,
      dst: values.dst,
      proto: Number(values.proto),
      sport: Number(values.sport),
      dport: Number(values.dport),
      icmp: Number(values.icmp),
      tcpflags: Number(values.tcpflags),
      iif: Number(values.iif),
      oif: Number(values.oif),
      state: Number(values.state),
    };
  }
}

/**
 * The value of a non-empty Ranges a witness takes: the first preferred value inside, else
 * sport 40000 (an ephemeral port) if inside, else the first value, except that an address
 * range starting on a network address (two low bits zero) with more than two addresses
 * gives the next address: 10.20.0.0/16 gives 10.20.0.1.
 */
function niceValue(dim: Dimension, r: Ranges, preferred: readonly bigint[] = []): bigint {
  const chosen = r.pick([...preferred, ...(DEFAULT_PREFERRED[dim] ?? [])])!;
  if (!isAddressDimension(dim) || preferred.includes(chosen)) return chosen;
  const [lo, hi] = r.intervals[0]!;
  return lo % 4n === 0n && hi - lo >= 2n ? lo + 1n : lo;
}

/** A set of this many boxes or more is indexed to intersect it with a much smaller one. */
const INDEX_FROM = 32;

/** How many boxes a set is scanned for before it is indexed: building an index costs about as much as this many scans. */
const SCANS_BEFORE_INDEX = 12;

/** Up to this many box pairs, subtracting box by box beats indexing and sweeping. */
const PAIRWISE_UP_TO = 64;

/** subtractBoxes, by subtractAll (index and sweep) when there are many boxes on both sides. */
function minus(from: readonly Box[], cutters: readonly Box[]): { rest: readonly Box[]; fresh: Set<Box> } {
  if (from.length * cutters.length <= PAIRWISE_UP_TO) return subtractBoxes(from, cutters);
  const rest = subtractAll(from, cutters);
  const old = new Set(from);
  const fresh = new Set(rest.filter((box) => !old.has(box)));
  return { rest: fresh.size === 0 && rest.length === from.length ? from : rest, fresh };
}

/**
 * `from` minus every box of `minus`: `rest`, which is `from` itself when nothing overlaps,
 * and which of its boxes are `fresh` (not in `from`). Pieces of a box are disjoint and stay
 * inside it, so disjoint input gives disjoint output.
 */
function subtractBoxes(from: readonly Box[], minus: readonly Box[]): { rest: readonly Box[]; fresh: Set<Box> } {
  let pieces = from;
  const fresh = new Set<Box>();
  let mergedAt = from.length;
  for (const b of minus) {
    let next: Box[] | undefined;
    for (let i = 0; i < pieces.length; i++) {
      const a = pieces[i]!;
      if (!a.overlaps(b)) {
        next?.push(a);
        continue;
      }
      next ??= pieces.slice(0, i);
      fresh.delete(a);
      for (const piece of a.subtract(b)) {
        next.push(piece);
        fresh.add(piece);
      }
    }
    if (next === undefined) continue;
    // Merging costs a pass over the pieces, so only do it once they have grown a lot.
    if (next.length > 2 * mergedAt + 16) {
      const settled = new Set(next.filter((box) => !fresh.has(box)));
      next = mergeNeighbours([...settled], [...fresh]);
      fresh.clear();
      for (const box of next) if (!settled.has(box)) fresh.add(box);
      mergedAt = next.length;
    }
    pieces = next;
    if (pieces.length === 0) break;
  }
  return { rest: pieces, fresh };
}

/**
 * Merges boxes that agree in all dimensions but one into one box (the union of that
 * dimension) until no two boxes merge. The union of the merged boxes is exactly the new box,
 * so disjointness from the other boxes is kept. No two `settled` boxes merge, so only groups
 * with a fresh box are looked for. Boxes are grouped by hash; a box whose hash collides with
 * a group it does not agree with is left unmerged, which costs compactness, never correctness.
 */
function mergeNeighbours(settled: readonly Box[], fresh: readonly Box[]): Box[] {
  if (settled.length + fresh.length <= SMALL_MERGE) return mergeFew(settled, fresh);
  // Sets keep insertion order, so the result is deterministic.
  const kept = new Set(settled);
  let pending = fresh;
  while (pending.length > 0) {
    const alive = new Set(pending);
    const candidates = mergeCandidates(kept, pending);
    const merged: Box[] = [];
    for (let d = 0; d < DIMENSIONS.length && alive.size > 0; d++) {
      const groups = new Map<number, Box[]>();
      const join = (box: Box): boolean => {
        const hash = box.neighbourHash(d);
        const group = groups.get(hash);
        if (group === undefined) groups.set(hash, [box]);
        else if (group[0]!.agreesExcept(box, d)) group.push(box);
        else return false;
        return true;
      };
      for (const box of alive) join(box);
      for (const box of candidates) {
        if (kept.has(box) && groups.has(box.neighbourHash(d)) && join(box)) kept.delete(box);
      }
      for (const group of groups.values()) {
        if (group.length === 1) continue;
        for (const box of group) alive.delete(box);
        merged.push(group[0]!.replaced(d, Ranges.unionAll(group.map((box) => box.ranges[d]!))));
      }
    }
    for (const box of alive) kept.add(box);
    pending = merged;
  }
  return [...kept];
}

/** Below this many boxes, merging pair by pair is cheaper than grouping by hash. */
const SMALL_MERGE = 8;

/** mergeNeighbours for a few boxes: try every pair with a fresh box until none merges. */
function mergeFew(settled: readonly Box[], fresh: readonly Box[]): Box[] {
  if (fresh.length === 0) return [...settled];
  if (settled.length + fresh.length === 1) return [fresh[0]!];
  const boxes = [...settled, ...fresh];
  /** Whether boxes[i] is fresh: two settled boxes never merge. */
  const isFresh = boxes.map((_, i) => i >= settled.length);
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < boxes.length && !merged; i++) {
      for (let j = i + 1; j < boxes.length && !merged; j++) {
        if (!isFresh[i] && !isFresh[j]) continue;
        const d = differingDimension(boxes[i]!, boxes[j]!);
        if (d < 0) continue;
        boxes[i] = boxes[i]!.replaced(d, boxes[i]!.ranges[d]!.union(boxes[j]!.ranges[d]!));
        isFresh[i] = true;
        boxes.splice(j, 1);
        isFresh.splice(j, 1);
        merged = true;
      }
    }
  }
  return boxes;
}

/** The one dimension in which two boxes of a family differ, or -1 (none, several, or different families). */
function differingDimension(a: Box, b: Box): number {
  if (a.family !== b.family) return -1;
  let found = -1;
  for (let d = 0; d < a.ranges.length; d++) {
    if (a.ranges[d]!.equals(b.ranges[d]!)) continue;
    if (found >= 0) return -1;
    found = d;
  }
  return found;
}

/**
 * The settled boxes that could merge with a fresh one: a box differing from every fresh box
 * in two dimensions cannot. Looking up a few hashes filters out most boxes cheaply.
 */
function mergeCandidates(settled: Iterable<Box>, fresh: readonly Box[]): Box[] {
  const freshHashes = DIMENSIONS.map((_, i) => new Set(fresh.map((box) => box.ranges[i]!.hash())));
  const candidates: Box[] = [];
  for (const box of settled) {
    let mismatches = 0;
    for (let i = 0; i < freshHashes.length && mismatches < 2; i++) if (!freshHashes[i]!.has(box.ranges[i]!.hash())) mismatches++;
    if (mismatches < 2) candidates.push(box);
  }
  return candidates;
}

/** Non-empty, pairwise disjoint boxes with the same union as `boxes`. */
function makeDisjoint(boxes: Iterable<Box>): Box[] {
  const unique = new Map<string, Box>();
  for (const box of boxes) if (!box.isEmpty()) unique.set(box.key(), box);
  return disjointUnion(mergeNeighbours([], [...unique.values()]));
}

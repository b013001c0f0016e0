import { DIMENSIONS, DIMENSION_INDEX, universe, type Dimension, type Family } from './dimensions';
import { mix } from './hash';
import { Ranges } from './ranges';

/** One concrete packet. */
export interface Point {
  family: Family;
  src: bigint;
  dst: bigint;
  proto: number;
  sport: number;
  dport: number;
  icmp: number;
  tcpflags: number;
  iif: number;
  oif: number;
  state: number;
}

/** Reading a fixed property is much faster than p[dim] with dim varying. */
const READ_POINT: Readonly<Record<Dimension, (p: Point) => bigint | number>> = {
  dport: (p) => p.dport,
  dst: (p) => p.dst,
  src: (p) => p.src,
  proto: (p) => p.proto,
  sport: (p) => p.sport,
  icmp: (p) => p.icmp,
  tcpflags: (p) => p.tcpflags,
  iif: (p) => p.iif,
  oif: (p) => p.oif,
  state: (p) => p.state,
};
const POINT_READERS = DIMENSIONS.map((dim) => READ_POINT[dim]);

const FULL_RANGES: Readonly<Record<Family, readonly Ranges[]>> = {
  4: DIMENSIONS.map((dim) => universe(4, dim)),
  6: DIMENSIONS.map((dim) => universe(6, dim)),
};

/**
 * An immutable box: the packets of one family whose value in every dimension lies in that
 * dimension's Ranges. Every Ranges lies within the dimension's universe.
 */
export class Box {
  readonly family: Family;
  /** One Ranges per dimension, in DIMENSIONS order. */
  readonly ranges: readonly Ranges[];
  readonly #empty: boolean;
  /** Bit i set when dimension i is narrower than its universe (only those can cut another box); -1 until known. */
  #constrained = -1;
  #key: string | undefined;
  /** Per dimension a hash of its index and Ranges, and their sum: see neighbourHash. */
  #dimensionHashes: number[] | undefined;
  #hashSum = 0;

  private constructor(family: Family, ranges: Ranges[], empty?: boolean, constrained = -1) {
    this.family = family;
    this.ranges = ranges;
    if (empty === undefined) {
      empty = false;
      for (const r of ranges) if (r.isEmpty()) empty = true;
    }
    this.#empty = empty;
    this.#constrained = constrained;
  }

  private static readonly FULL: Readonly<Record<Family, Box>> = {
    4: new Box(4, [...FULL_RANGES[4]], false, 0),
    6: new Box(6, [...FULL_RANGES[6]], false, 0),
  };

  static full(family: Family): Box {
    return Box.FULL[family];
  }

  /** The full box of the family restricted in the given dimensions. */
  static of(family: Family, restrictions: Partial<Record<Dimension, Ranges>>): Box {
    const ranges = [...FULL_RANGES[family]];
    for (const [dim, r] of Object.entries(restrictions) as [Dimension, Ranges][]) {
      const i = DIMENSION_INDEX[dim];
      ranges[i] = ranges[i]!.intersect(r);
    }
    return new Box(family, ranges);
  }

  /** The smallest box holding every one of `boxes` (non-empty, all of one family): per dimension, lowest to highest value. */
  static hull(boxes: readonly Box[]): Box {
    const first = boxes[0]!;
    const ranges = first.ranges.map((r, i) => {
      let [lo, hi] = [r.lowAt(0), r.highAt(r.intervalCount - 1)];
      for (const box of boxes) {
        const other = box.ranges[i]!;
        const [l, h] = [other.lowAt(0), other.highAt(other.intervalCount - 1)];
        if (l < lo) lo = l;
        if (h > hi) hi = h;
      }
      return r.intervalCount === 1 && lo === r.lowAt(0) && hi === r.highAt(0) ? r : Ranges.fromAscending([lo, hi]);
    });
    return new Box(first.family, ranges);
  }

  get(dim: Dimension): Ranges {
    return this.ranges[DIMENSION_INDEX[dim]]!;
  }

  /** This box with the dimension replaced by r (clipped to the dimension's universe). */
  with(dim: Dimension, r: Ranges): Box {
    const i = DIMENSION_INDEX[dim];
    return this.replaced(i, FULL_RANGES[this.family][i]!.intersect(r));
  }

  /** This box with the dimension intersected with r. */
  restrict(dim: Dimension, r: Ranges): Box {
    const i = DIMENSION_INDEX[dim];
    return this.replaced(i, this.ranges[i]!.intersect(r));
  }

  /** This box with the dimension at index i replaced; the caller keeps r inside the universe. */
  replaced(i: number, r: Ranges): Box {
    if (this.ranges[i] === r) return this;
    const ranges = [...this.ranges];
    ranges[i] = r;
    return new Box(this.family, ranges);
  }

  isEmpty(): boolean {
    return this.#empty;
  }

  /** The number of packets. */
  size(): bigint {
    let n = 1n;
    for (const r of this.ranges) n *= r.size();
    return n;
  }

  overlaps(o: Box): boolean {
    if (this.family !== o.family || this.#empty || o.#empty) return false;
    // Where either box spans the universe the two overlap: only dimensions both constrain can keep them apart.
    for (let both = this.constrained() & o.constrained(), i = 0; both !== 0; both >>>= 1, i++) {
      if ((both & 1) !== 0 && !this.ranges[i]!.overlaps(o.ranges[i]!)) return false;
    }
    return true;
  }

  subsetOf(o: Box): boolean {
    if (this.isEmpty()) return true;
    if (this.family !== o.family) return false;
    for (let rest = o.constrained(), i = 0; rest !== 0; rest >>>= 1, i++) {
      if ((rest & 1) !== 0 && !this.ranges[i]!.subsetOf(o.ranges[i]!)) return false;
    }
    return true;
  }

  /** Semantic equality: all empty boxes are equal. */
  equals(o: Box): boolean {
    if (this.isEmpty() || o.isEmpty()) return this.isEmpty() && o.isEmpty();
    if (this === o) return true;
    if (this.family !== o.family || this.constrained() !== o.constrained()) return false;
    for (let i = 0; i < this.ranges.length; i++) if (!this.ranges[i]!.equals(o.ranges[i]!)) return false;
    return true;
  }

  /** null when the families differ or the intersection is empty. */
  intersect(o: Box): Box | null {
    if (!this.overlaps(o)) return null;
    const mine = this.constrained();
    const theirs = o.constrained();
    // Only dimensions both constrain need intersecting; elsewhere the narrower side is the answer.
    if ((theirs & ~mine) === 0 && this.#allWithin(o, theirs)) return this;
    if ((mine & ~theirs) === 0 && o.#allWithin(this, mine)) return o;
    const ranges: Ranges[] = new Array<Ranges>(this.ranges.length);
    for (let i = 0; i < ranges.length; i++) {
      const bit = 1 << i;
      if ((theirs & bit) === 0) ranges[i] = this.ranges[i]!;
      else if ((mine & bit) === 0) ranges[i] = o.ranges[i]!;
      else {
        const r = this.ranges[i]!.intersect(o.ranges[i]!);
        if (r.isEmpty()) return null;
        ranges[i] = r;
      }
    }
    return new Box(this.family, ranges, false, mine | theirs);
  }

  /** Whether every dimension of `dims` of this box lies within o's. */
  #allWithin(o: Box, dims: number): boolean {
    for (let rest = dims, i = 0; rest !== 0; rest >>>= 1, i++) {
      if ((rest & 1) !== 0 && !this.ranges[i]!.subsetOf(o.ranges[i]!)) return false;
    }
    return true;
  }

  /**
   * This box minus o as disjoint boxes. Splitting dimension by dimension in DIMENSIONS order
   * gives at most one piece per dimension: the piece of dimension i keeps the earlier
   * dimensions cut down to o and takes the part of dimension i outside o.
   */
  subtract(o: Box): Box[] {
    if (!this.overlaps(o)) return this.#empty ? [] : [this];
    const pieces: Box[] = [];
    let inside: Ranges[] | undefined;
    // Where o spans the whole universe nothing of this box lies outside it.
    for (let rest = o.constrained(), i = 0; rest !== 0; rest >>>= 1, i++) {
      if ((rest & 1) === 0) continue;
      const mine = (inside ?? this.ranges)[i]!;
      const outside = mine.subtract(o.ranges[i]!);
      if (outside.isEmpty()) continue;
      const piece = [...(inside ?? this.ranges)];
      piece[i] = outside;
      pieces.push(new Box(this.family, piece, false));
      inside ??= [...this.ranges];
      inside[i] = mine.intersect(o.ranges[i]!);
    }
    return pieces;
  }

  /**
   * A packet of the box away from the values rules name most (the lowest, the well-known ports,
   * network and broadcast addresses): in each dimension 0.618 of the way into the first interval.
   */
  inner(): Point {
    const at = (dim: Dimension): number | bigint => {
      const r = this.get(dim);
      const lo = r.lowAt(0);
      const hi = r.highAt(0);
      if (typeof lo === 'number' && typeof hi === 'number') return lo + Math.floor((hi - lo) * 0.618);
      const [l, h] = [BigInt(lo), BigInt(hi)];
      return l + ((h - l) * 618n) / 1000n;
    };
    return {
      family: this.family,
      src: BigInt(at('src')),
      dst: BigInt(at('dst')),
      proto: Number(at('proto')),
      sport: Number(at('sport')),
      dport: Number(at('dport')),
      icmp: Number(at('icmp')),
      tcpflags: Number(at('tcpflags')),
      iif: Number(at('iif')),
      oif: Number(at('oif')),
      state: Number(at('state')),
    };
  }

  /** The box of the one packet p (empty when a value lies outside its dimension's universe). */
  static point(p: Point): Box {
    const ranges = POINT_READERS.map((read, i) => {
      const v = read(p);
      return FULL_RANGES[p.family][i]!.intersect(typeof v === 'bigint' ? Ranges.point(v) : Ranges.ofNumbers(v, v));
    });
    return new Box(p.family, ranges);
  }

  contains(p: Point): boolean {
    if (p.family !== this.family) return false;
    for (let i = 0; i < DIMENSIONS.length; i++) if (!this.ranges[i]!.contains(POINT_READERS[i]!(p))) return false;
    return true;
  }

  /** A string that identifies a non-empty box: equal boxes, and only they, have equal keys. */
  key(): string {
    this.#key ??= `${this.family}|${this.ranges.map((r) => r.key()).join('|')}`;
    return this.#key;
  }

  /**
   * A hash of the family and every dimension but the one at index i: boxes that agree in all
   * dimensions but i (and so merge into one box) have equal hashes. O(1) once the per-dimension
   * hashes are known, because the sum of all minus one term leaves out dimension i.
   */
  neighbourHash(i: number): number {
    if (this.#dimensionHashes === undefined) {
      this.#dimensionHashes = this.ranges.map((r, n) => mix(n, r.hash()));
      this.#hashSum = this.#dimensionHashes.reduce((sum, h) => (sum + h) | 0, this.family);
    }
    return (this.#hashSum - this.#dimensionHashes[i]!) | 0;
  }

  /** Whether o has the same family and the same Ranges in every dimension but the one at index i. */
  agreesExcept(o: Box, i: number): boolean {
    if (this.family !== o.family) return false;
    for (let n = 0; n < this.ranges.length; n++) if (n !== i && !this.ranges[n]!.equals(o.ranges[n]!)) return false;
    return true;
  }

  /** The dimensions narrower than their universe, as a bit mask (bit i for DIMENSIONS[i]). */
  constrained(): number {
    if (this.#constrained < 0) {
      const full = FULL_RANGES[this.family];
      let mask = 0;
      for (let i = 0; i < this.ranges.length; i++) {
        const r = this.ranges[i]!;
        if (r !== full[i] && !r.equals(full[i]!)) mask |= 1 << i;
      }
      this.#constrained = mask;
    }
    return this.#constrained;
  }
}

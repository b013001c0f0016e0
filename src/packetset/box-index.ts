import { Box } from './box';
import { DIMENSION_INDEX, FAMILIES, type Family } from './dimensions';
import { type Ranges } from './ranges';
import type { PacketSet } from './packet-set';

/**
 * The dimensions boxes are indexed by: rules discriminate most by destination port and address,
 * then source, interfaces and protocol (a rule that names only an interface is found by it).
 */
const INDEXED_NAMES = ['dport', 'dst', 'src', 'iif', 'oif', 'proto'] as const;
const INDEXED = INDEXED_NAMES.map((name) => DIMENSION_INDEX[name]);

/** IPv6 addresses are placed by their top 52 bits, a number: finer than any rule set draws lines. */
const IPV6_SHIFT = 76n;

/** A set of more intervals than this is indexed and looked up by its hull: fewer entries, a few more candidates. */
const MAX_INTERVALS = 8;

/** The intervals of r to index or look up, as coordinates: r's own, or its hull when it has many. */
function spans(r: Ranges, family: Family, dim: number): [number, number][] {
  const n = r.intervalCount;
  if (isOneSpan(r)) return [[coordinate(r.lowAt(0), family, dim), coordinate(r.highAt(n - 1), family, dim)]];
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([coordinate(r.lowAt(i), family, dim), coordinate(r.highAt(i), family, dim)]);
  return out;
}

/** Whether r is indexed and looked up as one interval: its own, or its hull. */
function isOneSpan(r: Ranges): boolean {
  const n = r.intervalCount;
  return n === 1 || n > MAX_INTERVALS;
}

/**
 * Where the values of one dimension fall, as numbers: ports and IPv4 addresses themselves,
 * IPv6 addresses by their top bits (coarser: the index then finds a few boxes too many).
 */
function coordinate(v: number | bigint, family: Family, dim: number): number {
  if (family === 4 || (dim !== DIMENSION_INDEX.dst && dim !== DIMENSION_INDEX.src)) return Number(v);
  return typeof v === 'number' ? 0 : Number(v >> IPV6_SHIFT);
}

/** The smallest k with 2^k ≥ width (width ≥ 1). */
function levelOf(width: number): number {
  if (width <= 2 ** 31) return width <= 1 ? 0 : 32 - Math.clz32(width - 1);
  let level = 31;
  while (2 ** level < width) level++;
  return level;
}

/**
 * Intervals of one dimension in buckets of several sizes: an interval of width w sits in the
 * one or two buckets of the smallest size 2^k ≥ w, so a lookup visits few buckets per size.
 */
class Grid {
  /** The levels that hold ids, by bucket size 2^k: bucket number → box ids, how many ids the level holds, and its lowest and highest bucket. */
  private readonly levels: Level[] = [];
  /** Per k, its level in `levels`, if any. */
  private readonly byLevel: (Level | undefined)[] = [];

  /** How many ids the grid holds (each interval of a box counts). */
  entries = 0;

  add(id: number, lo: number, hi: number): void {
    const k = levelOf(hi - lo + 1);
    const size = 2 ** k;
    const first = Math.floor(lo / size);
    const last = Math.floor(hi / size);
    let at = this.byLevel[k];
    if (!at) {
      at = { size, buckets: new Map(), entries: 0, lowest: first, highest: last };
      this.byLevel[k] = at;
      this.levels.push(at);
    }
    at.lowest = Math.min(at.lowest, first);
    at.highest = Math.max(at.highest, last);
    for (let b = first; b <= last; b++) {
      const list = at.buckets.get(b);
      if (list) list.push(id);
      else at.buckets.set(b, [id]);
      at.entries++;
      this.entries++;
    }
  }

  /**
   * How many ids a lookup of lo..hi would visit: counted in the buckets of a level the range spans
   * few of, else that level's count in proportion to the part of its buckets' span the range covers
   * (a wide range meets few of many narrow intervals spread over the space).
   */
  estimate(lo: number, hi: number): number {
    let visits = 0;
    // Indexed loops, not iterators: this runs for every grid of every group at every lookup.
    for (let l = 0; l < this.levels.length; l++) {
      const { size, buckets, entries, lowest, highest } = this.levels[l]!;
      const first = Math.max(Math.floor(lo / size), lowest);
      const last = Math.min(Math.floor(hi / size), highest);
      if (first > last) continue;
      if (last - first > 2) visits += Math.ceil((entries * (last - first + 1)) / (highest - lowest + 1));
      else for (let b = first; b <= last; b++) visits += buckets.get(b)?.length ?? 0;
    }
    return visits;
  }

  /**
   * Calls visit with every id from `from` on and below `to` whose interval may overlap lo..hi (some
   * more than once). A bucket lists its ids ascending, as they were added, so only that part of it
   * is read: a rule asking about the rules before it reads none of those after it.
   */
  lookup(lo: number, hi: number, from: number, to: number, visit: (id: number) => void): void {
    for (let l = 0; l < this.levels.length; l++) {
      const { size, buckets } = this.levels[l]!;
      const first = Math.floor(lo / size);
      const last = Math.floor(hi / size);
      if (last - first + 1 <= buckets.size) {
        for (let b = first; b <= last; b++) {
          const ids = buckets.get(b);
          if (ids) visitBetween(ids, from, to, visit);
        }
      } else {
        for (const [b, ids] of buckets) if (b >= first && b <= last) visitBetween(ids, from, to, visit);
      }
    }
  }
}

/** Calls visit with the ids of an ascending list from `from` on and below `to`. */
function visitBetween(ids: readonly number[], from: number, to: number, visit: (id: number) => void): void {
  for (let i = from > (ids[0] ?? 0) ? firstAtLeast(ids, from) : 0; i < ids.length && ids[i]! < to; i++) visit(ids[i]!);
}

/** The position of the first id of an ascending list that is at least `id` (the length when none is). */
function firstAtLeast(ids: readonly number[], id: number): number {
  let [lo, hi] = [0, ids.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The intervals of one grid whose width rounds up to the same power of two. */
interface Level {
  size: number;
  buckets: Map<number, number[]>;
  entries: number;
  lowest: number;
  highest: number;
}

/**
 * The boxes of one family that constrain the same indexed dimensions, with a grid for each of
 * them: every box of a group is in each of its grids, so a lookup in one visits no box that the
 * dimension cannot tell apart (a rule that names no port is not visited by a port).
 */
interface Group {
  ids: number[];
  /** Per indexed dimension (by position in INDEXED), its grid, where the group's boxes constrain it. */
  grids: (Grid | undefined)[];
}

/** Which indexed dimensions a box constrains, as bits by position in INDEXED. */
function groupKey(constrained: number): number {
  let key = 0;
  INDEXED.forEach((dim, g) => {
    if ((constrained & (1 << dim)) !== 0) key |= 1 << g;
  });
  return key;
}

/**
 * An index of boxes (append-only): which of them overlap a given box. The boxes are grouped by
 * the indexed dimensions they constrain; in each group the lookup looks only at the boxes whose
 * values in one dimension (whichever the query narrows most there) may meet the query's.
 */
export class BoxIndex {
  private readonly boxes: Box[] = [];
  private readonly families: Record<Family, Map<number, Group>> = { 4: new Map(), 6: new Map() };
  /** marks[id] === epoch when the current lookup has seen the id already. */
  private marks: number[] = [];
  /** filtered[id] === epoch when the current lookup's filtering grid says the id may overlap. */
  private filtered: number[] = [];
  private epoch = 0;

  constructor(boxes: Iterable<Box> = []) {
    for (const box of boxes) this.add(box);
  }

  get size(): number {
    return this.boxes.length;
  }

  box(id: number): Box {
    return this.boxes[id]!;
  }

  /** Adds a box; its id is its position, counted from 0. */
  add(box: Box): number {
    const id = this.boxes.length;
    this.boxes.push(box);
    this.marks.push(0);
    this.filtered.push(0);
    const key = groupKey(box.constrained());
    const groups = this.families[box.family];
    let group = groups.get(key);
    if (!group) {
      group = { ids: [], grids: INDEXED.map((_, g) => ((key & (1 << g)) !== 0 ? new Grid() : undefined)) };
      groups.set(key, group);
    }
    group.ids.push(id);
    group.grids.forEach((grid, g) => {
      if (!grid) return;
      const dim = INDEXED[g]!;
      for (const [lo, hi] of spans(box.ranges[dim]!, box.family, dim)) grid.add(id, lo, hi);
    });
    return id;
  }

  /**
   * The ids, from `from` on and below `to`, ascending, of the boxes that overlap `query`. Where a
   * group's cheapest grid still visits many ids (rules that share a port, say, and a network), the
   * next cheapest one filters them first: marking an id costs much less than comparing its box.
   */
  overlapping(query: Box, from = 0, to = Infinity): number[] {
    if (query.isEmpty()) return [];
    const found: number[] = [];
    this.epoch++;
    /** Whether the current group's lookup is filtered (only ids marked in `filtered` are compared). */
    let filtering = false;
    const take = (id: number): void => {
      if (this.marks[id] === this.epoch) return;
      this.marks[id] = this.epoch;
      if (filtering && this.filtered[id] !== this.epoch) return;
      if (this.boxes[id]!.overlaps(query)) found.push(id);
    };
    const mark = (id: number): void => {
      this.filtered[id] = this.epoch;
    };
    for (const group of this.families[query.family].values()) {
      const [best, second] = cheapest(group, query);
      filtering = false;
      if (!best) {
        visitBetween(group.ids, from, to, take);
        continue;
      }
      if (second && best.cost > FILTER_FROM && second.cost <= FILTER_RATIO * best.cost) {
        visit(group, second.grid, query, from, to, mark);
        filtering = true;
      }
      visit(group, best.grid, query, from, to, take);
    }
    return found.sort((a, b) => a - b);
  }

  /** Whether some box overlaps `query`. */
  overlapsAny(query: Box, from = 0): boolean {
    return this.overlapping(query, from).length > 0;
  }
}

/** Calls visit with every id from `from` on and below `to` of the group the grid says may overlap the query in its dimension (some more than once). */
function visit(group: Group, g: number, query: Box, from: number, to: number, each: (id: number) => void): void {
  const grid = group.grids[g]!;
  const dim = INDEXED[g]!;
  for (const [lo, hi] of spans(query.ranges[dim]!, query.family, dim)) grid.lookup(lo, hi, from, to, each);
}

/**
 * The two grids of the group whose lookups for the query visit the fewest ids, cheapest first,
 * with how many each visits; none when the query constrains none of the group's dimensions (or
 * no grid beats looking at every box of the group).
 */
function cheapest(group: Group, query: Box): { grid: number; cost: number }[] {
  const constrained = query.constrained();
  const all = group.ids.length;
  const ranked: { grid: number; cost: number }[] = [];
  group.grids.forEach((grid, g) => {
    const dim = INDEXED[g]!;
    if (!grid || (constrained & (1 << dim)) === 0) return;
    let cost = 0;
    const r = query.ranges[dim]!;
    if (isOneSpan(r)) {
      cost = grid.estimate(coordinate(r.lowAt(0), query.family, dim), coordinate(r.highAt(r.intervalCount - 1), query.family, dim));
    } else {
      for (const [lo, hi] of spans(r, query.family, dim)) {
        if (cost >= all) break;
        cost += grid.estimate(lo, hi);
      }
    }
    if (cost < all) ranked.push({ grid: g, cost });
  });
  return ranked.sort((a, b) => a.cost - b.cost || a.grid - b.grid).slice(0, 2);
}

/** A lookup whose cheapest grid visits more ids than this is filtered by the next cheapest, if that visits at most FILTER_RATIO times as many. */
const FILTER_FROM = 32;
const FILTER_RATIO = 8;

/** Up to this many sets a lookup tries them all; beyond, their boxes are indexed. */
const FEW_SETS = 16;
/** A set of more boxes than this is indexed by its hull, one per family: far fewer entries, a few more candidates. */
const HULL_FROM = 4;

/** The boxes a set is indexed by: its own, or when it has many, the hull of those of each family. */
function indexedBoxes(set: PacketSet): readonly Box[] {
  if (set.boxes.length <= HULL_FROM) return set.boxes;
  return FAMILIES.map((family) => set.boxes.filter((box) => box.family === family))
    .filter((boxes) => boxes.length > 0)
    .map((boxes) => Box.hull(boxes));
}

/**
 * An index of packet sets: which of them (by position) may share packets with a given set, so that
 * pairing each of many sets with each of many others costs what they overlap, not every pair.
 */
export class SetIndex {
  private readonly boxes: BoxIndex | undefined;
  /** Per box id, the position of its set. */
  private readonly ownerOf: number[] = [];

  constructor(private readonly sets: readonly PacketSet[]) {
    if (sets.length <= FEW_SETS) return;
    this.boxes = new BoxIndex();
    sets.forEach((set, position) => {
      for (const box of indexedBoxes(set)) this.ownerOf[this.boxes!.add(box)] = position;
    });
  }

  /** The positions, ascending, of the sets that may overlap `set` (a superset: some only share its hull, or are few). */
  meeting(set: PacketSet): number[] {
    if (!this.boxes) return this.sets.map((_, position) => position);
    const owners = new Set<number>();
    for (const box of set.boxes) for (const id of this.boxes.overlapping(box)) owners.add(this.ownerOf[id]!);
    return [...owners].sort((a, b) => a - b);
  }
}

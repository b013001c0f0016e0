import { mix } from './hash';

/** A closed interval of integers, lo ≤ hi. */
export type Interval = readonly [lo: bigint, hi: bigint];

/**
 * The intervals flattened to lo0, hi0, lo1, hi1, …: sorted, disjoint and non-adjacent. Numbers when
 * every bound is a safe integer (ports, protocols, interfaces, IPv4 and low IPv6 addresses), else
 * bigints; so each set has one form, and the number form is the one hot paths meet.
 */
type NumberBounds = readonly number[];
type BigBounds = readonly bigint[];

/** Past this many bounds, a lookup into the other side is a binary search instead of a scan. */
const SEARCH_FROM = 32;

/**
 * An immutable set of integers stored as a sorted list of disjoint, non-adjacent closed
 * intervals. Because the form is canonical, structural equality is set equality.
 */
export class Ranges {
  static readonly EMPTY: Ranges = new Ranges([]);

  readonly #bounds: NumberBounds | BigBounds;
  #intervals: readonly Interval[] | undefined;
  #key: string | undefined;
  #hash: number | undefined;

  /** `bounds` must be canonical: see NumberBounds; numbers whenever all are safe integers. */
  private constructor(bounds: NumberBounds | BigBounds) {
    this.#bounds = bounds;
  }

  private static numbers(bounds: number[]): Ranges {
    return bounds.length === 0 ? Ranges.EMPTY : new Ranges(bounds);
  }

  /** Bigint bounds in canonical order, stored as numbers when they all fit. */
  private static bigints(bounds: bigint[]): Ranges {
    if (bounds.length === 0) return Ranges.EMPTY;
    return new Ranges(bounds.every(isSafe) ? bounds.map(Number) : bounds);
  }

  /** The values lo..hi; empty when lo > hi. */
  static of(lo: bigint, hi: bigint): Ranges {
    if (lo > hi) return Ranges.EMPTY;
    return isSafe(lo) && isSafe(hi) ? new Ranges([Number(lo), Number(hi)]) : new Ranges([lo, hi]);
  }

  /** The values lo..hi of safe integers; empty when lo > hi. */
  static ofNumbers(lo: number, hi: number): Ranges {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new RangeError(`${lo}..${hi} are not safe integers`);
    return lo > hi ? Ranges.EMPTY : new Ranges([lo, hi]);
  }

  static point(v: bigint): Ranges {
    return Ranges.of(v, v);
  }

  /** Any intervals in any order; those with lo > hi are empty and ignored. */
  static fromIntervals(list: Iterable<Interval>): Ranges {
    const all: Interval[] = [];
    let safe = true;
    for (const interval of list) {
      if (interval[0] > interval[1]) continue;
      all.push(interval);
      safe &&= isSafe(interval[0]) && isSafe(interval[1]);
    }
    if (safe) {
      const bounds: number[] = [];
      for (const [lo, hi] of all) bounds.push(Number(lo), Number(hi));
      return Ranges.numbers(coalesceNumbers(bounds));
    }
    all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const bounds: bigint[] = [];
    for (const [lo, hi] of all) {
      const last = bounds.length - 1;
      if (last > 0 && lo <= bounds[last]! + 1n) {
        if (hi > bounds[last]!) bounds[last] = hi;
      } else bounds.push(lo, hi);
    }
    return Ranges.bigints(bounds);
  }

  /** Any intervals of safe integers, as lo0, hi0, lo1, hi1, … in any order; those with lo > hi are ignored. */
  static fromNumberBounds(list: readonly number[]): Ranges {
    for (const v of list) if (!Number.isSafeInteger(v)) throw new RangeError(`${v} is not a safe integer`);
    return Ranges.numbers(coalesceNumbers([...list]));
  }

  /** The union of many sets in one sort, cheaper than folding union(). */
  static unionAll(list: Iterable<Ranges>): Ranges {
    const sets: Ranges[] = [];
    let allNumbers = true;
    for (const r of list) {
      if (r.isEmpty()) continue;
      sets.push(r);
      allNumbers &&= !r.#big;
    }
    if (sets.length <= 2) return sets.length === 0 ? Ranges.EMPTY : sets.length === 1 ? sets[0]! : sets[0]!.union(sets[1]!);
    if (!allNumbers) return Ranges.fromIntervals(sets.flatMap((r) => r.intervals));
    const bounds: number[] = [];
    for (const r of sets) for (const v of r.#bounds as NumberBounds) bounds.push(v);
    return Ranges.numbers(coalesceNumbers(bounds));
  }

  get #big(): boolean {
    return typeof this.#bounds[0] === 'bigint';
  }

  /** The intervals as bigint pairs (made on first use: the operations work on the bounds). */
  get intervals(): readonly Interval[] {
    if (this.#intervals === undefined) {
      const b = this.#bounds;
      const list: Interval[] = [];
      for (let i = 0; i < b.length; i += 2) list.push(Object.freeze([BigInt(b[i]!), BigInt(b[i + 1]!)] as const));
      this.#intervals = Object.freeze(list);
    }
    return this.#intervals;
  }

  /** The number of intervals. */
  get intervalCount(): number {
    return this.#bounds.length / 2;
  }

  /** The lower bound of interval i, as the set stores it (a number unless beyond the safe integers). */
  lowAt(i: number): number | bigint {
    return this.#bounds[2 * i]!;
  }

  /** The upper bound of interval i, as the set stores it. */
  highAt(i: number): number | bigint {
    return this.#bounds[2 * i + 1]!;
  }

  /**
   * The set of the intervals lo0..hi0, lo1..hi1, … given as numbers or bigints in ascending order,
   * disjoint (adjacent ones are joined).
   */
  static fromAscending(bounds: readonly (number | bigint)[]): Ranges {
    const out: (number | bigint)[] = [];
    let big = false;
    for (let i = 0; i < bounds.length; i += 2) {
      const lo = bounds[i]!;
      const hi = bounds[i + 1]!;
      big ||= typeof lo === 'bigint' || typeof hi === 'bigint';
      const last = out.length - 1;
      if (last > 0 && follows(lo, out[last]!)) out[last] = hi;
      else out.push(lo, hi);
    }
    if (!big) return Ranges.numbers(out as number[]);
    return Ranges.bigints(out.map((v) => BigInt(v)));
  }

  isEmpty(): boolean {
    return this.#bounds.length === 0;
  }

  /** Whether the integer v is in the set; a number saves converting a packet's port or protocol. */
  contains(v: bigint | number): boolean {
    const b = this.#bounds;
    if (typeof b[0] === 'bigint') {
      if (typeof v === 'number' && !Number.isInteger(v)) return false;
      return searchBig(b as BigBounds, BigInt(v)) >= 0;
    }
    let n: number;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return false;
      n = v;
    } else {
      // Every bound is a safe integer, so a value beyond them is outside.
      if (!isSafe(v)) return false;
      n = Number(v);
    }
    return searchNumbers(b as NumberBounds, n) >= 0;
  }

  union(o: Ranges): Ranges {
    if (o.isEmpty() || o === this) return this;
    if (this.isEmpty()) return o;
    const a = this.#bounds;
    const b = o.#bounds;
    if (typeof a[0] === 'number' && typeof b[0] === 'number') return this.unionNumbers(o, a as NumberBounds, b as NumberBounds);
    return Ranges.bigints(unionBig(toBig(a), toBig(b)));
  }

  private unionNumbers(o: Ranges, a: NumberBounds, b: NumberBounds): Ranges {
    if (a.length === 2 && b.length === 2) {
      const [alo, ahi] = a as [number, number];
      const [blo, bhi] = b as [number, number];
      if (alo <= blo && bhi <= ahi) return this;
      if (blo <= alo && ahi <= bhi) return o;
      if (ahi + 1 < blo) return new Ranges([alo, ahi, blo, bhi]);
      if (bhi + 1 < alo) return new Ranges([blo, bhi, alo, ahi]);
      return new Ranges([Math.min(alo, blo), Math.max(ahi, bhi)]);
    }
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      let lo: number;
      let hi: number;
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        lo = a[i]!;
        hi = a[i + 1]!;
        i += 2;
      } else {
        lo = b[j]!;
        hi = b[j + 1]!;
        j += 2;
      }
      const last = out.length - 1;
      if (last > 0 && lo <= out[last]! + 1) {
        if (hi > out[last]!) out[last] = hi;
      } else out.push(lo, hi);
    }
    if (sameNumbers(out, a)) return this;
    if (sameNumbers(out, b)) return o;
    return new Ranges(out);
  }

  intersect(o: Ranges): Ranges {
    if (o === this) return this;
    const a = this.#bounds;
    const b = o.#bounds;
    if (a.length === 0 || b.length === 0) return Ranges.EMPTY;
    if (typeof a[0] === 'number' && typeof b[0] === 'number') return this.intersectNumbers(o, a as NumberBounds, b as NumberBounds);
    const out = intersectBig(toBig(a), toBig(b));
    return Ranges.bigints(out);
  }

  private intersectNumbers(o: Ranges, a: NumberBounds, b: NumberBounds): Ranges {
    // A set within the other's one interval is the intersection, found without copying it.
    if (b.length === 2 && b[0]! <= a[0]! && a[a.length - 1]! <= b[1]!) return this;
    if (a.length === 2 && a[0]! <= b[0]! && b[b.length - 1]! <= a[1]!) return o;
    if (a.length === 2 && b.length === 2) {
      const lo = a[0]! > b[0]! ? a[0]! : b[0]!;
      const hi = a[1]! < b[1]! ? a[1]! : b[1]!;
      if (lo > hi) return Ranges.EMPTY;
      if (lo === a[0] && hi === a[1]) return this;
      if (lo === b[0] && hi === b[1]) return o;
      return new Ranges([lo, hi]);
    }
    // A small set against a large one: look up each small interval in the large one.
    if (a.length > SEARCH_FROM && b.length * 8 < a.length) return o.intersectInto(this, b, a);
    if (b.length > SEARCH_FROM && a.length * 8 < b.length) return this.intersectInto(o, a, b);
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = a[i]! > b[j]! ? a[i]! : b[j]!;
      const hi = a[i + 1]! < b[j + 1]! ? a[i + 1]! : b[j + 1]!;
      if (lo <= hi) out.push(lo, hi);
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    if (sameNumbers(out, a)) return this;
    if (sameNumbers(out, b)) return o;
    return Ranges.numbers(out);
  }

  /** this (`small`, few bounds) ∩ o (`large`), finding each interval of this in o by binary search. */
  private intersectInto(o: Ranges, small: NumberBounds, large: NumberBounds): Ranges {
    const out: number[] = [];
    for (let i = 0; i < small.length; i += 2) {
      const lo = small[i]!;
      const hi = small[i + 1]!;
      for (let k = firstEndingAtOrAfter(large, lo); k < large.length && large[k]! <= hi; k += 2) {
        out.push(large[k]! > lo ? large[k]! : lo, large[k + 1]! < hi ? large[k + 1]! : hi);
      }
    }
    if (sameNumbers(out, small)) return this;
    if (sameNumbers(out, large)) return o;
    return Ranges.numbers(out);
  }

  subtract(o: Ranges): Ranges {
    if (o.isEmpty() || this.isEmpty()) return this;
    // Boxes cut from one another share the Ranges of the dimensions the cut left alone: no scan for those.
    if (o === this) return Ranges.EMPTY;
    const a = this.#bounds;
    const b = o.#bounds;
    if (typeof a[0] === 'number' && typeof b[0] === 'number') {
      const out = subtractNumbers(a as NumberBounds, b as NumberBounds);
      return out === undefined ? this : Ranges.numbers(out);
    }
    const out = subtractBig(toBig(a), toBig(b));
    return out === undefined ? this : Ranges.bigints(out);
  }

  overlaps(o: Ranges): boolean {
    const a = this.#bounds;
    const b = o.#bounds;
    if (a.length === 0 || b.length === 0) return false;
    if (typeof a[0] === 'number' && typeof b[0] === 'number') {
      if (a.length === 2 && b.length === 2) return a[0]! <= b[1]! && b[0]! <= a[1]!;
      if (a.length > SEARCH_FROM && b.length * 8 < a.length) return overlapsBySearch(b as NumberBounds, a as NumberBounds);
      if (b.length > SEARCH_FROM && a.length * 8 < b.length) return overlapsBySearch(a as NumberBounds, b as NumberBounds);
    }
    return overlapsScan(a, b);
  }

  subsetOf(o: Ranges): boolean {
    if (o === this) return true;
    const a = this.#bounds;
    const b = o.#bounds;
    if (a.length === 0) return true;
    if (b.length === 0) return false;
    // A bigint-form set reaches beyond the safe integers, where no number-form set does.
    if (typeof a[0] === 'bigint' && typeof b[0] === 'number') return false;
    // Within one interval is within its bounds: no scan of a set of thousands of intervals.
    if (b.length === 2) return b[0]! <= a[0]! && a[a.length - 1]! <= b[1]!;
    return subsetScan(a, b);
  }

  equals(o: Ranges): boolean {
    if (o === this) return true;
    const a = this.#bounds;
    const b = o.#bounds;
    if (a.length !== b.length) return false;
    if (this.#hash !== undefined && o.#hash !== undefined && this.#hash !== o.#hash) return false;
    // Bounds of different types differ: only one side has a value beyond the safe integers.
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** The number of values. */
  size(): bigint {
    const b = this.#bounds;
    if (typeof b[0] === 'number') {
      let n = 0;
      for (let i = 0; i < b.length; i += 2) n += (b[i + 1] as number) - (b[i] as number) + 1;
      if (Number.isSafeInteger(n)) return BigInt(n);
    }
    let n = 0n;
    for (let i = 0; i < b.length; i += 2) n += BigInt(b[i + 1]!) - BigInt(b[i]!) + 1n;
    return n;
  }

  first(): bigint | undefined {
    const b = this.#bounds;
    return b.length === 0 ? undefined : BigInt(b[0]!);
  }

  /** The first of `preferred` that is in the set, else the smallest value. */
  pick(preferred: readonly bigint[] = []): bigint | undefined {
    for (const v of preferred) if (this.contains(v)) return v;
    return this.first();
  }

  /** A 32-bit hash of the set: equal sets have equal hashes. */
  hash(): number {
    if (this.#hash === undefined) {
      const b = this.#bounds;
      let h = b.length / 2;
      for (const v of b) {
        if (typeof v === 'number') {
          h = mix(mix(h, v >>> 0), Math.floor(v / 2 ** 32));
        } else {
          for (let rest = v; rest !== 0n && rest !== -1n; rest >>= 32n) h = mix(h, Number(BigInt.asUintN(32, rest)));
        }
      }
      this.#hash = h;
    }
    return this.#hash;
  }

  /** A string that identifies the set: equal sets, and only they, have equal keys. */
  key(): string {
    if (this.#key === undefined) {
      const b = this.#bounds;
      const parts: string[] = [];
      for (let i = 0; i < b.length; i += 2)
        parts.push(b[i] === b[i + 1] ? b[i]!.toString(36) : `${b[i]!.toString(36)}~${b[i + 1]!.toString(36)}`);
      this.#key = parts.join(',');
    }
    return this.#key;
  }
}

/** Whether v is prev + 1, either being a number or a bigint. */
function follows(v: number | bigint, prev: number | bigint): boolean {
  if (typeof v === 'number' && typeof prev === 'number') return v === prev + 1;
  return BigInt(v) === BigInt(prev) + 1n;
}

function isSafe(v: bigint): boolean {
  return v <= 9007199254740991n && v >= -9007199254740991n;
}

function toBig(bounds: NumberBounds | BigBounds): BigBounds {
  return typeof bounds[0] === 'bigint' ? (bounds as BigBounds) : (bounds as NumberBounds).map(BigInt);
}

function sameNumbers(a: readonly number[], b: NumberBounds): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sorts intervals (lo, hi pairs, those with lo > hi dropped) and merges overlapping and adjacent ones. */
function coalesceNumbers(bounds: number[]): number[] {
  const pairs: [number, number][] = [];
  let sorted = true;
  for (let i = 0; i < bounds.length; i += 2) {
    if (bounds[i]! > bounds[i + 1]!) continue;
    if (pairs.length > 0 && bounds[i]! < pairs[pairs.length - 1]![0]) sorted = false;
    pairs.push([bounds[i]!, bounds[i + 1]!]);
  }
  if (!sorted) pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) {
      if (hi > out[last]!) out[last] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

/** The index (even) of the first interval whose hi is at least v; bounds.length when none. */
function firstEndingAtOrAfter(bounds: NumberBounds, v: number): number {
  let lo = 0;
  let hi = bounds.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[2 * mid + 1]! < v) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo;
}

/** The index of the interval holding v, or -1. */
function searchNumbers(bounds: NumberBounds, v: number): number {
  const k = firstEndingAtOrAfter(bounds, v);
  return k < bounds.length && bounds[k]! <= v ? k : -1;
}

function searchBig(bounds: BigBounds, v: bigint): number {
  let lo = 0;
  let hi = bounds.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (v < bounds[2 * mid]!) hi = mid - 1;
    else if (v > bounds[2 * mid + 1]!) lo = mid + 1;
    else return 2 * mid;
  }
  return -1;
}

function overlapsBySearch(small: NumberBounds, large: NumberBounds): boolean {
  for (let i = 0; i < small.length; i += 2) {
    const k = firstEndingAtOrAfter(large, small[i]!);
    if (k < large.length && large[k]! <= small[i + 1]!) return true;
  }
  return false;
}

/** Whether two bound lists share a value; with a number and a bigint list, comparisons across the types are exact. */
function overlapsScan(a: NumberBounds | BigBounds, b: NumberBounds | BigBounds): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! <= b[j + 1]! && b[j]! <= a[i + 1]!) return true;
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return false;
}

function subsetScan(a: NumberBounds | BigBounds, b: NumberBounds | BigBounds): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    while (j < b.length && b[j + 1]! < a[i]!) j += 2;
    // Intervals of b are non-adjacent, so an interval of a must sit inside a single one.
    if (j >= b.length || b[j]! > a[i]! || b[j + 1]! < a[i + 1]!) return false;
  }
  return true;
}

/** a minus b, or undefined when b cuts nothing of a. */
function subtractNumbers(a: NumberBounds, b: NumberBounds): number[] | undefined {
  // Only the intervals of a from b's first value to its last can change: the others are copied whole.
  const last = b[b.length - 1]!;
  const from = firstEndingAtOrAfter(a, b[0]!);
  let to = firstEndingAtOrAfter(a, last);
  if (to < a.length && a[to]! <= last) to += 2;
  if (from >= to) return undefined;
  const middle: number[] = [];
  let cut = false;
  let j = 0;
  for (let i = from; i < to; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    while (j < b.length && b[j + 1]! < lo) j += 2;
    // b[j] may reach past hi and still cut the next interval, so scan with k and keep j.
    for (let k = j; k < b.length && b[k]! <= hi && lo <= hi; k += 2) {
      cut = true;
      if (b[k]! > lo) middle.push(lo, b[k]! - 1);
      lo = b[k + 1]! + 1;
    }
    if (lo <= hi) middle.push(lo, hi);
  }
  if (!cut) return undefined;
  if (from === 0 && to === a.length) return middle;
  return a.slice(0, from).concat(middle, a.slice(to));
}

function unionBig(a: BigBounds, b: BigBounds): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let lo: bigint;
    let hi: bigint;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      lo = a[i]!;
      hi = a[i + 1]!;
      i += 2;
    } else {
      lo = b[j]!;
      hi = b[j + 1]!;
      j += 2;
    }
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1n) {
      if (hi > out[last]!) out[last] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

function intersectBig(a: BigBounds, b: BigBounds): bigint[] {
  const out: bigint[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i]! > b[j]! ? a[i]! : b[j]!;
    const hi = a[i + 1]! < b[j + 1]! ? a[i + 1]! : b[j + 1]!;
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

function subtractBig(a: BigBounds, b: BigBounds): bigint[] | undefined {
  const out: bigint[] = [];
  let cut = false;
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    while (j < b.length && b[j + 1]! < lo) j += 2;
    for (let k = j; k < b.length && b[k]! <= hi && lo <= hi; k += 2) {
      cut = true;
      if (b[k]! > lo) out.push(lo, b[k]! - 1n);
      lo = b[k + 1]! + 1n;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return cut ? out : undefined;
}

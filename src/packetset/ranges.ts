import { mix } from './hash';

/** A closed interval of integers, lo ≤ hi. */
export type Interval = readonly [lo: bigint, hi: bigint];

type MutableInterval = [lo: bigint, hi: bigint];

/**
 * An immutable set of integers stored as a sorted list of disjoint, non-adjacent closed
 * intervals. Because the form is canonical, structural equality is set equality.
 */
export class Ranges {
  static readonly EMPTY: Ranges = new Ranges([]);

  readonly intervals: readonly Interval[];
  /**
   * The intervals flattened to lo0, hi0, lo1, hi1, …; as numbers when all are safe integers,
   * because comparing numbers is many times faster than comparing bigints.
   */
  readonly #bounds: Bounds;
  #key: string | undefined;
  #hash: number | undefined;

  /** `intervals` must already be sorted, disjoint and non-adjacent. */
  private constructor(intervals: MutableInterval[]) {
    for (const interval of intervals) Object.freeze(interval);
    this.intervals = Object.freeze(intervals);
    const numbers: number[] = [];
    for (const [lo, hi] of intervals) numbers.push(Number(lo), Number(hi));
    // Number() rounds values beyond the safe integers, and only those.
    this.#bounds = numbers.every(Number.isSafeInteger) ? numbers : intervals.flat();
  }

  /** The values lo..hi; empty when lo > hi. */
  static of(lo: bigint, hi: bigint): Ranges {
    return lo > hi ? Ranges.EMPTY : new Ranges([[lo, hi]]);
  }

  static point(v: bigint): Ranges {
    return new Ranges([[v, v]]);
  }

  /** Any intervals in any order; those with lo > hi are empty and ignored. */
  static fromIntervals(list: Iterable<Interval>): Ranges {
    const sorted: MutableInterval[] = [];
    for (const [lo, hi] of list) if (lo <= hi) sorted.push([lo, hi]);
    sorted.sort(compareLo);
    return sorted.length === 0 ? Ranges.EMPTY : new Ranges(coalesce(sorted));
  }

  /** The union of many sets in one sort, cheaper than folding union(). */
  static unionAll(list: Iterable<Ranges>): Ranges {
    const all: Interval[] = [];
    for (const r of list) for (const interval of r.intervals) all.push(interval);
    return Ranges.fromIntervals(all);
  }

  isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  /** Whether the integer v is in the set; a number saves converting a packet's port or protocol. */
  contains(v: bigint | number): boolean {
    if (typeof v === 'number' && !Number.isInteger(v)) return false;
    const bounds = this.#bounds;
    // Every bound is a safe integer, so rounding v cannot move it across one.
    return isNumbers(bounds) ? boundsContain(bounds, Number(v)) : boundsContain(bounds, BigInt(v));
  }

  union(o: Ranges): Ranges {
    if (o.isEmpty() || o === this) return this;
    if (this.isEmpty()) return o;
    const a = this.intervals;
    const b = o.intervals;
    const merged: MutableInterval[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const next = j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!;
      const last = merged[merged.length - 1];
      if (last !== undefined && next[0] <= last[1] + 1n) {
        if (next[1] > last[1]) last[1] = next[1];
      } else {
        merged.push([next[0], next[1]]);
      }
    }
    return new Ranges(merged);
  }

  intersect(o: Ranges): Ranges {
    if (o === this) return this;
    const a = this.intervals;
    const b = o.intervals;
    // Fast path for the common single-interval case.
    if (a.length === 1 && b.length === 1) {
      const lo = a[0]![0] > b[0]![0] ? a[0]![0] : b[0]![0];
      const hi = a[0]![1] < b[0]![1] ? a[0]![1] : b[0]![1];
      if (lo === a[0]![0] && hi === a[0]![1]) return this;
      if (lo === b[0]![0] && hi === b[0]![1]) return o;
      return Ranges.of(lo, hi);
    }
    const out: MutableInterval[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const [aLo, aHi] = a[i]!;
      const [bLo, bHi] = b[j]!;
      const lo = aLo > bLo ? aLo : bLo;
      const hi = aHi < bHi ? aHi : bHi;
      if (lo <= hi) out.push([lo, hi]);
      if (aHi < bHi) i++;
      else j++;
    }
    return out.length === 0 ? Ranges.EMPTY : new Ranges(out);
  }

  subtract(o: Ranges): Ranges {
    if (o.isEmpty() || this.isEmpty()) return this;
    const b = o.intervals;
    const out: MutableInterval[] = [];
    let cut = false;
    let j = 0;
    for (const [start, hi] of this.intervals) {
      let lo = start;
      while (j < b.length && b[j]![1] < lo) j++;
      // b[j] may reach past hi and still cut the next interval, so scan with k and keep j.
      for (let k = j; k < b.length && b[k]![0] <= hi && lo <= hi; k++) {
        cut = true;
        if (b[k]![0] > lo) out.push([lo, b[k]![0] - 1n]);
        lo = b[k]![1] + 1n;
      }
      if (lo <= hi) out.push([lo, hi]);
    }
    if (!cut) return this;
    return out.length === 0 ? Ranges.EMPTY : new Ranges(out);
  }

  overlaps(o: Ranges): boolean {
    const [a, b] = comparable(this.#bounds, o.#bounds);
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i]! <= b[j + 1]! && b[j]! <= a[i + 1]!) return true;
      if (a[i + 1]! < b[j + 1]!) i += 2;
      else j += 2;
    }
    return false;
  }

  subsetOf(o: Ranges): boolean {
    if (o === this) return true;
    const [a, b] = comparable(this.#bounds, o.#bounds);
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      while (j < b.length && b[j + 1]! < a[i]!) j += 2;
      // Intervals of o are non-adjacent, so an interval of this one must sit inside a single one.
      if (j >= b.length || b[j]! > a[i]! || b[j + 1]! < a[i + 1]!) return false;
    }
    return true;
  }

  equals(o: Ranges): boolean {
    if (o === this) return true;
    const a = this.#bounds;
    const b = o.#bounds;
    if (a.length !== b.length) return false;
    // Bounds of different types differ: only one side has a value beyond the safe integers.
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** The number of values. */
  size(): bigint {
    let n = 0n;
    for (const [lo, hi] of this.intervals) n += hi - lo + 1n;
    return n;
  }

  first(): bigint | undefined {
    return this.intervals[0]?.[0];
  }

  /** The first of `preferred` that is in the set, else the smallest value. */
  pick(preferred: readonly bigint[] = []): bigint | undefined {
    for (const v of preferred) if (this.contains(v)) return v;
    return this.first();
  }

  /** A 32-bit hash of the set: equal sets have equal hashes. */
  hash(): number {
    if (this.#hash === undefined) {
      let h = this.intervals.length;
      for (const v of this.#bounds) {
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
    this.#key ??= this.intervals.map(([lo, hi]) => (lo === hi ? lo.toString(36) : `${lo.toString(36)}~${hi.toString(36)}`)).join(',');
    return this.#key;
  }
}

type Bounds = readonly number[] | readonly bigint[];

function isNumbers(bounds: Bounds): bounds is readonly number[] {
  return typeof bounds[0] !== 'bigint';
}

/** Two bound lists of one type, converting numbers to bigints when the other side needs them. */
function comparable(a: Bounds, b: Bounds): [readonly number[], readonly number[]] | [readonly bigint[], readonly bigint[]] {
  if (isNumbers(a) && isNumbers(b)) return [a, b];
  return [isNumbers(a) ? a.map(BigInt) : a, isNumbers(b) ? b.map(BigInt) : b];
}

function boundsContain<T extends number | bigint>(bounds: readonly T[], v: T): boolean {
  let lo = 0;
  let hi = bounds.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (v < bounds[2 * mid]!) hi = mid - 1;
    else if (v > bounds[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

function compareLo(a: Interval, b: Interval): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Merges overlapping and adjacent intervals of a list sorted by lo, in place. */
function coalesce(sorted: MutableInterval[]): MutableInterval[] {
  let n = 0;
  for (const interval of sorted) {
    const last = sorted[n - 1];
    if (last !== undefined && interval[0] <= last[1] + 1n) {
      if (interval[1] > last[1]) last[1] = interval[1];
    } else {
      sorted[n++] = interval;
    }
  }
  sorted.length = n;
  return sorted;
}

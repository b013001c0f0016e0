import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Ranges, type Interval } from '../../src/packetset';

/** Values 0..SPAN-1 above an offset; the offsets put sets below, across and far beyond 2^53. */
const SPAN = 24;
const OFFSETS = [0n, 2n ** 53n - 12n, 2n ** 127n];
/** Probes one below and one above the span too, so values outside are checked as well. */
const PROBES = Array.from({ length: SPAN + 2 }, (_, i) => BigInt(i - 1));

/** A list of intervals within the span, in any order, overlapping or not, some empty (lo > hi). */
const intervalList = fc.array(fc.tuple(fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 0, max: SPAN - 1 })), { maxLength: 6 });

interface Sample {
  ranges: Ranges;
  /** The brute-force model: bit i set when offset + i is in the set. */
  bits: boolean[];
}

function sample(list: readonly (readonly number[])[], offset: bigint): Sample {
  const bits = Array.from({ length: SPAN }, (_, v) => list.some(([lo, hi]) => lo! <= v && v <= hi!));
  const intervals: Interval[] = list.map(([lo, hi]) => [offset + BigInt(lo!), offset + BigInt(hi!)]);
  return { ranges: Ranges.fromIntervals(intervals), bits };
}

const pair = fc
  .tuple(fc.constantFrom(...OFFSETS), intervalList, intervalList)
  .map(([offset, a, b]) => ({ offset, a: sample(a, offset), b: sample(b, offset) }));

function member(bits: boolean[], i: bigint): boolean {
  return i >= 0n && i < BigInt(SPAN) && bits[Number(i)]!;
}

function assertMatches(r: Ranges, bits: boolean[], offset: bigint): void {
  for (let i = 1; i < r.intervals.length; i++) {
    assert.ok(r.intervals[i]![0] > r.intervals[i - 1]![1] + 1n, `intervals ${i - 1} and ${i} overlap or touch`);
  }
  for (const [lo, hi] of r.intervals) assert.ok(lo <= hi);
  for (const i of PROBES) assert.equal(r.contains(offset + i), member(bits, i), `membership of offset+${i}`);
}

describe('Ranges against a brute-force bit set', () => {
  it('fromIntervals is normalized and has exactly the listed values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OFFSETS), intervalList, (offset, list) => {
        const { ranges, bits } = sample(list, offset);
        assertMatches(ranges, bits, offset);
        assert.equal(ranges.size(), BigInt(bits.filter(Boolean).length));
        assert.equal(ranges.isEmpty(), !bits.includes(true));
        const lowest = bits.indexOf(true);
        assert.equal(ranges.first(), lowest < 0 ? undefined : offset + BigInt(lowest));
        assert.ok(ranges.equals(Ranges.fromIntervals([...ranges.intervals].reverse())));
      }),
    );
  });

  it('union, intersect and subtract', () => {
    fc.assert(
      fc.property(pair, ({ offset, a, b }) => {
        assertMatches(
          a.ranges.union(b.ranges),
          a.bits.map((x, i) => x || b.bits[i]!),
          offset,
        );
        assertMatches(
          a.ranges.intersect(b.ranges),
          a.bits.map((x, i) => x && b.bits[i]!),
          offset,
        );
        assertMatches(
          a.ranges.subtract(b.ranges),
          a.bits.map((x, i) => x && !b.bits[i]!),
          offset,
        );
      }),
    );
  });

  it('overlaps, subsetOf, equals, key and hash', () => {
    fc.assert(
      fc.property(pair, ({ a, b }) => {
        const same = a.bits.every((x, i) => x === b.bits[i]);
        assert.equal(
          a.ranges.overlaps(b.ranges),
          a.bits.some((x, i) => x && b.bits[i]),
        );
        assert.equal(
          a.ranges.subsetOf(b.ranges),
          a.bits.every((x, i) => !x || b.bits[i]),
        );
        assert.equal(a.ranges.equals(b.ranges), same);
        assert.equal(a.ranges.key() === b.ranges.key(), same);
        if (same) assert.equal(a.ranges.hash(), b.ranges.hash());
      }),
    );
  });

  it('sets at different offsets are never equal and never overlap', () => {
    fc.assert(
      fc.property(intervalList, (list) => {
        const [low, middle, high] = OFFSETS.map((offset) => sample(list, offset).ranges);
        if (low!.isEmpty()) return;
        assert.ok(!low!.equals(middle!) && !middle!.equals(high!));
        assert.ok(!low!.overlaps(middle!) && !middle!.overlaps(high!) && !high!.overlaps(low!));
        assert.ok(!middle!.subsetOf(low!) && !middle!.subsetOf(high!));
      }),
    );
  });

  it('pick takes the first preferred value inside, else the smallest', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OFFSETS),
        intervalList,
        fc.array(fc.integer({ min: -1, max: SPAN }), { maxLength: 4 }),
        (offset, list, preferred) => {
          const { ranges, bits } = sample(list, offset);
          const inside = preferred.find((v) => member(bits, BigInt(v)));
          const expected = inside !== undefined ? offset + BigInt(inside) : ranges.first();
          assert.equal(ranges.pick(preferred.map((v) => offset + BigInt(v))), expected);
        },
      ),
    );
  });
});

describe('Ranges examples', () => {
  it('of is empty when lo > hi, point is one value', () => {
    assert.ok(Ranges.of(5n, 4n).isEmpty());
    assert.equal(Ranges.of(5n, 4n), Ranges.EMPTY);
    assert.deepEqual(Ranges.point(7n).intervals, [[7n, 7n]]);
    assert.equal(Ranges.of(0n, 65535n).size(), 65536n);
    assert.ok(Ranges.of(0n, 65535n).contains(443) && !Ranges.of(0n, 65535n).contains(1.5) && !Ranges.of(0n, 65535n).contains(65536));
  });

  it('fromIntervals sorts and merges overlapping and adjacent intervals, dropping empty ones', () => {
    const r = Ranges.fromIntervals([
      [10n, 12n],
      [1n, 2n],
      [3n, 4n],
      [11n, 20n],
      [30n, 29n],
      [22n, 22n],
    ]);
    assert.deepEqual(r.intervals, [
      [1n, 4n],
      [10n, 20n],
      [22n, 22n],
    ]);
    assert.equal(r.size(), 4n + 11n + 1n);
  });

  it('subtract cuts holes and keeps what a wide interval of the other spans twice', () => {
    const r = Ranges.fromIntervals([
      [0n, 10n],
      [20n, 30n],
    ]).subtract(
      Ranges.fromIntervals([
        [5n, 22n],
        [25n, 25n],
      ]),
    );
    assert.deepEqual(r.intervals, [
      [0n, 4n],
      [23n, 24n],
      [26n, 30n],
    ]);
  });

  it('works on 128-bit values', () => {
    const top = 2n ** 128n - 1n;
    const r = Ranges.of(0n, top).subtract(Ranges.of(2n ** 64n, top - 1n));
    assert.deepEqual(r.intervals, [
      [0n, 2n ** 64n - 1n],
      [top, top],
    ]);
    assert.equal(r.size(), 2n ** 64n + 1n);
    assert.ok(r.contains(top) && !r.contains(top - 1n));
  });

  it('unionAll is the union of all', () => {
    const all = Ranges.unionAll([Ranges.of(1n, 3n), Ranges.point(4n), Ranges.of(8n, 9n), Ranges.EMPTY]);
    assert.deepEqual(all.intervals, [
      [1n, 4n],
      [8n, 9n],
    ]);
  });

  it('pick prefers listed values in order', () => {
    const r = Ranges.fromIntervals([
      [80n, 80n],
      [443n, 443n],
    ]);
    assert.equal(r.pick([22n, 443n, 80n]), 443n);
    assert.equal(r.pick([22n]), 80n);
    assert.equal(Ranges.EMPTY.pick([1n]), undefined);
  });
});

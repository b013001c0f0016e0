import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Box,
  BoxIndex,
  PacketSet,
  Ranges,
  Remainder,
  SetIndex,
  ShrinkingSet,
  disjointUnion,
  subtractAll,
  universe,
  type Family,
  type Point,
} from '../../src/packetset';

/*
 * Boxes over a small grid: in dport, dst and src any set of the values 0..5 plus, or not, the
 * whole tail from 6 on (at an offset beyond 2^53 for IPv6 addresses, so that both number and
 * bigint bounds are met). Every packet is like one grid point: its class in each dimension.
 */
const DIMS = ['dport', 'dst', 'src'] as const;
type Dim = (typeof DIMS)[number];
const TAIL = 6;
const OFFSET: Record<Family, bigint> = { 4: 0n, 6: 2n ** 100n };

function offset(family: Family, dim: Dim): bigint {
  return dim === 'dport' ? 0n : OFFSET[family];
}

/** A dimension's classes 0..TAIL (TAIL standing for every value from TAIL on) as a Ranges. */
function classRanges(family: Family, dim: Dim, classes: readonly boolean[]): Ranges {
  const base = offset(family, dim);
  const top = universe(family, dim).intervals[0]![1];
  const intervals: [bigint, bigint][] = [];
  classes.forEach((on, c) => {
    if (!on) return;
    intervals.push(c === TAIL ? [base + BigInt(TAIL), top] : [base + BigInt(c), base + BigInt(c)]);
  });
  return Ranges.fromIntervals(intervals);
}

const classSet = fc.array(fc.boolean(), { minLength: TAIL + 1, maxLength: TAIL + 1 }).filter((a) => a.includes(true));
const box = fc
  .record({ family: fc.constantFrom<Family>(4, 4, 6), dport: classSet, dst: classSet, src: classSet, whole: fc.subarray([...DIMS]) })
  .map(({ family, whole, ...classes }) =>
    Box.of(family, Object.fromEntries(DIMS.filter((d) => !whole.includes(d)).map((d) => [d, classRanges(family, d, classes[d])]))),
  );

/** A dimension's grid values: one per class, and for IPv6 addresses one below the offset (only a whole dimension has it). */
function gridValues(family: Family, dim: Dim): bigint[] {
  const classes = Array.from({ length: TAIL + 1 }, (_, c) => offset(family, dim) + BigInt(c));
  return offset(family, dim) > 0n ? [0n, ...classes] : classes;
}

const GRID: Point[] = [];
for (const family of [4, 6] as Family[])
  for (const dport of gridValues(family, 'dport'))
    for (const dst of gridValues(family, 'dst'))
      for (const src of gridValues(family, 'src')) {
        GRID.push({ family, dport: Number(dport), dst, src, proto: 6, sport: 1, icmp: 0, tcpflags: 2, iif: 1, oif: 0, state: 0 });
      }

function inAny(boxes: readonly Box[], p: Point): boolean {
  return boxes.some((b) => b.contains(p));
}

function assertDisjoint(boxes: readonly Box[]): void {
  for (let i = 0; i < boxes.length; i++) {
    assert.ok(!boxes[i]!.isEmpty(), `box ${i} is empty`);
    for (let j = 0; j < i; j++) assert.ok(!boxes[i]!.overlaps(boxes[j]!), `boxes ${j} and ${i} overlap`);
  }
}

describe('BoxIndex', () => {
  it('finds exactly the boxes that overlap, in order, from the given id on', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 40 }), box, fc.nat({ max: 40 }), (boxes, query, from) => {
        const index = new BoxIndex(boxes);
        const expected = boxes.flatMap((b, id) => (id >= from && b.overlaps(query) ? [id] : []));
        assert.deepEqual(index.overlapping(query, from), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds exactly the boxes that overlap among many that share a port and an address (a second grid filters the first), between the given ids', () => {
    // Rules of a few ports to a few hosts and networks: each port's bucket holds many, so the lookup filters by address too.
    const point = (v: number): Ranges => Ranges.point(BigInt(v));
    const span = (lo: number, width: number): Ranges => Ranges.fromIntervals([[BigInt(lo), BigInt(lo + width - 1)]]);
    const ruleBox = fc
      .record({
        port: fc.constantFrom(80, 443, 3389),
        dst: fc.nat({ max: 40 }),
        width: fc.constantFrom(1, 1, 1, 8, 32),
        src: fc.option(fc.nat({ max: 9 })),
      })
      .map(({ port, dst, width, src }) =>
        Box.of(4, { dport: point(port), dst: span(dst, width), ...(src === null ? {} : { src: point(src) }) }),
      );
    fc.assert(
      fc.property(
        fc.array(ruleBox, { minLength: 200, maxLength: 400 }),
        ruleBox,
        fc.nat({ max: 400 }),
        fc.nat({ max: 450 }),
        (boxes, query, from, to) => {
          const index = new BoxIndex(boxes);
          const expected = boxes.flatMap((b, id) => (id >= from && id < to && b.overlaps(query) ? [id] : []));
          assert.deepEqual(index.overlapping(query, from, to), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds boxes by wide and many-interval ranges too', () => {
    const index = new BoxIndex();
    const ports = Array.from({ length: 50 }, (_, i) => index.add(Box.full(4).with('dport', Ranges.point(BigInt(1000 + 7 * i)))));
    const everyOther = Ranges.fromIntervals(Array.from({ length: 25 }, (_, i) => [BigInt(1000 + 14 * i), BigInt(1000 + 14 * i)] as const));
    assert.deepEqual(
      index.overlapping(Box.full(4).with('dport', everyOther)),
      ports.filter((_, i) => i % 2 === 0),
    );
    assert.deepEqual(index.overlapping(Box.full(4)), ports);
    assert.deepEqual(index.overlapping(Box.full(6)), []);
  });
});

describe('Box.hull and SetIndex', () => {
  it('a hull holds every box it is made of, and no value below the lowest or above the highest of a dimension', () => {
    fc.assert(
      fc.property(fc.array(box, { minLength: 1, maxLength: 8 }), (boxes) => {
        const family = boxes[0]!.family;
        const same = boxes.filter((b) => b.family === family);
        const hull = Box.hull(same);
        for (const b of same) assert.ok(b.subsetOf(hull));
        hull.ranges.forEach((r, i) => {
          assert.equal(r.intervalCount, 1);
          const lows = same.map((b) => BigInt(b.ranges[i]!.lowAt(0)));
          const highs = same.map((b) => BigInt(b.ranges[i]!.highAt(b.ranges[i]!.intervalCount - 1)));
          assert.equal(
            BigInt(r.lowAt(0)),
            lows.reduce((a, v) => (v < a ? v : a)),
          );
          assert.equal(
            BigInt(r.highAt(0)),
            highs.reduce((a, v) => (v > a ? v : a)),
          );
        });
      }),
      { numRuns: 300 },
    );
  });

  it('finds every set that overlaps, among many sets of many boxes of both families', () => {
    const set = fc.array(box, { minLength: 1, maxLength: 8 }).map((boxes) => PacketSet.of(boxes));
    fc.assert(
      fc.property(fc.array(set, { minLength: 17, maxLength: 40 }), set, (sets, query) => {
        const found = new SetIndex(sets).meeting(query);
        const overlapping = sets.flatMap((s, position) => (s.overlaps(query) ? [position] : []));
        for (const position of overlapping) assert.ok(found.includes(position), `set ${position} overlaps but was not found`);
        assert.deepEqual(
          found,
          [...found].sort((a, b) => a - b),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('subtractAll and disjointUnion against the grid', () => {
  it('subtractAll leaves exactly the packets of the base in no cutter, as disjoint boxes', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 12 }), fc.array(box, { maxLength: 40 }), (raw, cutters) => {
        const base = disjointUnion(raw);
        const rest = subtractAll(base, cutters);
        assertDisjoint(rest);
        for (const p of GRID) assert.equal(inAny(rest, p), inAny(raw, p) && !inAny(cutters, p));
      }),
      { numRuns: 300 },
    );
  });

  it('subtractAll sweeps a whole family by many cutters', () => {
    fc.assert(
      fc.property(fc.constantFrom<Family>(4, 6), fc.array(box, { minLength: 5, maxLength: 40 }), (family, cutters) => {
        const rest = subtractAll([Box.full(family)], cutters);
        assertDisjoint(rest);
        for (const p of GRID) assert.equal(inAny(rest, p), p.family === family && !inAny(cutters, p));
      }),
      { numRuns: 300 },
    );
  });

  it('disjointUnion keeps every packet once', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 40 }), (boxes) => {
        const union = disjointUnion(boxes);
        assertDisjoint(union);
        for (const p of GRID) assert.equal(inAny(union, p), inAny(boxes, p));
      }),
      { numRuns: 300 },
    );
  });

  it('PacketSet union, subtract and subsetOf with many boxes agree with the grid', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 30 }), fc.array(box, { maxLength: 30 }), (a, b) => {
        const [x, y] = [PacketSet.of(a), PacketSet.of(b)];
        const union = x.union(y);
        const difference = x.subtract(y);
        assertDisjoint(union.boxes);
        assertDisjoint(difference.boxes);
        for (const p of GRID) {
          assert.equal(union.contains(p), inAny(a, p) || inAny(b, p));
          assert.equal(difference.contains(p), inAny(a, p) && !inAny(b, p));
        }
        assert.equal(
          x.subsetOf(y),
          GRID.every((p) => !inAny(a, p) || inAny(b, p)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('cuts ten thousand disjoint cutters out of one box in one sweep, into few boxes', () => {
    const cutters = Array.from({ length: 10_000 }, (_, i) =>
      Box.full(4)
        .with('dst', Ranges.point(BigInt(0x0a000000 + 4 * i)))
        .with('dport', Ranges.point(80n)),
    );
    const rest = subtractAll([Box.full(4)], cutters);
    assertDisjoint(rest.slice(0, 50));
    // One box for every other port, one for port 80 outside the cut addresses.
    assert.equal(rest.length, 2);
    assert.equal(PacketSet.full(4).size() - PacketSet.of(rest).size(), 10_000n * cutters[0]!.size());
  });
});

describe('Remainder', () => {
  type Step = { op: 'subtract' | 'intersect' | 'isEmpty'; boxes: Box[] };
  const step = fc.record({
    op: fc.constantFrom<Step['op']>('subtract', 'subtract', 'subtract', 'intersect', 'isEmpty'),
    boxes: fc.array(box, { maxLength: 4 }),
  });

  it('agrees with packet sets through any sequence of cuts and lookups', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 6 }), fc.array(step, { maxLength: 60 }), (start, steps) => {
        let model = PacketSet.of(start);
        const remainder = new Remainder(model);
        for (const { op, boxes } of steps) {
          const set = PacketSet.of(boxes);
          switch (op) {
            case 'subtract':
              remainder.subtract(set);
              model = model.subtract(set);
              break;
            case 'intersect':
              assert.ok(remainder.intersect(set).equals(model.intersect(set)));
              break;
            case 'isEmpty':
              assert.equal(remainder.isEmpty(), model.isEmpty());
              break;
          }
        }
        assert.equal(remainder.isEmpty(), model.isEmpty());
        assert.ok(remainder.toPacketSet().equals(model));
      }),
      { numRuns: 300 },
    );
  });

  it('takes ten thousand rules away, each rule still meeting what is left', () => {
    const remainder = new Remainder(PacketSet.full(4));
    const rules = Array.from({ length: 10_000 }, (_, i) =>
      PacketSet.full(4)
        .restrict('dst', Ranges.point(BigInt(0x0a000000 + i)))
        .restrict('dport', Ranges.point(BigInt(1 + (i % 3)))),
    );
    for (const rule of rules) {
      assert.ok(!remainder.intersect(rule).isEmpty());
      remainder.subtract(rule);
      assert.ok(!remainder.isEmpty());
    }
    // Every rule is met once more: taken away, it leaves nothing of itself.
    for (const rule of rules.slice(0, 100)) assert.ok(remainder.intersect(rule).isEmpty());
  });
});

describe('ShrinkingSet', () => {
  /** Packets to port 7000 from 400 single addresses: more intervals than a set is cut at once for, so pieces taken from it are recorded. */
  const heavy = PacketSet.full(4)
    .restrict('dport', Ranges.point(7000n))
    .restrict(
      'src',
      Ranges.fromIntervals(Array.from({ length: 400 }, (_, k): [bigint, bigint] => [BigInt(1000 + 2 * k), BigInt(1000 + 2 * k)])),
    );
  /** Some of the heavy packets: every third source from `from` on. */
  const heavyPart = fc
    .nat({ max: 399 })
    .map((from) =>
      heavy.restrict(
        'src',
        Ranges.fromIntervals(
          Array.from({ length: 40 }, (_, k): [bigint, bigint] => [
            BigInt(1000 + 2 * ((from + 3 * k) % 400)),
            BigInt(1000 + 2 * ((from + 3 * k) % 400)),
          ]),
        ),
      ),
    );
  type Step = { op: 'take' | 'intersect' | 'giveBack'; set: PacketSet };
  const set = fc.oneof(
    fc.array(box, { maxLength: 4 }).map((boxes) => PacketSet.of(boxes)),
    heavyPart,
    fc.tuple(fc.array(box, { maxLength: 2 }), heavyPart).map(([boxes, part]) => PacketSet.of(boxes).union(part)),
  );
  const step = fc.record({ op: fc.constantFrom<Step['op']>('take', 'take', 'take', 'intersect', 'giveBack'), set });

  it('agrees with packet sets through any sequence of pieces taken, given back and looked up', () => {
    fc.assert(
      fc.property(fc.array(box, { maxLength: 6 }), fc.array(step, { maxLength: 60 }), (start, steps) => {
        let model = PacketSet.of(start).union(heavy);
        const shrinking = new ShrinkingSet(model);
        /** Pieces taken and not given back: disjoint from what is left and from one another. */
        const taken: PacketSet[] = [];
        for (const { op, set } of steps) {
          switch (op) {
            case 'take': {
              const piece = shrinking.intersect(set);
              assert.ok(piece.equals(model.intersect(set)));
              shrinking.take(piece);
              model = model.subtract(piece);
              if (!piece.isEmpty()) taken.push(piece);
              break;
            }
            case 'intersect':
              assert.ok(shrinking.intersect(set).equals(model.intersect(set)));
              break;
            case 'giveBack': {
              const piece = taken.pop();
              if (!piece) break;
              shrinking.giveBack([piece]);
              model = model.union(piece);
              break;
            }
          }
          assert.equal(shrinking.isEmpty(), model.isEmpty());
        }
        assert.ok(shrinking.toPacketSet().equals(model));
      }),
      { numRuns: 200 },
    );
  });

  it('takes a block list of five thousand addresses, then a rule that takes the rest leaves it empty', () => {
    const shrinking = new ShrinkingSet(
      PacketSet.full(4).restrict(
        'src',
        Ranges.fromIntervals([
          ...Array.from({ length: 300 }, (_, k): [bigint, bigint] => [BigInt(4 * k), BigInt(4 * k + 1)]),
          [0x0a000000n, 0xffffffffn],
        ]),
      ),
    );
    const blocked = Array.from({ length: 5000 }, (_, i) => PacketSet.full(4).restrict('src', Ranges.point(BigInt(0x0a000000 + 3 * i))));
    for (const rule of blocked) {
      const piece = shrinking.intersect(rule);
      assert.equal(piece.size(), rule.size());
      shrinking.take(piece);
    }
    for (const rule of blocked.slice(0, 50)) assert.ok(shrinking.intersect(rule).isEmpty());
    assert.ok(!shrinking.isEmpty());
    // What is left is the start minus the five thousand sources, and no more.
    const left = PacketSet.full(4).restrict('src', Ranges.of(0x0a000000n, 0x0a000000n + 3n * 4999n));
    assert.equal(shrinking.intersect(left).size(), left.size() - 5000n * blocked[0]!.size());
    shrinking.take(shrinking.intersect(PacketSet.full(4)));
    assert.ok(shrinking.isEmpty());
    assert.ok(shrinking.toPacketSet().isEmpty());
  });
});

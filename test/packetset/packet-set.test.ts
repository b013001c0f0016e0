import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Box,
  CtState,
  DIMENSIONS,
  PacketSet,
  Ranges,
  parseNetwork,
  universe,
  type Dimension,
  type Family,
  type Point,
} from '../../src/packetset';

/*
 * Brute force on a small grid. Boxes take, in each VARIED dimension, any subset of the
 * values 0..3 plus, or not, the whole tail 4..max; in each FIXED dimension one value or the
 * whole universe; every other dimension whole. So all values of a tail (and all values but
 * the fixed one) behave alike, and checking one representative of each class on the grid
 * checks every packet of both families.
 */
const VARIED = ['dport', 'src', 'state'] as const;
type Varied = (typeof VARIED)[number];
const FIXED = { dst: 100n, proto: 6n, iif: 2n } as const;
type Fixed = keyof typeof FIXED;
const FIXED_DIMS = Object.keys(FIXED) as Fixed[];
const OTHER = { dst: 7n, proto: 17n, iif: 0n } as const;
const CLASSES = 5;
const TAIL = 4;
const FAMILIES: Family[] = [4, 6];

function hi(family: Family, dim: Dimension): bigint {
  return universe(family, dim).intervals[0]![1];
}

/** The value standing for a class: the class itself, or for the tail its lowest value (dport, state) or highest (src). */
function representative(family: Family, dim: Varied, cls: number): bigint {
  return cls === TAIL && dim === 'src' ? hi(family, dim) : BigInt(cls);
}

interface GridPoint {
  family: Family;
  cls: Record<Varied, number>;
  atFixed: Record<Fixed, boolean>;
  point: Point;
  /** How many packets the grid point stands for. */
  weight: bigint;
}

const GRID: GridPoint[] = [];
for (const family of FAMILIES) {
  for (let code = 0; code < CLASSES ** VARIED.length * 2 ** FIXED_DIMS.length; code++) {
    const cls = {} as Record<Varied, number>;
    const atFixed = {} as Record<Fixed, boolean>;
    let rest = code;
    for (const dim of VARIED) {
      cls[dim] = rest % CLASSES;
      rest = Math.floor(rest / CLASSES);
    }
    for (const dim of FIXED_DIMS) {
      atFixed[dim] = rest % 2 === 1;
      rest = Math.floor(rest / 2);
    }
    let weight = 1n;
    for (const dim of VARIED) weight *= cls[dim] === TAIL ? hi(family, dim) - BigInt(TAIL) + 1n : 1n;
    for (const dim of FIXED_DIMS) weight *= atFixed[dim] ? 1n : universe(family, dim).size() - 1n;
    for (const dim of ['sport', 'icmp', 'tcpflags', 'oif'] as const) weight *= universe(family, dim).size();
    const value = (dim: Fixed) => (atFixed[dim] ? FIXED[dim] : OTHER[dim]);
    const point: Point = {
      family,
      src: representative(family, 'src', cls.src),
      dst: value('dst'),
      proto: Number(value('proto')),
      sport: 1234,
      dport: Number(representative(family, 'dport', cls.dport)),
      icmp: 3,
      tcpflags: 2,
      iif: Number(value('iif')),
      oif: 9,
      state: Number(representative(family, 'state', cls.state)),
    };
    GRID.push({ family, cls, atFixed, point, weight });
  }
}

/** A set of classes of a varied dimension as a bit mask (bit 4: the tail) and the Ranges it means. */
function classRanges(family: Family, dim: Varied, mask: number): Ranges {
  const intervals: [bigint, bigint][] = [];
  for (let c = 0; c < TAIL; c++) if ((mask >> c) & 1) intervals.push([BigInt(c), BigInt(c)]);
  if ((mask >> TAIL) & 1) intervals.push([BigInt(TAIL), hi(family, dim)]);
  return Ranges.fromIntervals(intervals);
}

interface BoxSpec {
  family: Family;
  masks: Record<Varied, number>;
  fixed: Record<Fixed, boolean>;
}

function toBox(spec: BoxSpec): Box {
  const restrictions: Partial<Record<Dimension, Ranges>> = {};
  for (const dim of VARIED) restrictions[dim] = classRanges(spec.family, dim, spec.masks[dim]);
  for (const dim of FIXED_DIMS) if (spec.fixed[dim]) restrictions[dim] = Ranges.point(FIXED[dim]);
  return Box.of(spec.family, restrictions);
}

function specHas(spec: BoxSpec, g: GridPoint): boolean {
  return (
    spec.family === g.family &&
    VARIED.every((dim) => ((spec.masks[dim] >> g.cls[dim]) & 1) === 1) &&
    FIXED_DIMS.every((dim) => !spec.fixed[dim] || g.atFixed[dim])
  );
}

type Model = boolean[];

const anyMask = fc.oneof(fc.constant(2 ** CLASSES - 1), fc.integer({ min: 0, max: 2 ** CLASSES - 1 }));
const boxSpec: fc.Arbitrary<BoxSpec> = fc.record({
  family: fc.constantFrom<Family>(4, 6),
  masks: fc.record({ dport: anyMask, src: anyMask, state: anyMask }),
  fixed: fc.record({ dst: fc.boolean(), proto: fc.boolean(), iif: fc.boolean() }),
});

/** A union of boxes minus another, so that shapes are not only unions of boxes. */
const setSpec = fc.record({ plus: fc.array(boxSpec, { maxLength: 4 }), minus: fc.array(boxSpec, { maxLength: 2 }) });

function build({ plus, minus }: { plus: BoxSpec[]; minus: BoxSpec[] }): { set: PacketSet; model: Model } {
  return {
    set: PacketSet.of(plus.map(toBox)).subtract(PacketSet.of(minus.map(toBox))),
    model: GRID.map((g) => plus.some((s) => specHas(s, g)) && !minus.some((s) => specHas(s, g))),
  };
}

function assertInvariants(set: PacketSet): void {
  set.boxes.forEach((box, i) => {
    assert.ok(!box.isEmpty(), `box ${i} is empty`);
    DIMENSIONS.forEach((dim) => assert.ok(box.get(dim).subsetOf(universe(box.family, dim)), `box ${i} leaves the universe in ${dim}`));
    for (let j = 0; j < i; j++) assert.ok(!box.overlaps(set.boxes[j]!), `boxes ${j} and ${i} overlap`);
  });
}

function assertModel(set: PacketSet, model: Model, label: string): void {
  assertInvariants(set);
  GRID.forEach((g, i) => {
    if (set.contains(g.point) !== model[i])
      assert.fail(`${label}: ${model[i] ? 'misses' : 'holds'} ${JSON.stringify(g.point, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
  });
  assert.equal(
    set.size(),
    GRID.reduce((n, g, i) => (model[i] ? n + g.weight : n), 0n),
    `${label}: size`,
  );
  assert.equal(set.isEmpty(), !model.includes(true), `${label}: isEmpty`);
}

/** The index in GRID of g with dimension dim moved to another class (or fixed-ness). */
function moved(g: GridPoint, dim: Varied | Fixed, value: number | boolean): number {
  let code = 0;
  let scale = 1;
  for (const d of VARIED) {
    code += (d === dim ? (value as number) : g.cls[d]) * scale;
    scale *= CLASSES;
  }
  for (const d of FIXED_DIMS) {
    code += ((d === dim ? value : g.atFixed[d]) ? 1 : 0) * scale;
    scale *= 2;
  }
  return FAMILIES.indexOf(g.family) * scale + code;
}

const RUNS = { numRuns: 100 };

describe('PacketSet against brute force on a grid', () => {
  it('of: the union of the boxes', () => {
    fc.assert(
      fc.property(fc.array(boxSpec, { maxLength: 6 }), (specs) => {
        assertModel(
          PacketSet.of(specs.map(toBox)),
          GRID.map((g) => specs.some((s) => specHas(s, g))),
          'of',
        );
      }),
      RUNS,
    );
  });

  it('union, intersect, subtract, complement', () => {
    fc.assert(
      fc.property(setSpec, setSpec, (aSpec, bSpec) => {
        const [a, b] = [build(aSpec), build(bSpec)];
        assertModel(a.set, a.model, 'a');
        assertModel(
          a.set.union(b.set),
          a.model.map((x, i) => x || b.model[i]!),
          'union',
        );
        assertModel(
          a.set.intersect(b.set),
          a.model.map((x, i) => x && b.model[i]!),
          'intersect',
        );
        assertModel(
          a.set.subtract(b.set),
          a.model.map((x, i) => x && !b.model[i]!),
          'subtract',
        );
        assertModel(
          a.set.complement(),
          a.model.map((x) => !x),
          'complement',
        );
      }),
      RUNS,
    );
  });

  it('subsetOf, equals, overlaps', () => {
    fc.assert(
      fc.property(setSpec, setSpec, (aSpec, bSpec) => {
        const [a, b] = [build(aSpec), build(bSpec)];
        assert.equal(
          a.set.subsetOf(b.set),
          a.model.every((x, i) => !x || b.model[i]),
        );
        assert.equal(
          a.set.equals(b.set),
          a.model.every((x, i) => x === b.model[i]),
        );
        assert.equal(
          a.set.overlaps(b.set),
          a.model.some((x, i) => x && b.model[i]),
        );
        // The same set built another way is equal, and a subset of itself.
        const rebuilt = a.set.subtract(b.set).union(a.set.intersect(b.set));
        assert.ok(rebuilt.equals(a.set) && a.set.equals(rebuilt) && a.set.subsetOf(rebuilt));
      }),
      RUNS,
    );
  });

  it('restrict, relax, onlyFamily', () => {
    const dim = fc.constantFrom<Varied | Fixed>(...VARIED, ...FIXED_DIMS);
    fc.assert(
      fc.property(setSpec, dim, anyMask, fc.boolean(), fc.constantFrom<Family>(4, 6), (spec, d, mask, fixed, family) => {
        const { set, model } = build(spec);
        const isVaried = (VARIED as readonly string[]).includes(d);
        // The same classes in both families: the tail of src ends where each family's does.
        const restriction = isVaried
          ? classRanges(4, d as Varied, mask).union(classRanges(6, d as Varied, mask))
          : fixed
            ? Ranges.point(FIXED[d as Fixed])
            : Ranges.of(0n, 2n ** 128n);
        const inRestriction = (g: GridPoint) => (isVaried ? ((mask >> g.cls[d as Varied]) & 1) === 1 : !fixed || g.atFixed[d as Fixed]);
        assertModel(
          set.restrict(d, restriction),
          model.map((x, i) => x && inRestriction(GRID[i]!)),
          `restrict ${d}`,
        );
        const values = isVaried ? [0, 1, 2, 3, 4] : [false, true];
        assertModel(
          set.relax(d),
          GRID.map((g) => values.some((v) => model[moved(g, d, v)])),
          `relax ${d}`,
        );
        assertModel(
          set.onlyFamily(family),
          model.map((x, i) => x && GRID[i]!.family === family),
          'onlyFamily',
        );
      }),
      RUNS,
    );
  });

  it('project', () => {
    fc.assert(
      fc.property(setSpec, fc.constantFrom<Family>(4, 6), (spec, family) => {
        const { set, model } = build(spec);
        const inFamily = GRID.filter((g, i) => model[i] && g.family === family);
        for (const dim of VARIED) {
          const mask = inFamily.reduce((m, g) => m | (1 << g.cls[dim]), 0);
          assert.deepEqual(set.project(dim, family).intervals, classRanges(family, dim, mask).intervals, `project ${dim}`);
        }
        for (const dim of FIXED_DIMS) {
          const fixedValue = Ranges.point(FIXED[dim]);
          const atFixed = inFamily.some((g) => g.atFixed[dim]) ? fixedValue : Ranges.EMPTY;
          const elsewhere = inFamily.some((g) => !g.atFixed[dim]) ? universe(family, dim).subtract(fixedValue) : Ranges.EMPTY;
          const expected = atFixed.union(elsewhere);
          assert.deepEqual(set.project(dim, family).intervals, expected.intervals, `project ${dim}`);
        }
        assert.deepEqual(set.project('sport', family).intervals, inFamily.length === 0 ? [] : [[0n, 65535n]]);
      }),
      RUNS,
    );
  });

  it('witness: a packet of the set, the same however the set is built, honouring preferences', () => {
    fc.assert(
      fc.property(setSpec, setSpec, fc.integer({ min: 0, max: 5 }), (spec, otherSpec, preferredPort) => {
        const { set, model } = build(spec);
        const other = build(otherSpec);
        const w = set.witness();
        if (!model.includes(true)) {
          assert.equal(w, undefined);
          return;
        }
        assert.ok(w !== undefined && set.contains(w));
        const family: Family = GRID.some((g, i) => model[i] && g.family === 4) ? 4 : 6;
        assert.equal(w.family, family);
        // Dimensions every box spans take their nice defaults.
        assert.deepEqual([w.sport, w.icmp, w.tcpflags, w.oif], [40000, 0, 0, 0]);
        const rebuilt = set.subtract(other.set).union(set.intersect(other.set));
        assert.deepEqual(rebuilt.witness(), w);
        assert.deepEqual(PacketSet.of([...set.boxes].reverse()).witness(), w);

        // dport is chosen first: the preferred port whenever some packet of the family has it, else the lowest.
        const preferred = set.witness({ dport: [BigInt(preferredPort)] })!;
        const ports = GRID.filter((g, i) => model[i] && g.family === family).map((g) => g.cls.dport);
        const hasPort = ports.includes(Math.min(preferredPort, TAIL));
        assert.equal(preferred.dport, hasPort ? preferredPort : Math.min(...ports));
        assert.ok(set.contains(preferred));
      }),
      RUNS,
    );
  });
});

describe('Box against brute force on a grid', () => {
  it('subtract gives disjoint pieces, at most one per dimension; intersect', () => {
    fc.assert(
      fc.property(boxSpec, boxSpec, (a, b) => {
        const pieces = toBox(a).subtract(toBox(b));
        assert.ok(pieces.length <= DIMENSIONS.length);
        pieces.forEach((p, i) => {
          assert.ok(!p.isEmpty());
          for (let j = 0; j < i; j++) assert.ok(!p.overlaps(pieces[j]!), `pieces ${j} and ${i} overlap`);
        });
        GRID.forEach((g) => {
          const expected = specHas(a, g) && !specHas(b, g);
          assert.equal(
            pieces.some((p) => p.contains(g.point)),
            expected,
          );
        });
        const common = toBox(a).intersect(toBox(b));
        GRID.forEach((g) => assert.equal(common?.contains(g.point) ?? false, specHas(a, g) && specHas(b, g)));
        if (common !== null) assert.ok(!common.isEmpty());
      }),
      RUNS,
    );
  });
});

const v4 = (text: string) => parseNetwork(text)!.ranges;
const full4 = PacketSet.full(4);

describe('PacketSet examples', () => {
  it('the witness of 10.20.0.0/16 is 10.20.0.1, with nice values elsewhere', () => {
    assert.deepEqual(full4.restrict('dst', v4('10.20.0.0/16')).witness(), {
      family: 4,
      src: 1n,
      dst: (10n << 24n) | (20n << 16n) | 1n,
      proto: 0,
      sport: 40000,
      dport: 0,
      icmp: 0,
      tcpflags: 0,
      iif: 0,
      oif: 0,
      state: CtState.NEW,
    });
  });

  it('witness prefers the given values, and skips only network addresses', () => {
    const set = full4
      .restrict('dst', v4('192.0.2.5-192.0.2.9'))
      .restrict('src', v4('198.51.100.6/31'))
      .restrict('sport', Ranges.of(1024n, 2047n));
    const w = set.witness({ dport: [4443n, 443n], proto: [6n], state: [BigInt(CtState.ESTABLISHED)] })!;
    assert.deepEqual(
      [w.dst, w.src, w.sport, w.dport, w.proto, w.state],
      [v4('192.0.2.5').first(), v4('198.51.100.6').first(), 1024, 4443, 6, CtState.ESTABLISHED],
    );
    assert.equal(full4.restrict('dst', v4('10.0.0.4/30')).witness()!.dst, v4('10.0.0.5').first());
    assert.equal(full4.restrict('dst', v4('10.0.0.4-10.0.0.6')).witness()!.dst, v4('10.0.0.5').first());
    assert.equal(full4.restrict('dst', v4('10.0.0.4-10.0.0.5')).witness()!.dst, v4('10.0.0.4').first());
    assert.equal(full4.restrict('dst', v4('10.0.0.4/30')).witness({ dst: [v4('10.0.0.4').first()!] })!.dst, v4('10.0.0.4').first());
  });

  it('witness takes IPv4 first and IPv6 when there is no IPv4 packet', () => {
    assert.equal(PacketSet.full().witness()!.family, 4);
    const w = PacketSet.full(6).restrict('dst', parseNetwork('2001:db8::/32')!.ranges).witness()!;
    assert.deepEqual([w.family, w.src, w.dst], [6, 1n, (0x20010db8n << 96n) | 1n]);
    assert.equal(PacketSet.EMPTY.witness(), undefined);
  });

  it('subtract splits dport first, then dst', () => {
    const rule = Box.of(4, { dport: Ranges.point(443n), dst: v4('10.0.0.0/8') });
    const pieces = Box.full(4).subtract(rule);
    assert.equal(pieces.length, 2);
    assert.deepEqual(pieces[0]!.get('dport').intervals, [
      [0n, 442n],
      [444n, 65535n],
    ]);
    assert.deepEqual(pieces[0]!.get('dst').intervals, [[0n, 2n ** 32n - 1n]]);
    assert.deepEqual(pieces[1]!.get('dport').intervals, [[443n, 443n]]);
    assert.deepEqual(pieces[1]!.get('dst').intervals, [
      [0n, 10n * 2n ** 24n - 1n],
      [11n * 2n ** 24n, 2n ** 32n - 1n],
    ]);
    assert.deepEqual(rule.subtract(Box.full(4)), []);
    assert.deepEqual(rule.subtract(Box.full(6)), [rule]);
  });

  it('merges boxes that differ in one dimension', () => {
    const web = (port: bigint) => Box.of(4, { proto: Ranges.point(6n), dport: Ranges.point(port) });
    const merged = PacketSet.of([web(80n), web(81n), web(443n)]);
    assert.equal(merged.boxes.length, 1);
    assert.deepEqual(merged.boxes[0]!.get('dport').intervals, [
      [80n, 81n],
      [443n, 443n],
    ]);
    // Cutting a hole and filling it again gives back one box.
    const hole = PacketSet.of([Box.of(4, { dst: v4('192.0.2.0/24') })]);
    const refilled = full4.subtract(hole).union(hole);
    assert.equal(refilled.boxes.length, 1);
    assert.ok(refilled.equals(full4));
  });

  it('full, complement, point, with', () => {
    assert.equal(PacketSet.full().boxes.length, 2);
    assert.ok(full4.complement().equals(PacketSet.full(6)));
    assert.ok(PacketSet.full().complement().isEmpty());
    assert.ok(PacketSet.EMPTY.complement().equals(PacketSet.full()));
    // Five 16-bit and two 8-bit dimensions, five states, and two addresses of 32 or 128 bits.
    assert.equal(PacketSet.full().size(), 5n * (2n ** (80n + 16n + 64n) + 2n ** (80n + 16n + 256n)));
    const p: Point = {
      family: 6,
      src: 1n,
      dst: 2n ** 128n - 1n,
      proto: 58,
      sport: 0,
      dport: 0,
      icmp: 128 * 256,
      tcpflags: 0,
      iif: 1,
      oif: 2,
      state: CtState.RELATED,
    };
    const one = PacketSet.point(p);
    assert.ok(one.contains(p) && !one.contains({ ...p, icmp: 129 * 256 }) && !one.contains({ ...p, family: 4 }));
    assert.equal(one.size(), 1n);
    assert.deepEqual(one.witness(), p);
    assert.ok(PacketSet.point({ ...p, dport: 70000 }).isEmpty());
    // with clips to the universe: the box stays inside its family's space.
    assert.deepEqual(Box.full(4).with('dport', Ranges.of(60000n, 70000n)).get('dport').intervals, [[60000n, 65535n]]);
  });

  it('relax forgets a dimension', () => {
    const ssh = PacketSet.of([Box.of(4, { proto: Ranges.point(6n), dport: Ranges.point(22n), src: v4('10.0.0.0/8') })]);
    const relaxed = ssh.relax('src');
    assert.equal(relaxed.boxes.length, 1);
    assert.ok(relaxed.equals(PacketSet.of([Box.of(4, { proto: Ranges.point(6n), dport: Ranges.point(22n) })])));
    assert.deepEqual(ssh.project('src', 4).intervals, v4('10.0.0.0/8').intervals);
    assert.ok(ssh.project('src', 6).isEmpty());
  });
});

/** A small seeded generator for the rule-shaped boxes below. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('PacketSet on many rule-shaped boxes', () => {
  it('subtracting 150 rules agrees with plain box splitting and keeps far fewer boxes', () => {
    const random = seeded(7);
    const int = (n: number) => Math.floor(random() * n);
    const rules = Array.from({ length: 150 }, () =>
      Box.of(4, {
        proto: Ranges.point(random() < 0.5 ? 6n : 17n),
        dport: random() < 0.7 ? Ranges.point(BigInt(int(2000))) : Ranges.of(1024n, 65535n),
        dst: v4(`10.${int(4)}.${int(8)}.0/24`),
        ...(random() < 0.5 ? { src: v4(`172.${16 + int(16)}.0.0/16`) } : {}),
      }),
    );
    let set = PacketSet.full(4);
    let naive = [Box.full(4)];
    for (const rule of rules) {
      set = set.subtract(PacketSet.of([rule]));
      naive = naive.flatMap((box) => box.subtract(rule));
    }
    assertInvariants(set);
    assert.equal(
      set.size(),
      naive.reduce((n, box) => n + box.size(), 0n),
    );
    assert.ok(set.equals(PacketSet.of(naive)));
    assert.ok(set.boxes.length * 3 < naive.length, `${set.boxes.length} boxes against ${naive.length}`);
    assert.ok(!set.overlaps(PacketSet.of(rules)));
    assert.ok(set.union(PacketSet.of(rules)).equals(full4));
  });
});

import { type Box } from './box';
import { BoxIndex } from './box-index';
import { DIMENSIONS } from './dimensions';
import { Ranges } from './ranges';

/** Up to this many cutters a box is cut one cutter after the other; beyond, by a sweep. */
const FEW_CUTTERS = 4;
/** Beyond this many box pairs the cutters are indexed to find those that overlap each box. */
const INDEX_FROM = 512;

/**
 * ∪base − ∪cutters as disjoint boxes, for pairwise disjoint `base` boxes (the cutters may
 * overlap). A box is cut by the cutters that overlap it (found by an index when there are many),
 * one after the other when they are few, else by a sweep (see sweepSubtract): the cost follows
 * how many cutters meet each box, not how many there are.
 */
export function subtractAll(base: readonly Box[], cutters: readonly Box[]): Box[] {
  const out: Box[] = [];
  const index = base.length > 1 && base.length * cutters.length > INDEX_FROM ? new BoxIndex(cutters) : undefined;
  for (const box of base) {
    const hits = index ? index.overlapping(box).map((id) => cutters[id]!) : cutters.filter((c) => c.overlaps(box));
    cut(box, hits, 0, out);
  }
  return out;
}

/** box minus cutters (each overlapping box), the pieces appended to out; dimensions before `from` are settled. */
function cut(box: Box, cutters: readonly Box[], from: number, out: Box[]): void {
  if (cutters.length === 0) {
    out.push(box);
    return;
  }
  for (const c of cutters) if (box.subsetOf(c)) return;
  if (cutters.length <= FEW_CUTTERS) {
    let pieces = [box];
    for (const c of cutters) pieces = pieces.flatMap((piece) => piece.subtract(c));
    for (const piece of pieces) out.push(piece);
    return;
  }
  // Some cutter leaves part of the box in some dimension, or one cutter would contain the box.
  let d = from;
  while (d < DIMENSIONS.length && cutters.every((c) => box.ranges[d]!.subsetOf(c.ranges[d]!))) d++;
  sweepSubtract(box, cutters, d, out);
}

/**
 * Cuts the box along dimension d into segments on which the same cutters cover it, segments with
 * the same cutters joined into one Ranges; each is cut further by its cutters in the later
 * dimensions (where they now decide alone). A segment no cutter covers is a piece as it is.
 */
function sweepSubtract(box: Box, cutters: readonly Box[], d: number, out: Box[]): void {
  const domain = box.ranges[d]!;
  const clips = cutters.map((c) => domain.intersect(c.ranges[d]!));
  const big = [domain, ...clips].some((r) => r.intervalCount > 0 && typeof r.lowAt(0) === 'bigint');
  const at = (v: number | bigint): number | bigint => (big ? BigInt(v) : v);
  const next = (v: number | bigint): number | bigint => (typeof v === 'bigint' ? v + 1n : v + 1);
  /** Where a cutter (index ≥ 0) or the domain (-1) starts (+1) or stops (-1) covering. */
  const events: { position: number | bigint; who: number; step: 1 | -1 }[] = [];
  const addEvents = (r: Ranges, who: number): void => {
    for (let i = 0; i < r.intervalCount; i++) {
      events.push({ position: at(r.lowAt(i)), who, step: 1 });
      events.push({ position: next(at(r.highAt(i))), who, step: -1 });
    }
  };
  addEvents(domain, -1);
  clips.forEach((r, k) => addEvents(r, k));
  events.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));

  const groups = new Map<string, { cutters: number[]; bounds: (number | bigint)[] }>();
  const active = new Set<number>();
  let inDomain = false;
  for (let e = 0; e < events.length;) {
    const position = events[e]!.position;
    for (; e < events.length && events[e]!.position === position; e++) {
      const { who, step } = events[e]!;
      if (who < 0) inDomain = step > 0;
      else if (step > 0) active.add(who);
      else active.delete(who);
    }
    if (!inDomain || e >= events.length) continue;
    const end = events[e]!.position;
    const covering = [...active].sort((a, b) => a - b);
    const key = covering.join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { cutters: covering, bounds: [] }));
    group.bounds.push(position, typeof end === 'bigint' ? end - 1n : end - 1);
  }
  for (const { cutters: covering, bounds } of groups.values()) {
    const piece = box.replaced(d, Ranges.fromAscending(bounds));
    cut(
      piece,
      covering.map((k) => cutters[k]!),
      d + 1,
      out,
    );
  }
}

/**
 * Pairwise disjoint boxes with the union of `boxes`: each box minus the boxes before it that
 * overlap it, larger boxes first so that boxes inside them vanish instead of cutting them.
 */
export function disjointUnion(boxes: readonly Box[]): Box[] {
  const bySize = boxes
    .filter((box) => !box.isEmpty())
    .map((box) => ({ box, size: box.size() }))
    .sort((a, b) => (a.size > b.size ? -1 : a.size < b.size ? 1 : 0))
    .map(({ box }) => box);
  const out: Box[] = [];
  const seen = new BoxIndex();
  for (const box of bySize) {
    const earlier = seen.overlapping(box).map((id) => seen.box(id));
    cut(box, earlier, 0, out);
    seen.add(box);
  }
  return out;
}

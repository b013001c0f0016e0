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
  while (d < DIMENSIONS.length && cutters.every((c) => covers(c, box, d))) d++;
  sweepSubtract(box, cutters, d, out);
}

/** Whether the cutter holds all of the box's values in dimension d (at once when it does not constrain d: a box's values there may be thousands of intervals). */
function covers(cutter: Box, box: Box, d: number): boolean {
  return (cutter.constrained() & (1 << d)) === 0 || box.ranges[d]!.subsetOf(cutter.ranges[d]!);
}

/**
 * Cuts the box along dimension d into segments on which the same cutters cover it, segments with
 * the same cutters joined into one Ranges; each is cut further by its cutters in the later
 * dimensions (where they now decide alone). Only the cutters that hold part of the box's values
 * in d bound segments (the others cover every segment), and what none of those holds is one piece:
 * the box's own intervals (a block list's thousands) are never swept.
 */
function sweepSubtract(box: Box, cutters: readonly Box[], d: number, out: Box[]): void {
  const domain = box.ranges[d]!;
  const everywhere: number[] = [];
  const clips: { who: number; clip: Ranges }[] = [];
  cutters.forEach((c, who) => {
    if (covers(c, box, d)) everywhere.push(who);
    else clips.push({ who, clip: domain.intersect(c.ranges[d]!) });
  });
  const big = clips.some(({ clip }) => clip.intervalCount > 0 && typeof clip.lowAt(0) === 'bigint');
  const at = (v: number | bigint): number | bigint => (big ? BigInt(v) : v);
  const next = (v: number | bigint): number | bigint => (typeof v === 'bigint' ? v + 1n : v + 1);
  /** Where a cutter starts (+1) or stops (-1) holding the box's values. */
  const events: { position: number | bigint; who: number; step: 1 | -1 }[] = [];
  for (const { who, clip } of clips) {
    for (let i = 0; i < clip.intervalCount; i++) {
      events.push({ position: at(clip.lowAt(i)), who, step: 1 });
      events.push({ position: next(at(clip.highAt(i))), who, step: -1 });
    }
  }
  events.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));

  const groups = new Map<string, { cutters: number[]; bounds: (number | bigint)[] }>();
  const active = new Set<number>();
  for (let e = 0; e < events.length;) {
    const position = events[e]!.position;
    for (; e < events.length && events[e]!.position === position; e++) {
      const { who, step } = events[e]!;
      if (step > 0) active.add(who);
      else active.delete(who);
    }
    // Where some cutter holds the box's values the segment is inside the box's values (clips are).
    if (active.size === 0 || e >= events.length) continue;
    const end = events[e]!.position;
    const covering = [...everywhere, ...active].sort((a, b) => a - b);
    const key = covering.join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { cutters: covering, bounds: [] }));
    group.bounds.push(position, typeof end === 'bigint' ? end - 1n : end - 1);
  }
  const pieces = [...groups.values()].map(({ cutters: covering, bounds }) => ({ covering, values: Ranges.fromAscending(bounds) }));
  const uncovered = domain.subtract(Ranges.unionAll(clips.map(({ clip }) => clip)));
  if (!uncovered.isEmpty()) pieces.push({ covering: everywhere, values: uncovered });
  for (const { covering, values } of pieces) {
    cut(
      box.replaced(d, values),
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

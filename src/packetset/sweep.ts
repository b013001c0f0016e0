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
 * Cuts the box along dimension d into segments on which the same kinds of cutter hold it, and each
 * further in the later dimensions, where only those kinds decide. Cutters of a kind agree in every
 * later dimension (as far as the box goes), so on a segment it does not matter which of them holds
 * it: a block list's thousands of `-i eth0 -s X` cuts are one kind, the segments they hold one
 * piece, cut further by one cutter. Only the cutters that hold part of the box's values in d bound
 * segments (the others cover every segment); those holding all of the box in the later dimensions
 * take their values out in one subtraction; what no cutter holds is one piece: the box's own
 * intervals are never swept.
 */
function sweepSubtract(box: Box, cutters: readonly Box[], d: number, out: Box[]): void {
  const everywhere: Box[] = [];
  const whole: Ranges[] = [];
  const held: { kind: number; clip: Ranges }[] = [];
  const kinds = new Map<string, number>();
  /** Per kind, one cutter of it. */
  const sample: Box[] = [];
  for (const c of cutters) {
    if (covers(c, box, d)) everywhere.push(c);
    else if (holdsLaterDimensions(c, box, d)) whole.push(c.ranges[d]!);
    else {
      const key = laterKey(c, box, d);
      let kind = kinds.get(key);
      if (kind === undefined) {
        kinds.set(key, (kind = sample.length));
        sample.push(c);
      }
      held.push({ kind, clip: c.ranges[d]! });
    }
  }
  const domain = whole.length === 0 ? box.ranges[d]! : box.ranges[d]!.subtract(Ranges.unionAll(whole));
  if (domain.isEmpty()) return;
  const clips = held.map(({ kind, clip }) => ({ kind, clip: domain.intersect(clip) })).filter(({ clip }) => !clip.isEmpty());
  const pieces = [...segments(clips, sample.length)].map(({ kinds: holding, values }) => ({
    cutters: [...everywhere, ...holding.map((kind) => sample[kind]!.replaced(d, values))],
    values,
  }));
  const uncovered = domain.subtract(Ranges.unionAll(clips.map(({ clip }) => clip)));
  if (!uncovered.isEmpty()) pieces.push({ cutters: everywhere, values: uncovered });
  for (const { cutters: holding, values } of pieces) cut(values === box.ranges[d] ? box : box.replaced(d, values), holding, d + 1, out);
}

/** The values the clips hold, grouped by which kinds hold them (each group's values joined into one Ranges). */
function segments(clips: readonly { kind: number; clip: Ranges }[], kindCount: number): Iterable<{ kinds: number[]; values: Ranges }> {
  const big = clips.some(({ clip }) => typeof clip.lowAt(0) === 'bigint');
  const at = (v: number | bigint): number | bigint => (big ? BigInt(v) : v);
  const next = (v: number | bigint): number | bigint => (typeof v === 'bigint' ? v + 1n : v + 1);
  /** Where a kind's cutter starts (+1) or stops (-1) holding the values. */
  const events: { position: number | bigint; kind: number; step: 1 | -1 }[] = [];
  for (const { kind, clip } of clips) {
    for (let i = 0; i < clip.intervalCount; i++) {
      events.push({ position: at(clip.lowAt(i)), kind, step: 1 });
      events.push({ position: next(at(clip.highAt(i))), kind, step: -1 });
    }
  }
  events.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  const groups = new Map<string, { kinds: number[]; bounds: (number | bigint)[] }>();
  /** Per kind, how many of its cutters hold the current position. */
  const holding = new Array<number>(kindCount).fill(0);
  const active = new Set<number>();
  for (let e = 0; e < events.length;) {
    const position = events[e]!.position;
    for (; e < events.length && events[e]!.position === position; e++) {
      const { kind, step } = events[e]!;
      holding[kind] += step;
      if (holding[kind] === 0) active.delete(kind);
      else active.add(kind);
    }
    if (active.size === 0 || e >= events.length) continue;
    const end = events[e]!.position;
    const kinds = [...active].sort((a, b) => a - b);
    const key = kinds.join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { kinds, bounds: [] }));
    group.bounds.push(position, typeof end === 'bigint' ? end - 1n : end - 1);
  }
  return [...groups.values()].map(({ kinds, bounds }) => ({ kinds, values: Ranges.fromAscending(bounds) }));
}

/** What the cutter holds of the box in the dimensions after d, as a key: cutters with one key cut the same way there. */
function laterKey(cutter: Box, box: Box, d: number): string {
  const parts: string[] = [];
  for (let later = d + 1; later < DIMENSIONS.length; later++) parts.push(covers(cutter, box, later) ? '' : cutter.ranges[later]!.key());
  return parts.join('|');
}

/** Whether the cutter holds all of the box's values in every dimension after d. */
function holdsLaterDimensions(cutter: Box, box: Box, d: number): boolean {
  for (let later = d + 1; later < DIMENSIONS.length; later++) if (!covers(cutter, box, later)) return false;
  return true;
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

/**
 * Which rules some packet may reach and match: filterLineReachability. Unlike the evaluator it
 * needs no verdicts, so a packet a rule only may match is sent both ways at once (it goes on
 * after the rule and takes the rule's action), which over-approximates what reaches each rule:
 * a rule found unreachable is unreachable.
 *
 * Witnesses first, sets last. Every rule is given a few packets it may match among those that
 * may enter its chain (and then one that no rule before it may match); each is traced from the
 * stage's base chain (reach-trace.ts), marking every rule it reaches and matches on the way, so
 * most rules are shown reachable by a packet at the cost of the rules that packet meets. A rule no
 * guess reaches is shown unreachable by the rules before it in its chain covering all it may
 * match; else it gets guesses that avoid where the earlier ones ended (a block list, an
 * established-connection rule before the jump to its chain); else it is decided by the exact set
 * walk of the stages restricted to the packets such rules may match (reach-walk.ts, one walk per
 * stage for all of them), which looks only at the rules that overlap them. The answer is the
 * exact walk's. Metadata a packet may bring into a stage (reach-roots.ts) is unknown from the start.
 */
import { PacketSet, Ranges, Remainder, subtractAll, type Box, type Point } from '../packetset';
import type { DecisionChain, DecisionRule, Metadata, PolicyProgram } from '../model/policy';
import { ProgramIndex, widestMatch } from './rule-index';
import { followPacket, type Ending, type ReachMarks } from './reach-trace';
import { walkRegion } from './reach-walk';
import { stageRoots, type Root } from './reach-roots';

export interface RuleReach {
  /** Rules some packet may reach. */
  reached: Set<DecisionRule>;
  /** Rules some packet may reach and match. */
  matched: Set<DecisionRule>;
}

/** Guesses per rule before its reachability is proven by sets. */
const GUESSES = 3;

export function ruleReachability(program: PolicyProgram): RuleReach {
  const roots = stageRoots(program);
  const index = new ProgramIndex(reachMatch(program));
  const marks: ReachMarks = { matched: new Set(), furthest: new Map() };
  const { entries, rootsOf } = chainEntries(program, roots, index);
  /** Per stage, the packets of rules no guess reached and no rule before them covers. */
  const unsettled = new Map<Root, Box[]>();
  for (const [chain, entry] of entries) {
    const from = rootsOf.get(chain)!;
    chain.rules.forEach((rule, position) => {
      if (marks.matched.has(rule)) return;
      const candidates = entry.intersect(index.matchOf(rule));
      if (candidates.isEmpty()) return;
      const endings: Ending[] = [];
      for (const box of candidates.boxes.slice(0, GUESSES)) {
        endings.push(...trace(program, index, from, box, marks));
        if (marks.matched.has(rule)) return;
      }
      const avoiding = packetAvoidingBefore(chain, position, candidates, index);
      if (avoiding) {
        endings.push(...trace(program, index, from, avoiding, marks));
        if (marks.matched.has(rule)) return;
      }
      if (coveredBefore(chain, position, candidates, index)) return;
      if (guessAvoidingEndings(program, index, from, rule, candidates, endings, marks)) return;
      for (const root of from) {
        const boxes = unsettled.get(root) ?? [];
        for (const box of root.entry.intersect(candidates).boxes) boxes.push(box);
        unsettled.set(root, boxes);
      }
    });
  }
  // One exact walk per stage of all those packets: a walk of some packets is exact for each of them, and one walk costs less than one per rule.
  for (const [root, boxes] of unsettled) walkRegion(program, index, root, PacketSet.of(boxes), marks);
  for (const [chain, entry] of entries) settleReached(program, index, chain, entry, rootsOf.get(chain)!, marks);
  const reached = new Set<DecisionRule>();
  for (const [chain, furthest] of marks.furthest)
    for (let i = 0; i <= furthest && i < chain.rules.length; i++) reached.add(chain.rules[i]!);
  return { reached, matched: marks.matched };
}

/**
 * Every packet a rule may match in the walk and the traces: its widest match where some rule of
 * the program writes metadata the rule reads, else `may`. Both relax a match only for metadata
 * some rule writes (in the stage, in an earlier one, or on an earlier packet of the connection),
 * so a relaxed match no writer can bring about widens the packets walked (every state of an
 * ESTABLISHED rule's chain) and finds nothing.
 */
function reachMatch(program: PolicyProgram): (rule: DecisionRule) => PacketSet {
  const written = new Set<Metadata>();
  for (const chain of program.chains.values())
    for (const rule of chain.rules) if (rule.action.kind === 'continue' && rule.action.writes) written.add(rule.action.writes.metadata);
  return (rule) => (rule.reads?.metadata.some((m) => written.has(m)) ? widestMatch(rule) : rule.match.may);
}

/**
 * Per chain that packets can enter, a superset of the packets that may enter it (from every call
 * site, what the calling rule may match of its own chain's superset) and the stages it is in;
 * callers come before the chains they call.
 */
function chainEntries(
  program: PolicyProgram,
  roots: readonly Root[],
  index: ProgramIndex,
): { entries: Map<DecisionChain, PacketSet>; rootsOf: Map<DecisionChain, Set<Root>> } {
  const callees = (chain: DecisionChain): { rule: DecisionRule; chain: DecisionChain }[] =>
    chain.rules.flatMap((rule) => {
      const action = rule.action;
      if (action.kind !== 'jump' && action.kind !== 'goto') return [];
      const called = program.chains.get(action.chain);
      if (!called) throw new Error(`internal: chain ${action.chain} is not in the program`);
      return [{ rule, chain: called }];
    });
  // Depth first on an explicit stack: a chain is placed after every chain that calls it.
  const order: DecisionChain[] = [];
  const state = new Map<DecisionChain, 'open' | 'done'>();
  for (const root of roots) {
    const stack: { chain: DecisionChain; next: number; calls: DecisionChain[] }[] = [];
    const open = (chain: DecisionChain): void => {
      state.set(chain, 'open');
      stack.push({ chain, next: 0, calls: callees(chain).map((c) => c.chain) });
    };
    if (!state.has(root.chain)) open(root.chain);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.calls.length) {
        const next = top.calls[top.next++]!;
        if (!state.has(next)) open(next);
      } else {
        state.set(top.chain, 'done');
        order.push(top.chain);
        stack.pop();
      }
    }
  }
  order.reverse();
  const parts = new Map<DecisionChain, Box[]>();
  const rootsOf = new Map<DecisionChain, Set<Root>>();
  for (const root of roots) {
    parts.set(root.chain, [...(parts.get(root.chain) ?? []), ...root.entry.boxes]);
    rootsOf.set(root.chain, new Set([...(rootsOf.get(root.chain) ?? []), root]));
  }
  const entries = new Map<DecisionChain, PacketSet>();
  for (const chain of order) {
    const entry = PacketSet.of(parts.get(chain) ?? []);
    entries.set(chain, entry);
    const from = rootsOf.get(chain) ?? new Set<Root>();
    for (const { rule, chain: called } of callees(chain)) {
      const boxes = parts.get(called) ?? [];
      for (const box of entry.intersect(index.matchOf(rule)).boxes) boxes.push(box);
      parts.set(called, boxes);
      rootsOf.set(called, new Set([...(rootsOf.get(called) ?? []), ...from]));
    }
  }
  return { entries, rootsOf };
}

/** Traces a packet of the box from every stage it may enter the chain from; gives the rules that ended it. */
function trace(program: PolicyProgram, index: ProgramIndex, roots: Iterable<Root>, box: Box, marks: ReachMarks): Ending[] {
  const point = box.inner();
  const endings: Ending[] = [];
  for (const root of roots) {
    if (!root.entry.contains(point)) continue;
    const ending = followPacket(program, index, root.chain, point, marks, changedAt(root, point));
    if (ending) endings.push(ending);
  }
  return endings;
}

/** The metadata the packet may enter the root's stage with a value other than 0. */
function changedAt(root: Root, point: Point): Set<Metadata> {
  const changed = new Set<Metadata>();
  for (const [metadata, packets] of root.changed) if (packets.contains(point)) changed.add(metadata);
  return changed;
}

/** Guesses after the first ones, each avoiding where the guesses before it ended. */
const REFINEMENTS = 16;

/**
 * Whether a guess among the rule's candidates that avoids where the earlier guesses were decided
 * reaches and matches it, each failed guess's endings taken out in turn: a guess often ends before
 * it gets to the rule's chain (accepted as an established connection, dropped by a block list or
 * by an isolation chain some jump led it into), which the rules before the rule in its own chain
 * do not show. Only a guess: a rule no guess reaches goes to the exact walk.
 */
function guessAvoidingEndings(
  program: PolicyProgram,
  index: ProgramIndex,
  roots: Iterable<Root>,
  rule: DecisionRule,
  candidates: PacketSet,
  endings: readonly Ending[],
  marks: ReachMarks,
): boolean {
  let pool = candidates;
  let avoid = endings;
  for (let tries = 0; tries < REFINEMENTS && avoid.length > 0; tries++) {
    for (const ending of avoid) {
      const ended = endingPackets(pool, ending);
      const left = pool.subtract(ended);
      // Where that is all of them, what the rules before the path sent elsewhere is not taken out
      // either: only packets on the guess's interfaces are (a dispatch by interface, as Shorewall's).
      pool = left.isEmpty() ? pool.subtract(onInterfacesOf(ended, ending.point)) : left;
    }
    if (pool.isEmpty()) return false;
    avoid = trace(program, index, roots, pool.boxes[0]!, marks);
    if (marks.matched.has(rule)) return true;
  }
  return false;
}

/** The packets of the set that arrive and leave by the point's interfaces. */
function onInterfacesOf(set: PacketSet, point: Point): PacketSet {
  return set.restrict('iif', Ranges.point(BigInt(point.iif))).restrict('oif', Ranges.point(BigInt(point.oif)));
}

/** The packets of `pool` that would end the same way: those its decider and the jumps that led there match. */
function endingPackets(pool: PacketSet, { rule, path }: Ending): PacketSet {
  let ending = pool.intersect(rule.match.surely);
  for (const step of path) ending = ending.intersect(step.sure ? step.rule.match.surely : step.rule.match.may);
  return ending;
}

/**
 * A packet of `packets` that no rule before `position` may match, found by a witness search: a
 * guess that the rules before cannot stop, where the first guesses met one that did.
 */
function packetAvoidingBefore(chain: DecisionChain, position: number, packets: PacketSet, index: ProgramIndex): Box | undefined {
  const left = new Remainder(packets);
  for (const before of index.of(chain).meetingSet(packets, 0, position)) {
    left.subtract(index.matchOf(chain.rules[before]!));
  }
  return left.packetLeft();
}

/**
 * Whether rules before `position` that surely stop what they match (and read no metadata an earlier
 * rule may have changed) together cover `packets`: then no packet of them gets past them.
 */
function coveredBefore(chain: DecisionChain, position: number, packets: PacketSet, index: ProgramIndex): boolean {
  const cutters: Box[] = [];
  for (const before of index.of(chain).meetingSet(packets, 0, position)) {
    const rule = chain.rules[before]!;
    if (rule.reads || !stops(rule)) continue;
    for (const box of rule.match.surely.boxes) cutters.push(box);
  }
  return cutters.length > 0 && subtractAll(packets.boxes, cutters).length === 0;
}

function stops(rule: DecisionRule): boolean {
  const kind = rule.action.kind;
  return kind === 'accept' || kind === 'drop' || kind === 'reject' || kind === 'undetermined' || kind === 'return';
}

/**
 * Makes the chain's furthest reached position exact where a rule after it is not matched: a
 * packet past it (a guess among what may enter the chain, or one no rule before it may match), or
 * proof that none gets past the rules before it, or the exact walk of everything that may enter the chain.
 */
function settleReached(
  program: PolicyProgram,
  index: ProgramIndex,
  chain: DecisionChain,
  entry: PacketSet,
  roots: Iterable<Root>,
  marks: ReachMarks,
): void {
  let lastUnmatched = chain.rules.length - 1;
  while (lastUnmatched >= 0 && marks.matched.has(chain.rules[lastUnmatched]!)) lastUnmatched--;
  const reachedTo = (): number => marks.furthest.get(chain) ?? -1;
  if (lastUnmatched <= reachedTo()) return;
  // Rules after the last matched one only pass packets on: getting past it is getting to them.
  let guesses = entry;
  for (let tries = 0; tries < GUESSES && lastUnmatched > reachedTo() && !guesses.isEmpty(); tries++) {
    const blocker = firstStopAfter(chain, reachedTo(), marks);
    if (blocker && !blocker.reads) guesses = guesses.subtract(blocker.match.surely);
    if (!guesses.isEmpty()) trace(program, index, roots, guesses.boxes[0]!, marks);
  }
  if (lastUnmatched <= reachedTo() || coveredBefore(chain, lastUnmatched, entry, index)) return;
  const avoiding = packetAvoidingBefore(chain, lastUnmatched, entry, index);
  if (avoiding) trace(program, index, roots, avoiding, marks);
  if (lastUnmatched <= reachedTo()) return;
  for (const root of roots) walkRegion(program, index, root, root.entry.intersect(entry), marks);
}

/** The first matched rule that stops packets at or after position `from`. */
function firstStopAfter(chain: DecisionChain, from: number, marks: ReachMarks): DecisionRule | undefined {
  for (let i = Math.max(0, from); i < chain.rules.length; i++) {
    const rule = chain.rules[i]!;
    if (marks.matched.has(rule) && stops(rule)) return rule;
  }
  return undefined;
}

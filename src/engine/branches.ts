/** How the evaluator joins the two branches of a rule it cannot tell matches: where they end alike, and where not. */
import { PacketSet, SetIndex } from '../packetset';
import type { DecisionRule } from '../model/policy';
import type { Outcome, Reason, Verdict } from './evaluate';

const DENY: ReadonlySet<Verdict> = new Set(['drop', 'reject']);

/** How a packet ends, as a join compares branches: dropping and rejecting are alike. */
function endOf(verdict: Verdict): 'accept' | 'deny' | 'undetermined' {
  return DENY.has(verdict) ? 'deny' : verdict === 'accept' ? 'accept' : 'undetermined';
}

/** The one key of every outcome without reasons (their lists are alike, not the same list). */
const NO_REASONS: readonly Reason[] = [];

function reasonsKey(reasons: readonly Reason[]): readonly Reason[] {
  return reasons.length === 0 ? NO_REASONS : reasons;
}

/**
 * Joins the two branches of an undetermined match over the same packets, each followed to its end
 * in the stage: where they end the same way the outcome stands (decided by the branch where the
 * rule did not match, the configuration's reading if the unknown match never fires); elsewhere the
 * packets are undetermined.
 *
 * Of the matched branch only how each packet ends counts (accepted, denied, or undetermined and
 * why), so its outcomes are merged by that first; and outcomes the join makes alike (the same
 * outcome of the unmatched branch, or undetermined for the same reasons) are one outcome. Else
 * each of a chain's thousand undecided rules (MAC checks, say) would multiply its outcomes by
 * those of everything after it.
 */
export function combineBranches(rule: DecisionRule, uncertain: string[], matched: Outcome[], unmatched: Outcome[]): Outcome[] {
  const joined = new JoinedOutcomes(
    uncertain.map((why) => ({ rule, why })),
    rule,
  );
  const ends = mergedByEnd(matched);
  // Both branches end the same packets: a branch with one outcome holds all of them, so each outcome of the other is its share.
  if (unmatched.length === 1) {
    for (const a of ends) joined.add(a, unmatched[0]!, a.set);
  } else if (ends.length === 1) {
    for (const b of unmatched) joined.add(ends[0]!, b, b.set);
  } else {
    // The pairs of outcomes that can overlap: the join costs what the branches share, not every pair.
    const index = new SetIndex(unmatched.map((b) => b.set));
    for (const a of ends) {
      for (const position of index.meeting(a.set)) {
        const b = unmatched[position]!;
        const set = a.set.intersect(b.set);
        if (!set.isEmpty()) joined.add(a, b, set);
      }
    }
  }
  return joined.outcomes();
}

/** The outcomes merged by how they end: accepted, denied, or undetermined for the same reasons (each keeps its first outcome's rule). */
export function mergedByEnd(outcomes: Outcome[]): Outcome[] {
  if (outcomes.length <= 1) return outcomes;
  const merged = new Map<unknown, { first: Outcome; sets: PacketSet[] }>();
  for (const outcome of outcomes) {
    const end = endOf(outcome.verdict);
    const key = end === 'undetermined' ? reasonsKey(outcome.reasons) : end;
    const entry = merged.get(key);
    if (entry) entry.sets.push(outcome.set);
    else merged.set(key, { first: outcome, sets: [outcome.set] });
  }
  return [...merged.values()].map(({ first, sets }) => ({ ...first, set: PacketSet.unionOfDisjoint(sets) }));
}

/** The outcomes of a join, those alike merged, in the order they first appear. */
class JoinedOutcomes {
  /** Per outcome of the unmatched branch, the packets it decides; per pair of reason lists, the packets undetermined for them. */
  private readonly decided = new Map<Outcome, PacketSet[]>();
  private readonly undetermined = new Map<readonly Reason[], Map<readonly Reason[], PacketSet[]>>();
  private readonly order: { outcome: Outcome; sets: PacketSet[] }[] = [];

  constructor(
    private readonly reasons: Reason[],
    private readonly rule: DecisionRule,
  ) {}

  add(a: Outcome, b: Outcome, set: PacketSet): void {
    const end = endOf(a.verdict);
    if (end !== 'undetermined' && end === endOf(b.verdict)) {
      this.sets(this.decided, b, () => b).push(set);
      return;
    }
    const [aKey, bKey] = [reasonsKey(a.reasons), reasonsKey(b.reasons)];
    let byB = this.undetermined.get(aKey);
    if (!byB) this.undetermined.set(aKey, (byB = new Map()));
    this.sets(byB, bKey, () => ({
      set: PacketSet.EMPTY,
      verdict: 'undetermined',
      rule: this.rule,
      reasons: [...this.reasons, ...a.reasons, ...b.reasons],
    })).push(set);
  }

  outcomes(): Outcome[] {
    return this.order.map(({ outcome, sets }) => ({ ...outcome, set: PacketSet.unionOfDisjoint(sets) }));
  }

  private sets<K>(map: Map<K, PacketSet[]>, key: K, outcome: () => Outcome): PacketSet[] {
    let sets = map.get(key);
    if (!sets) {
      map.set(key, (sets = []));
      this.order.push({ outcome: outcome(), sets });
    }
    return sets;
  }
}

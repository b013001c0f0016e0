/**
 * Evaluates a policy program over sets of packets.
 *
 * A chain is walked once for a whole set: at each rule the packets that surely match take the
 * rule's action and the rest go on. Packets the rule only *may* match (an unmodelled match) are
 * followed down both branches, matched and not matched; where both branches end the same way the
 * packets are decided, elsewhere they are undetermined and the rule's reasons are kept.
 */
import { PacketSet, Ranges, CtState, SetIndex } from '../packetset';
import {
  METADATA_NAMES,
  type DecisionChain,
  type DecisionRule,
  type EnforcementPoint,
  type Metadata,
  type PolicyProgram,
  type SourceRef,
} from '../model/policy';

export type Verdict = 'accept' | 'drop' | 'reject' | 'undetermined';

/** Packets that met the same end. */
export interface Outcome {
  set: PacketSet;
  verdict: Verdict;
  /** The rule that decided, or null when a chain policy did (then `policy` says which). */
  rule: DecisionRule | null;
  policy?: PolicyRef;
  /** Why the packets are undetermined (empty for decided outcomes): each names the rule whose match is not decided. */
  reasons: Reason[];
}

/** The chain whose default decided, where it is written, and how a sentence names it. */
export interface PolicyRef {
  chain: string;
  source?: SourceRef;
  phrase: string;
}

/** The default a base chain applies to what falls off its end: its policy, or accept when it has none. */
export function policyOf(chain: DecisionChain): { verdict: 'accept' | 'drop'; ref: PolicyRef } {
  const policy = chain.policy;
  return {
    verdict: policy?.verdict ?? 'accept',
    ref: {
      chain: chain.name,
      phrase: policy?.phrase ?? `the end of ${chain.phrase}`,
      ...(policy?.source ? { source: policy.source } : {}),
    },
  };
}

/** What lets every packet through a point the configuration does not filter: the setting that turns filtering off. */
export function unfilteredRef(point: EnforcementPoint): PolicyRef | undefined {
  const off = point.unfiltered;
  if (!off) return undefined;
  return { chain: point.id, phrase: `${point.label} (${off.reason})`, ...(off.source ? { source: off.source } : {}) };
}

export interface Reason {
  rule: DecisionRule;
  why: string;
}

/** Inside a chain, packets may also fall off its end or RETURN: they go back to the caller. */
type ChainVerdict = Verdict | 'return';
interface ChainOutcome extends Omit<Outcome, 'verdict'> {
  verdict: ChainVerdict;
}

/** A chain that jumped, and the rule after the jump, where returning packets go on; `up` is its own caller. */
interface Caller {
  chain: DecisionChain;
  resume: number;
  up: Caller | undefined;
}

/**
 * The chains a walk will return to: the callers (innermost first, as a linked list so that a jump
 * costs no copy however deep the chains nest) and the base chain whose policy ends it.
 */
interface Frames {
  base: DecisionChain;
  callers: Caller | undefined;
}

/**
 * One chain being walked by `evaluateFrom`: its next rule, the packets still in it, what has ended,
 * and how its result goes back to the chain below it on the walk's stack (after a jump at rule
 * `at`, or as that chain's own result after a goto).
 */
interface Activation {
  chain: DecisionChain;
  next: number;
  remaining: PacketSet;
  ended: ChainOutcome[];
  frames: Frames;
  via?: 'jump' | 'goto';
}

/** Why a rule that reads metadata cannot tell, for packets an earlier rule changed it on. */
export function changedMetadataReason(metadata: Metadata, writers: Iterable<DecisionRule>): string {
  const lines = [...new Set([...writers].map((w) => w.source.line))].sort((a, b) => a - b);
  return `the ${METADATA_NAMES[metadata]} it reads may have been changed by the rule${lines.length > 1 ? 's' : ''} at line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}, whose values fwmatrix does not track`;
}

/** A rule whose action only looks (LOG, counting): matching it or not leads to the same end. */
export function isInert(rule: DecisionRule): boolean {
  return rule.action.kind === 'continue' && rule.action.writes === undefined;
}

const DENY: ReadonlySet<Verdict> = new Set(['drop', 'reject']);

function sameEnd(a: Verdict, b: Verdict): boolean {
  return a === b || (DENY.has(a) && DENY.has(b));
}

export class Evaluator {
  /** Packets whose metadata a rule changed, and the rules that changed it, per metadata. */
  private tainted: Taints = new Map();
  /** Packets a NOTRACK-like rule surely took out of connection tracking: their state is UNTRACKED from then on. */
  private untracked: Untracked = NOT_UNTRACKED;

  constructor(private readonly program: PolicyProgram) {}

  /** Evaluates one enforcement point for a set of packets: every packet ends in exactly one outcome. */
  evaluatePoint(point: EnforcementPoint, packets: PacketSet): Outcome[] {
    this.tainted = new Map();
    this.untracked = NOT_UNTRACKED;
    const ended: Outcome[] = [];
    let passing = packets;
    /** The accepting outcomes users see: the primary stage's (else the first stage's). */
    let accepted: Outcome[] | undefined;
    /** Packets a later stage stopped after `accepted` was set; they leave the accepting outcomes. */
    let stoppedLater = PacketSet.EMPTY;
    for (const stage of point.stages) {
      if (passing.isEmpty()) break;
      const chain = this.chain(stage.chain);
      let input = passing;
      let bypass = PacketSet.EMPTY;
      if (stage.firstPacketOnly) {
        // Untracked packets have no connection, and no first packet of one.
        input = passing.restrict('state', Ranges.point(BigInt(CtState.NEW))).subtract(this.untracked.packets);
        bypass = passing.subtract(input);
      }
      const outcomes = this.evaluateBaseChain(chain, input);
      const stageAccepts = outcomes.filter((o) => o.verdict === 'accept');
      const stopped = outcomes.filter((o) => o.verdict !== 'accept');
      append(ended, stopped);
      if (stage.primary || accepted === undefined) {
        accepted = bypass.isEmpty()
          ? stageAccepts
          : [...stageAccepts, { set: bypass, verdict: 'accept', rule: null, reasons: [], policy: policyOf(chain).ref }];
        stoppedLater = PacketSet.EMPTY;
      } else {
        stoppedLater = PacketSet.unionOfDisjoint([stoppedLater, ...stopped.map((o) => o.set)]);
      }
      passing = PacketSet.unionOfDisjoint([bypass, ...stageAccepts.map((o) => o.set)]);
    }
    if (accepted === undefined) {
      const unfiltered = unfilteredRef(point);
      return [{ set: packets, verdict: 'accept', rule: null, reasons: [], ...(unfiltered ? { policy: unfiltered } : {}) }];
    }
    for (const outcome of accepted) {
      const set = stoppedLater.isEmpty() ? outcome.set : outcome.set.subtract(stoppedLater);
      if (!set.isEmpty()) ended.push({ ...outcome, set });
    }
    return ended;
  }

  private chain(name: string): DecisionChain {
    const chain = this.program.chains.get(name);
    if (!chain) throw new Error(`internal: chain ${name} is not in the program`);
    return chain;
  }

  /** A base chain: what falls off its end (or RETURNs from it) meets the policy. */
  private evaluateBaseChain(chain: DecisionChain, packets: PacketSet): Outcome[] {
    const frames: Frames = { base: chain, callers: undefined };
    const result: Outcome[] = [];
    for (const outcome of this.evaluateFrom(chain, 0, packets, frames)) {
      if (outcome.verdict === 'return') append(result, this.resume(outcome.set, frames));
      else result.push(outcome as Outcome);
    }
    return result;
  }

  /**
   * Walks a chain from rule `start`. Packets that leave the chain come back as 'return' outcomes
   * for the caller to continue; everything else has ended. `frames` (who called this chain, and
   * the base chain) lets an undetermined branch be followed to its very end. Jumps and gotos are
   * walked on an explicit stack, so that chains nested thousands deep do not exhaust the call stack.
   */
  private evaluateFrom(chain: DecisionChain, start: number, packets: PacketSet, frames: Frames): ChainOutcome[] {
    const stack: Activation[] = [{ chain, next: start, remaining: packets, ended: [], frames }];
    for (;;) {
      const top = stack[stack.length - 1];
      const called = this.step(top);
      if (called) {
        stack.push(called);
        continue;
      }
      if (!top.remaining.isEmpty()) top.ended.push({ set: top.remaining, verdict: 'return', rule: null, reasons: [] });
      stack.pop();
      const below = stack[stack.length - 1];
      if (!below) return top.ended;
      if (top.via === 'goto') {
        // The called chain's returns are the calling chain's returns.
        append(below.ended, top.ended);
        continue;
      }
      const returned: PacketSet[] = [];
      for (const outcome of top.ended) {
        if (outcome.verdict === 'return') returned.push(outcome.set);
        else below.ended.push(outcome);
      }
      // What returns came from packets the jump took out of `remaining`: disjoint from the rest.
      below.remaining = PacketSet.unionOfDisjoint([below.remaining, ...returned]);
    }
  }

  /**
   * Walks the activation's rules until its packets are gone or a rule jumps or goes to a chain:
   * then returns that chain's activation, to be walked first.
   */
  private step(top: Activation): Activation | undefined {
    while (top.next < top.chain.rules.length && !top.remaining.isEmpty()) {
      const i = top.next++;
      const rule = top.chain.rules[i];
      const { surely, may, uncertain } = this.effectiveMatch(rule);
      const sure = top.remaining.intersect(surely);
      // Whether a rule that changes nothing matches makes no difference: no branches to follow.
      const unsure = isInert(rule) ? PacketSet.EMPTY : top.remaining.intersect(may).subtract(sure);
      if (!unsure.isEmpty()) {
        // Each branch writes metadata of its own; afterwards the packets may carry what either wrote.
        const [taintsBefore, untrackedBefore] = [this.tainted, this.untracked];
        const ifMatched = this.complete(top.chain, i, unsure, top.frames, true);
        const [taintsMatched, untrackedMatched] = [this.tainted, this.untracked];
        [this.tainted, this.untracked] = [taintsBefore, untrackedBefore];
        const ifNot = this.complete(top.chain, i + 1, unsure, top.frames, false);
        this.tainted = mergeTaints(taintsMatched, this.tainted);
        // Untracked in one branch only: the state is no longer known.
        const either = untrackedMatched.packets.union(this.untracked.packets);
        const both = untrackedMatched.packets.intersect(this.untracked.packets);
        const writers = new Set([...untrackedMatched.by, ...this.untracked.by]);
        for (const writer of writers) if (!either.subtract(both).isEmpty()) this.taint('ctstate', either.subtract(both), writer);
        this.untracked = { packets: both, by: writers };
        append(top.ended, combineBranches(rule, uncertain, ifMatched, ifNot));
        top.remaining = top.remaining.subtract(unsure);
      }
      if (sure.isEmpty()) continue;
      const action = rule.action;
      if (action.kind === 'jump' || action.kind === 'goto') {
        top.remaining = top.remaining.subtract(sure);
        const frames =
          action.kind === 'jump'
            ? { base: top.frames.base, callers: { chain: top.chain, resume: i + 1, up: top.frames.callers } }
            : top.frames;
        return { chain: this.chain(action.chain), next: 0, remaining: sure, ended: [], frames, via: action.kind };
      }
      const { ended, continuing } = this.act(top.chain, i, sure, top.frames);
      append(top.ended, ended);
      // What continues came from `sure`, so it is disjoint from the rest.
      top.remaining = PacketSet.unionOfDisjoint([top.remaining.subtract(sure), continuing]);
    }
    return undefined;
  }

  /**
   * Follows packets to their end in the stage: from rule `i` of `chain` (applying its action first
   * when `applyRule`), then back through the callers, down to the base chain's policy.
   */
  private complete(chain: DecisionChain, i: number, packets: PacketSet, frames: Frames, applyRule: boolean): Outcome[] {
    const ended: Outcome[] = [];
    const collect = (outcomes: ChainOutcome[]): PacketSet => {
      const returned: PacketSet[] = [];
      for (const o of outcomes) {
        if (o.verdict === 'return') returned.push(o.set);
        else ended.push(o as Outcome);
      }
      return PacketSet.unionOfDisjoint(returned);
    };
    let returned: PacketSet;
    if (applyRule) {
      const { ended: terminal, continuing } = this.act(chain, i, packets, frames);
      returned = collect(terminal);
      returned = PacketSet.unionOfDisjoint([returned, collect(this.evaluateFrom(chain, i + 1, continuing, frames))]);
    } else {
      returned = collect(this.evaluateFrom(chain, i, packets, frames));
    }
    // Back through the callers, one after another (no recursion: they may be thousands deep).
    let callers = frames.callers;
    while (!returned.isEmpty() && callers) {
      returned = collect(this.evaluateFrom(callers.chain, callers.resume, returned, { base: frames.base, callers: callers.up }));
      callers = callers.up;
    }
    if (!returned.isEmpty()) append(ended, this.resume(returned, { base: frames.base, callers: undefined }));
    return ended;
  }

  /** Packets returning from the chain on top of `frames`: back to its caller, or to the base chain's policy. */
  private resume(packets: PacketSet, frames: Frames): Outcome[] {
    if (!frames.callers) {
      const { verdict, ref } = policyOf(frames.base);
      return [{ set: packets, verdict, rule: null, reasons: [], policy: ref }];
    }
    return this.complete(frames.callers.chain, frames.callers.resume, packets, { base: frames.base, callers: frames.callers.up }, false);
  }

  /** Applies rule i's action to packets it matches: those that end here, and those that go on after rule i. */
  private act(chain: DecisionChain, i: number, packets: PacketSet, frames: Frames): { ended: ChainOutcome[]; continuing: PacketSet } {
    const rule = chain.rules[i];
    const action = rule.action;
    switch (action.kind) {
      case 'accept':
      case 'drop':
      case 'reject':
        return { ended: [{ set: packets, verdict: action.kind, rule, reasons: [] }], continuing: PacketSet.EMPTY };
      case 'return':
        return { ended: [{ set: packets, verdict: 'return', rule, reasons: [] }], continuing: PacketSet.EMPTY };
      case 'undetermined':
        return {
          ended: [{ set: packets, verdict: 'undetermined', rule, reasons: [{ rule, why: action.reason }] }],
          continuing: PacketSet.EMPTY,
        };
      case 'continue':
        if (action.writes === 'ctstate')
          this.untracked = { packets: this.untracked.packets.union(packets), by: new Set(this.untracked.by).add(rule) };
        else if (action.writes) this.taint(action.writes, packets, rule);
        return { ended: [], continuing: packets };
      case 'goto':
        // The called chain's returns are this chain's returns.
        return { ended: this.evaluateFrom(this.chain(action.chain), 0, packets, frames), continuing: PacketSet.EMPTY };
      case 'jump': {
        const called = this.evaluateFrom(this.chain(action.chain), 0, packets, {
          base: frames.base,
          callers: { chain, resume: i + 1, up: frames.callers },
        });
        const ended: ChainOutcome[] = [];
        const returned: PacketSet[] = [];
        for (const outcome of called) {
          if (outcome.verdict === 'return') returned.push(outcome.set);
          else ended.push(outcome);
        }
        return { ended, continuing: PacketSet.unionOfDisjoint(returned) };
      }
    }
  }

  /** The rule's match, made uncertain for packets whose metadata an earlier rule changed. */
  private effectiveMatch(rule: DecisionRule): { surely: PacketSet; may: PacketSet; uncertain: string[] } {
    if (!rule.reads) return rule.match;
    const { uncertain } = rule.match;
    let { surely, may } = rule.match;
    let relaxed = rule.reads.relaxed;
    const untracked = this.untracked.packets;
    if (rule.reads.metadata.includes('ctstate') && !untracked.isEmpty()) {
      // An untracked packet is matched as if its state were UNTRACKED.
      const asUntracked = (set: PacketSet): PacketSet =>
        set.subtract(untracked).union(
          set
            .restrict('state', Ranges.point(BigInt(CtState.UNTRACKED)))
            .relax('state')
            .intersect(untracked),
        );
      [surely, may, relaxed] = [asUntracked(surely), asUntracked(may), asUntracked(relaxed)];
    }
    let changed = PacketSet.EMPTY;
    const why: string[] = [];
    for (const metadata of rule.reads.metadata) {
      const taint = this.tainted.get(metadata);
      if (!taint) continue;
      changed = changed.union(taint.packets);
      why.push(changedMetadataReason(metadata, taint.writers));
    }
    if (changed.isEmpty()) return { surely, may, uncertain };
    return { surely: surely.subtract(changed), may: may.union(relaxed.intersect(changed)), uncertain: [...uncertain, ...why] };
  }

  /** Copy on write: a branch's taints never change those saved before it. */
  private taint(metadata: Metadata, packets: PacketSet, writer: DecisionRule): void {
    const taint = this.tainted.get(metadata);
    this.tainted = new Map(this.tainted).set(metadata, {
      packets: (taint?.packets ?? PacketSet.EMPTY).union(packets),
      writers: new Set(taint?.writers).add(writer),
    });
  }
}

type Taints = Map<Metadata, { packets: PacketSet; writers: Set<DecisionRule> }>;

/** Packets surely untracked, and the rules that untracked them. */
interface Untracked {
  packets: PacketSet;
  by: Set<DecisionRule>;
}
const NOT_UNTRACKED: Untracked = { packets: PacketSet.EMPTY, by: new Set() };

/** The packets either set of taints says were changed, and by which rules. */
function mergeTaints(a: Taints, b: Taints): Taints {
  if (a === b) return a;
  const merged: Taints = new Map(b);
  for (const [metadata, taint] of a) {
    const other = merged.get(metadata);
    merged.set(
      metadata,
      other && other !== taint
        ? { packets: other.packets.union(taint.packets), writers: new Set([...other.writers, ...taint.writers]) }
        : taint,
    );
  }
  return merged;
}

/**
 * Joins the two branches of an undetermined match over the same packets, each followed to its end
 * in the stage: where they end the same way the outcome stands (decided by the branch where the rule did not match, the configuration's
 * reading if the unknown match never fires); elsewhere the packets are undetermined.
 */
function combineBranches(rule: DecisionRule, uncertain: string[], matched: Outcome[], unmatched: Outcome[]): Outcome[] {
  const combined: Outcome[] = [];
  const reasons = uncertain.map((why) => ({ rule, why }));
  // The pairs of outcomes that can overlap: the join costs what the branches share, not every pair.
  const index = new SetIndex(unmatched.map((b) => b.set));
  for (const a of matched) {
    for (const position of index.meeting(a.set)) {
      const b = unmatched[position]!;
      const set = a.set.intersect(b.set);
      if (set.isEmpty()) continue;
      if (sameEnd(a.verdict, b.verdict) && a.verdict !== 'undetermined') {
        combined.push({ ...b, set });
      } else {
        combined.push({ set, verdict: 'undetermined', rule, reasons: [...reasons, ...a.reasons, ...b.reasons] });
      }
    }
  }
  return combined;
}

/** Appends items to list one by one: a spread of a long list into push() overflows the call stack. */
function append<T>(list: T[], items: readonly T[]): void {
  for (const item of items) list.push(item);
}

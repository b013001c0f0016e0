/**
 * Evaluates a policy program over sets of packets.
 *
 * A chain is walked once for a whole set: at each rule the packets that surely match take the
 * rule's action and the rest go on. Packets the rule only *may* match (an unmodelled match) are
 * followed down both branches, matched and not matched; where both branches end the same way the
 * packets are decided, elsewhere they are undetermined and the rule's reasons are kept.
 */
import { PacketSet, Ranges, CtState, SetIndex, ShrinkingSet } from '../packetset';
import {
  METADATA_NAMES,
  type DecisionChain,
  type DecisionRule,
  type EnforcementPoint,
  type Metadata,
  type MetadataWrite,
  type PolicyProgram,
  type ValueMetadata,
  type SourceRef,
} from '../model/policy';
import { combineBranches, mergedByEnd } from './branches';
import { ProgramIndex } from './rule-index';
import { ValuePartition } from './value-classes';
import { applyWrite, connectionMarkWriters } from './values';

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
  /** The packets that jumped: whatever returns to this caller is some of them. */
  entered: PacketSet;
  /** How many undetermined branches have asked where packets returning here end. */
  asked: number;
  /** Where each packet of `entered` ends once it returns here, made when a second branch asks. */
  ends?: IndexedOutcomes;
  /** The same, merged by how the packets end (for a branch whose join looks at nothing else). */
  endsMerged?: IndexedOutcomes;
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
  /**
   * When the packets that entered are few boxes, the positions (ascending) of the rules that may
   * match any of them, and the next one to look at: the other rules cannot meet what is left.
   */
  meeting?: { positions: number[]; at: number };
  remaining: ShrinkingSet;
  ended: ChainOutcome[];
  frames: Frames;
  via?: 'jump' | 'goto';
}

/** Why a rule that reads metadata cannot tell, for packets earlier rules changed it on in ways fwmatrix cannot follow. */
export function changedMetadataReason(metadata: Metadata, writers: Iterable<DecisionRule>): string {
  const lines = [...new Set([...writers].map((w) => w.source.line))].sort((a, b) => a - b);
  return `the ${METADATA_NAMES[metadata]} it reads may have been changed by the rule${lines.length > 1 ? 's' : ''} at line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}, and fwmatrix cannot tell ${metadata === 'ctstate' ? 'whether it was' : 'to what value'}`;
}

/** A rule whose action only looks (LOG, counting): matching it or not leads to the same end. */
export function isInert(rule: DecisionRule): boolean {
  return rule.action.kind === 'continue' && rule.action.writes === undefined;
}

/** An activation entered by at most FEW_BOXES boxes, with more than FEW_RULES rules ahead of it, looks up the rules its packets may meet. */
const FEW_BOXES = 16;
const FEW_RULES = 8;

export class Evaluator {
  /** The packets split by the metadata values (marks) they carry. */
  private values: ValuePartition;
  /** Packets a NOTRACK-like rule surely took out of connection tracking: their state is UNTRACKED from then on. */
  private untracked: Untracked = NOT_UNTRACKED;
  /** Packets a NOTRACK-like rule took out of connection tracking on one branch of an undecided rule only, and those rules. */
  private maybeUntracked: Untracked = NOT_UNTRACKED;

  /** The packets as they enter a point: each with the values it carries then. */
  private readonly initialValues: ValuePartition;
  private readonly index = new ProgramIndex();
  /** Per base chain, whether no rule of its stage writes metadata (marks, conntrack state): then where a packet ends in the stage depends on the packet alone. */
  private readonly stageWritesNothing = new Map<DecisionChain, boolean>();

  constructor(private readonly program: PolicyProgram) {
    this.initialValues = ValuePartition.initial(PacketSet.full(program.family), connectionMarkWriters(program));
    this.values = this.initialValues;
  }

  /** Evaluates one enforcement point for a set of packets: every packet ends in exactly one outcome. */
  evaluatePoint(point: EnforcementPoint, packets: PacketSet): Outcome[] {
    this.values = this.initialValues;
    this.untracked = NOT_UNTRACKED;
    this.maybeUntracked = NOT_UNTRACKED;
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
      if (outcome.verdict === 'return') append(result, this.atPolicy(outcome.set, chain));
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
    const stack: Activation[] = [this.activation(chain, start, packets, frames)];
    for (;;) {
      const top = stack[stack.length - 1];
      const called = this.step(top);
      if (called) {
        stack.push(called);
        continue;
      }
      if (!top.remaining.isEmpty()) top.ended.push({ set: top.remaining.toPacketSet(), verdict: 'return', rule: null, reasons: [] });
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
      // Where every packet that jumped ends after the jump may be known already (undecided rules of
      // the called chain asked): the returning packets take their share, not the walk again.
      const ends = top.via === 'jump' ? top.frames.callers?.ends : undefined;
      if (ends) append(below.ended, shareOf(ends, PacketSet.unionOfDisjoint(returned)));
      // What returns came from packets the jump took out of `remaining`: disjoint from the rest.
      else below.remaining.giveBack(returned);
    }
  }

  /**
   * A chain entered at rule `start` by `packets`. What is left in it later is some of those packets
   * (what a called chain returns came from them), so the rules none of them may meet never match.
   */
  private activation(chain: DecisionChain, start: number, packets: PacketSet, frames: Frames, via?: 'jump' | 'goto'): Activation {
    const activation: Activation = { chain, next: start, remaining: new ShrinkingSet(packets), ended: [], frames, ...(via ? { via } : {}) };
    if (packets.boxes.length <= FEW_BOXES && chain.rules.length - start > FEW_RULES)
      activation.meeting = { positions: this.index.of(chain).meetingSet(packets, start), at: 0 };
    return activation;
  }

  /** The position of the activation's next rule that may meet its packets (past the end when none). */
  private nextRule(top: Activation): number {
    const meeting = top.meeting;
    if (!meeting) return top.next;
    while (meeting.at < meeting.positions.length && meeting.positions[meeting.at]! < top.next) meeting.at++;
    return meeting.at < meeting.positions.length ? meeting.positions[meeting.at]! : top.chain.rules.length;
  }

  /**
   * Walks the activation's rules until its packets are gone or a rule jumps or goes to a chain:
   * then returns that chain's activation, to be walked first.
   */
  private step(top: Activation): Activation | undefined {
    while (!top.remaining.isEmpty()) {
      const i = this.nextRule(top);
      if (i >= top.chain.rules.length) break;
      top.next = i + 1;
      const rule = top.chain.rules[i];
      // Whether a rule that changes nothing matches makes no difference to any packet.
      if (isInert(rule)) continue;
      const { surely, may, uncertain } = this.effectiveMatch(rule);
      const sure = top.remaining.intersect(surely);
      const unsure = may === surely ? PacketSet.EMPTY : top.remaining.intersect(may).subtract(sure);
      if (!unsure.isEmpty()) {
        // Each branch writes metadata of its own; afterwards the packets may carry what either wrote.
        const before = this.metadata();
        const ifMatched = this.complete(top.chain, i, unsure, top.frames, true);
        const matched = this.metadata();
        [this.values, this.untracked, this.maybeUntracked] = before;
        const ifNot = this.complete(top.chain, i + 1, unsure, top.frames, false);
        this.joinMetadata(matched, unsure);
        append(top.ended, combineBranches(rule, uncertain, ifMatched, ifNot));
        top.remaining.take(unsure);
      }
      if (sure.isEmpty()) continue;
      const action = rule.action;
      if (action.kind === 'jump' || action.kind === 'goto') {
        top.remaining.take(sure);
        const frames =
          action.kind === 'jump' ? { base: top.frames.base, callers: caller(top.chain, i + 1, top.frames.callers, sure) } : top.frames;
        return this.activation(this.chain(action.chain), 0, sure, frames, action.kind);
      }
      const { ended, continuing } = this.act(top.chain, i, sure, top.frames);
      append(top.ended, ended);
      // A rule that goes on (a mark written) leaves its packets in the chain; the others end them.
      if (continuing.isEmpty()) top.remaining.take(sure);
    }
    return undefined;
  }

  /**
   * Follows packets to their end in the stage: from rule `i` of `chain` (applying its action first
   * when `applyRule`), then back through the callers, down to the base chain's policy. The
   * matched branch is joined by how its packets end only (`combineBranches`), so there what
   * returns to a caller takes its share of the ends merged by that.
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
    append(ended, this.returnTo(frames.callers, returned, frames.base, applyRule ? 'merged' : 'exact'));
    return ended;
  }

  /**
   * Where packets returning to `callers` end: back through the callers, one after another (no
   * recursion: they may be thousands deep), down to the base chain's policy. In a stage that
   * writes no metadata a packet's end depends on the packet alone, so where all the packets that
   * jumped end after a caller is worked out once, when a second branch asks, and each later
   * branch takes its own packets' share of that (`share`: whether this walk may work it out).
   */
  private returnTo(callers: Caller | undefined, packets: PacketSet, base: DecisionChain, share: 'exact' | 'merged' | false): Outcome[] {
    const ended: Outcome[] = [];
    let returned = packets;
    for (; !returned.isEmpty() && callers; callers = callers.up) {
      if (share && this.writesNothing(base) && ++callers.asked >= 2) {
        callers.ends ??= this.endsAfter(callers, base);
        if (share === 'merged') callers.endsMerged ??= indexed(mergedByEnd(callers.ends.outcomes));
        append(ended, shareOf(share === 'merged' ? callers.endsMerged! : callers.ends, returned));
        return ended;
      }
      const back: PacketSet[] = [];
      for (const o of this.evaluateFrom(callers.chain, callers.resume, returned, { base, callers: callers.up })) {
        if (o.verdict === 'return') back.push(o.set);
        else ended.push(o as Outcome);
      }
      returned = PacketSet.unionOfDisjoint(back);
    }
    if (!returned.isEmpty()) append(ended, this.atPolicy(returned, base));
    return ended;
  }

  /** Whether no rule of the chains the base chain reaches writes metadata. */
  private writesNothing(base: DecisionChain): boolean {
    let known = this.stageWritesNothing.get(base);
    if (known === undefined) this.stageWritesNothing.set(base, (known = !this.reachesWriter(base)));
    return known;
  }

  private reachesWriter(base: DecisionChain): boolean {
    const seen = new Set<DecisionChain>([base]);
    const pending = [base];
    for (let chain = pending.pop(); chain; chain = pending.pop()) {
      for (const { action } of chain.rules) {
        if (action.kind === 'continue' && action.writes) return true;
        if (action.kind !== 'jump' && action.kind !== 'goto') continue;
        const called = this.chain(action.chain);
        if (seen.has(called)) continue;
        seen.add(called);
        pending.push(called);
      }
    }
    return false;
  }

  /** Where every packet that jumped ends once it returns to the caller. */
  private endsAfter(caller: Caller, base: DecisionChain): IndexedOutcomes {
    return indexed(this.returnTo(caller, caller.entered, base, false));
  }

  /** Packets that leave the stage's base chain (fall off its end or RETURN): its policy decides them. */
  private atPolicy(packets: PacketSet, base: DecisionChain): Outcome[] {
    const { verdict, ref } = policyOf(base);
    return [{ set: packets, verdict, rule: null, reasons: [], policy: ref }];
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
        if (action.writes) this.write(rule, action.writes, packets);
        return { ended: [], continuing: packets };
      case 'goto':
        // The called chain's returns are this chain's returns.
        return { ended: this.evaluateFrom(this.chain(action.chain), 0, packets, frames), continuing: PacketSet.EMPTY };
      case 'jump': {
        const called = this.evaluateFrom(this.chain(action.chain), 0, packets, {
          base: frames.base,
          callers: caller(chain, i + 1, frames.callers, packets),
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

  /** What the metadata is, for saving it before a branch. */
  private metadata(): [ValuePartition, Untracked, Untracked] {
    return [this.values, this.untracked, this.maybeUntracked];
  }

  /** After both branches of a rule that may match `within`: a packet may carry what either branch wrote (the current metadata is the unmatched branch's). */
  private joinMetadata([values, untracked, maybeUntracked]: [ValuePartition, Untracked, Untracked], within: PacketSet): void {
    this.values = ValuePartition.joinBranches(values, this.values, within);
    // Neither branch took packets out of connection tracking: nothing to join.
    if (untracked === this.untracked && maybeUntracked === this.maybeUntracked) return;
    // Untracked in one branch only: the state is no longer known.
    const either = untracked.packets.union(this.untracked.packets);
    const both = untracked.packets.intersect(this.untracked.packets);
    const writers = new Set([...untracked.by, ...this.untracked.by]);
    const uncertain = [maybeUntracked, this.maybeUntracked, { packets: either.subtract(both), by: writers }].filter(
      (u) => !u.packets.isEmpty(),
    );
    this.maybeUntracked =
      uncertain.length === 0
        ? NOT_UNTRACKED
        : {
            packets: uncertain.map((u) => u.packets).reduce((a, b) => a.union(b)),
            by: new Set(uncertain.flatMap((u) => [...u.by])),
          };
    this.untracked = { packets: both, by: writers };
  }

  /** A rule's action writes metadata on these packets. */
  private write(rule: DecisionRule, write: MetadataWrite, packets: PacketSet): void {
    if (write.metadata === 'ctstate') {
      this.untracked = { packets: this.untracked.packets.union(packets), by: new Set(this.untracked.by).add(rule) };
      // Surely untracked now, whatever an undecided rule before did.
      if (this.maybeUntracked.packets.overlaps(packets))
        this.maybeUntracked = { packets: this.maybeUntracked.packets.subtract(packets), by: this.maybeUntracked.by };
      return;
    }
    const { metadata, bits, where } = write;
    let surely = packets;
    let maybe = PacketSet.EMPTY;
    if (where) {
      // A packet an undecided rule may have untracked is written where its state as it was and UNTRACKED
      // both take the write, maybe written where only one does.
      const unsure = this.maybeUntracked.packets;
      const [asIs, untracked] = [where, seenUntracked(where)];
      surely = packets
        .intersect(this.asUntracked(where))
        .subtract(unsure)
        .union(packets.intersect(unsure).intersect(asIs).intersect(untracked));
      maybe = packets.intersect(unsure).intersect(asIs.union(untracked)).subtract(surely);
    }
    this.values = this.values
      .map(surely, (state) => applyWrite(state, metadata, bits, rule))
      .map(maybe, (state) => applyWrite(state, metadata, bits, rule, true));
  }

  /** The packets of `set` once untracked packets are seen with the state UNTRACKED. */
  private asUntracked(set: PacketSet): PacketSet {
    const untracked = this.untracked.packets;
    if (untracked.isEmpty()) return set;
    // Most rules test NEW or ESTABLISHED on other packets than the few NOTRACK takes out: no set is cut.
    const tracked = set.overlaps(untracked) ? set.subtract(untracked) : set;
    const seen = seenUntracked(set);
    return seen.isEmpty() ? tracked : tracked.union(seen.intersect(untracked));
  }

  /**
   * The rule's match for the packets as they are now: conntrack states as earlier rules left them,
   * values tested against the values the packets carry, and uncertain for packets whose metadata
   * earlier rules changed in ways fwmatrix cannot follow.
   */
  private effectiveMatch(rule: DecisionRule): { surely: PacketSet; may: PacketSet; uncertain: string[] } {
    const reads = rule.reads;
    if (!reads) return rule.match;
    let { surely, may } = reads.values?.others ?? rule.match;
    const why: string[] = [];
    if (reads.metadata.includes('ctstate')) [surely, may] = this.matchAsTracked(surely, may, why);
    const tested = new Set<Metadata>(['ctstate']);
    for (const test of reads.values?.tests ?? []) {
      tested.add(test.metadata);
      const { holds, may: mayHold, unknownBy } = this.values.test(test, may);
      surely = holds === 'all' ? surely : holds === 'none' ? PacketSet.EMPTY : surely.intersect(holds);
      may = mayHold === 'all' ? may : mayHold === 'none' ? PacketSet.EMPTY : may.intersect(mayHold);
      if (unknownBy.size > 0) why.push(changedMetadataReason(test.metadata, unknownBy));
    }
    let changed = PacketSet.EMPTY;
    for (const metadata of reads.metadata) {
      if (tested.has(metadata)) continue;
      const taint = this.values.changed(metadata as ValueMetadata);
      if (taint.packets.isEmpty()) continue;
      changed = changed.union(taint.packets);
      why.push(changedMetadataReason(metadata, taint.writers));
    }
    const uncertain = why.length > 0 ? [...rule.match.uncertain, ...why] : rule.match.uncertain;
    if (changed.isEmpty()) return { surely, may, uncertain };
    return { surely: surely.subtract(changed), may: may.union(reads.relaxed.intersect(changed)), uncertain };
  }

  /**
   * A match that reads the conntrack state, for the packets as earlier rules left them: untracked
   * ones are UNTRACKED; one an undecided rule may have untracked matches surely where it does both
   * as it was and as UNTRACKED, and may where it may either way (then `why` names those rules).
   */
  private matchAsTracked(surely: PacketSet, may: PacketSet, why: string[]): [PacketSet, PacketSet] {
    [surely, may] = [this.asUntracked(surely), this.asUntracked(may)];
    const unsure = this.maybeUntracked.packets;
    if (unsure.isEmpty()) return [surely, may];
    const [surelyUntracked, mayUntracked] = [seenUntracked(surely), seenUntracked(may)];
    const bothWays = surely.intersect(surelyUntracked).intersect(unsure);
    const eitherWay = may.union(mayUntracked).intersect(unsure);
    const differ = surely
      .union(surelyUntracked)
      .subtract(surely.intersect(surelyUntracked))
      .union(may.union(mayUntracked).subtract(may.intersect(mayUntracked)));
    if (differ.overlaps(unsure)) why.push(changedMetadataReason('ctstate', this.maybeUntracked.by));
    return [surely.subtract(unsure).union(bothWays), may.subtract(unsure).union(eitherWay)];
  }
}

/** The packets that are in `set` once their state is UNTRACKED, whatever it was. */
function seenUntracked(set: PacketSet): PacketSet {
  return set.restrict('state', Ranges.point(BigInt(CtState.UNTRACKED))).relax('state');
}

function caller(chain: DecisionChain, resume: number, up: Caller | undefined, entered: PacketSet): Caller {
  return { chain, resume, up, entered, asked: 0 };
}

/** Outcomes with an index of their sets. */
interface IndexedOutcomes {
  outcomes: Outcome[];
  index: SetIndex;
}

function indexed(outcomes: Outcome[]): IndexedOutcomes {
  return { outcomes, index: new SetIndex(outcomes.map((o) => o.set)) };
}

/** The outcomes of `ends` restricted to `packets` (some of the packets they cover). */
function shareOf(ends: IndexedOutcomes, packets: PacketSet): Outcome[] {
  const share: Outcome[] = [];
  for (const position of ends.index.meeting(packets)) {
    const outcome = ends.outcomes[position]!;
    const set = outcome.set.intersect(packets);
    if (!set.isEmpty()) share.push({ ...outcome, set });
  }
  return share;
}

/** Packets (surely or maybe) untracked, and the rules that untracked them. */
interface Untracked {
  packets: PacketSet;
  by: Set<DecisionRule>;
}
const NOT_UNTRACKED: Untracked = { packets: PacketSet.EMPTY, by: new Set() };

/** Appends items to list one by one: a spread of a long list into push() overflows the call stack. */
function append<T>(list: T[], items: readonly T[]): void {
  for (const item of items) list.push(item);
}

/**
 * Follows one packet through an enforcement point, rule by rule, the way the kernel would, and
 * records every rule it was tested against. It is deliberately independent of the set evaluator
 * (a direct interpreter), so that the two check each other in the tests.
 */
import { CtState, type Point } from '../packetset';
import type {
  DecisionChain,
  DecisionRule,
  EnforcementPoint,
  Metadata,
  MetadataWrite,
  PolicyProgram,
  SourceRef,
  ValueMetadata,
} from '../model/policy';
import { changedMetadataReason, isInert, policyOf, unfilteredRef, type PolicyRef, type Verdict } from './evaluate';
import { INITIAL_STATE, applyWrite, connectionMarkWriters, joinStates, laterPacketState, testValue, type ValueState } from './values';

export interface TraceStep {
  /** The chain as the configuration names it (INPUT, a user chain). */
  chain: string;
  /** Its group, where the configuration has them (iptables: filter, nat, mangle, raw, security). */
  table?: string;
  line: number;
  text: string;
  matched: boolean | 'unknown';
  /** What the rule did to the packet when it matched: accept, drop, reject, return, jump X, goto X, continue, policy. */
  action: string;
  /** The class of the rule (or policy), where the vendor evaluates rules by class (Windows: bypass, block, allow, default). */
  group?: string;
}

/** A packet to trace, as the command line and the probes file give it. */
export interface Probe {
  from: string;
  to: string;
  proto: string | number;
  sport?: number;
  dport?: number;
  in?: string;
  out?: string;
  /** The enforcement point's id (INPUT, FORWARD, OUTPUT, …); by default chosen from `in` and `out`. */
  chain?: string;
  icmpType?: number;
  icmpCode?: number;
}

export interface TraceOutput extends TraceResult {
  /** The probe, with the enforcement point it crossed. */
  packet: Probe & { chain: string };
}

export interface TraceResult {
  verdict: Verdict;
  /** The deciding rule; null when a chain policy decided (then `policy` names the chain). */
  decidedBy: SourceRef | null;
  policy?: PolicyRef;
  steps: TraceStep[];
  /** Why the verdict is undetermined. */
  reasons: { rule: SourceRef; why: string }[];
}

/**
 * How a walk ended: a verdict, 'return' (left the chain), or — only from a followed branch —
 * 'policy' (reached the base chain's end; the stage then applies `policyVerdict`).
 */
type End = {
  verdict: Verdict | 'return' | 'policy';
  policyVerdict?: 'accept' | 'drop';
  rule: DecisionRule | null;
  reasons: TraceResult['reasons'];
};

export function tracePacket(program: PolicyProgram, point: EnforcementPoint, packet: Point): TraceResult {
  const unfiltered = unfilteredRef(point);
  if (unfiltered) return { verdict: 'accept', decidedBy: null, policy: unfiltered, steps: [], reasons: [] };
  const steps: TraceStep[] = [];
  const untracked: Untracked = { value: false, maybe: false, by: new Set() };
  // A later packet of a connection carries the connection mark its earlier packets were given.
  const later = packet.state === CtState.ESTABLISHED || packet.state === CtState.RELATED;
  const values = later ? laterPacketState(connectionMarkWriters(program)) : INITIAL_STATE;
  const walk: Walk = { program, packet, steps, untracked, values };
  let accepting: DecisionRule | null = null;
  let acceptingPolicy: TraceResult['policy'];
  let firstStage = true;

  for (const stage of point.stages) {
    // Untracked packets have no connection, and no first packet of one.
    if (stage.firstPacketOnly && (packet.state !== CtState.NEW || untracked.value)) continue;
    const chain = chainOf(program, stage.chain);
    const end = run(walk, chain, 0, { base: chain, callers: undefined }, false);
    if (end.verdict === 'policy') {
      const { verdict, ref: policy } = policyOf(chain);
      steps.push({
        ...chainNames(chain),
        line: chain.policy?.source?.line ?? 0,
        text: chain.policy?.source?.text ?? '',
        matched: true,
        action: `policy ${verdict}`,
        ...(chain.policy?.group !== undefined ? { group: chain.policy.group } : {}),
      });
      if (verdict === 'drop') return { verdict, decidedBy: null, policy, steps, reasons: end.reasons };
      if (stage.primary || firstStage) {
        accepting = null;
        acceptingPolicy = policy;
      }
    } else if (end.verdict !== 'accept') {
      return { verdict: end.verdict, decidedBy: end.rule?.source ?? null, steps, reasons: end.reasons };
    } else if (stage.primary || firstStage) {
      accepting = end.rule;
      acceptingPolicy = undefined;
    }
    firstStage = false;
  }
  return {
    verdict: 'accept',
    decidedBy: accepting?.source ?? null,
    ...(acceptingPolicy ? { policy: acceptingPolicy } : {}),
    steps,
    reasons: [],
  };
}

/** How a step names its chain: as the configuration does. */
function chainNames(chain: DecisionChain): { chain: string; table?: string } {
  return { chain: chain.title, ...(chain.table !== undefined ? { table: chain.table } : {}) };
}

function chainOf(program: PolicyProgram, name: string): DecisionChain {
  const chain = program.chains.get(name);
  if (!chain) throw new Error(`internal: chain ${name} is not in the program`);
  return chain;
}

/** Does the rule match this packet: surely, surely not, or unknown (the configuration does not say). */
function matches(rule: DecisionRule, w: Walk): boolean | 'unknown' {
  const reads = rule.reads;
  if (!reads) return decide(rule.match, w.packet);
  if (changedReads(rule, w).length > 0) return reads.relaxed.contains(w.packet) ? 'unknown' : false;
  if (!reads.metadata.includes('ctstate')) return matchesAs(rule, w, w.packet);
  if (!w.untracked.maybe) return matchesAs(rule, w, trackedAs(w, w.packet));
  // An undecided rule may have untracked the packet: known only where it makes no difference.
  const [asIs, untracked] = [matchesAs(rule, w, w.packet), matchesAs(rule, w, { ...w.packet, state: CtState.UNTRACKED })];
  return asIs === untracked ? asIs : 'unknown';
}

/** Whether a rule that reads metadata matches the packet with these headers and state, and the values it carries. */
function matchesAs(rule: DecisionRule, w: Walk, packet: Point): boolean | 'unknown' {
  const values = rule.reads?.values;
  if (!values) return decide(rule.match, packet);
  let result = decide(values.others, packet);
  for (const test of values.tests) {
    if (result === false) break;
    const holds = testValue(test, w.values);
    if (holds !== true) result = holds;
  }
  return result;
}

function decide(match: DecisionRule['match'], packet: Point): boolean | 'unknown' {
  if (match.surely.contains(packet)) return true;
  return match.may.contains(packet) ? 'unknown' : false;
}

/** The packet as rules reading its conntrack state see it: an untracked packet's state is UNTRACKED. */
function trackedAs(w: Walk, packet: Point): Point {
  return w.untracked.value ? { ...packet, state: CtState.UNTRACKED } : packet;
}

/**
 * The values the rule reads that earlier rules changed and it does not test exactly, and those
 * rules (the conntrack state is followed on its own).
 */
function changedReads(rule: DecisionRule, w: Walk): [ValueMetadata, ReadonlySet<DecisionRule>][] {
  const tested = new Set<Metadata>(['ctstate', ...(rule.reads?.values?.tests.map((t) => t.metadata) ?? [])]);
  return (rule.reads?.metadata ?? []).flatMap((m): [ValueMetadata, ReadonlySet<DecisionRule>][] =>
    tested.has(m) || w.values.writers[m as ValueMetadata].size === 0 ? [] : [[m as ValueMetadata, w.values.writers[m as ValueMetadata]]],
  );
}

/** Why the rule's match is unknown for this packet. */
function unknownReasons(rule: DecisionRule, w: Walk): string[] {
  const changed = changedReads(rule, w);
  if (changed.length > 0) return [...rule.match.uncertain, ...changed.map(([m, writers]) => changedMetadataReason(m, writers))];
  const why = [...rule.match.uncertain];
  if (w.untracked.maybe && rule.reads?.metadata.includes('ctstate')) {
    const untracked = { ...w.packet, state: CtState.UNTRACKED };
    if (decide(rule.reads.values?.others ?? rule.match, w.packet) !== decide(rule.reads.values?.others ?? rule.match, untracked))
      why.push(changedMetadataReason('ctstate', w.untracked.by));
  }
  const unknown = (rule.reads?.values?.tests ?? []).filter((t) => testValue(t, w.values) === 'unknown');
  return [...why, ...unknown.map((t) => changedMetadataReason(t.metadata, w.values.writers[t.metadata]))];
}

/** Applies a rule's write to the packet's metadata. */
function write(w: Walk, rule: DecisionRule, written: MetadataWrite): void {
  if (written.metadata === 'ctstate') {
    // Surely untracked now, whatever an undecided rule before did.
    [w.untracked.value, w.untracked.maybe, w.untracked.by] = [true, false, new Set(w.untracked.by).add(rule)];
    return;
  }
  const { metadata, bits, where } = written;
  const takes = (packet: Point): boolean => !where || where.contains(packet);
  // A packet an undecided rule may have untracked takes the write as it was, or as UNTRACKED.
  const ways = w.untracked.maybe ? [takes(w.packet), takes({ ...w.packet, state: CtState.UNTRACKED })] : [takes(trackedAs(w, w.packet))];
  if (ways.every(Boolean)) w.values = applyWrite(w.values, metadata, bits, rule);
  else if (ways.some(Boolean)) w.values = applyWrite(w.values, metadata, bits, rule, true);
}

/** A chain that jumped, and the rule after the jump; `up` is its own caller. */
interface Caller {
  chain: DecisionChain;
  resume: number;
  up: Caller | undefined;
}

/** Where a walk returns to: the callers (innermost first, a linked list: a jump copies nothing) and the base chain. */
interface Frames {
  base: DecisionChain;
  callers: Caller | undefined;
}

interface Walk {
  program: PolicyProgram;
  packet: Point;
  steps: TraceStep[];
  /** Whether a NOTRACK-like rule took the packet out of connection tracking, and which rules did. */
  untracked: Untracked;
  /** The packet's metadata values (marks), and the rules that wrote them. */
  values: ValueState;
}

interface Untracked {
  value: boolean;
  /** Set when one branch of an undecided rule untracked the packet and the other did not: its state is no longer known. */
  maybe: boolean;
  by: Set<DecisionRule>;
}

/** A final end (never 'return'): the packet's fate in this stage. */
type Final = End & { verdict: Verdict | 'policy' };

/** The verdict a final end stands for (a policy end stands for its policy's verdict). */
function finalVerdict(end: Final): Verdict {
  return end.verdict === 'policy' ? (end.policyVerdict ?? 'accept') : end.verdict;
}

/**
 * Walks the packet to the end of the stage: from rule `i` of `chain` (applying its action first
 * when `applyRule`), into the chains it jumps or goes to and back to their callers, down to the
 * base chain's policy. One loop, no recursion per jump: chains may nest thousands deep. Only a
 * rule whose match is unknown starts a walk of its own, for the branch where it matched.
 */
function run(w: Walk, start: DecisionChain, first: number, startFrames: Frames, applyRule: boolean): Final {
  let chain = start;
  let i = first;
  let frames = startFrames;
  let pending = applyRule;
  for (;;) {
    if (i >= chain.rules.length) {
      // Fell off the chain's end: back to the caller, or the base chain's policy.
      const caller = frames.callers;
      if (!caller) return { verdict: 'policy', policyVerdict: policyOf(frames.base).verdict, rule: null, reasons: [] };
      [chain, i, frames] = [caller.chain, caller.resume, { base: frames.base, callers: caller.up }];
      continue;
    }
    const rule = chain.rules[i];
    if (!pending) {
      const matched = matches(rule, w);
      w.steps.push({
        ...chainNames(chain),
        line: rule.source.line,
        text: rule.source.text,
        matched,
        action: matched === false ? '' : describe(w.program, rule),
        ...(rule.group !== undefined ? { group: rule.group } : {}),
      });
      if (matched === false || (matched === 'unknown' && isInert(rule))) {
        i++;
        continue;
      }
      if (matched === 'unknown') return bothBranches(w, chain, i, frames);
    }
    pending = false;
    const action = rule.action;
    switch (action.kind) {
      case 'accept':
      case 'drop':
      case 'reject':
        return { verdict: action.kind, rule, reasons: [] };
      case 'undetermined':
        return { verdict: 'undetermined', rule, reasons: [{ rule: rule.source, why: action.reason }] };
      case 'return':
        // As if the chain ended here.
        i = chain.rules.length;
        continue;
      case 'continue':
        if (action.writes) write(w, rule, action.writes);
        i++;
        continue;
      case 'goto':
        // The chain gone to returns where this chain would have.
        [chain, i] = [chainOf(w.program, action.chain), 0];
        continue;
      case 'jump':
        frames = { base: frames.base, callers: { chain, resume: i + 1, up: frames.callers } };
        [chain, i] = [chainOf(w.program, action.chain), 0];
        continue;
    }
  }
}

/**
 * A rule whose match is unknown and whose action matters: both branches are followed to the end
 * of the stage. Where they agree the packet's fate is decided, and what the matched branch wrote
 * stays possible for the stages after; elsewhere the packet is undetermined.
 */
function bothBranches(w: Walk, chain: DecisionChain, i: number, frames: Frames): Final {
  const rule = chain.rules[i];
  const branch: Walk = { ...w, steps: [...w.steps], untracked: { ...w.untracked, by: new Set(w.untracked.by) } };
  const why = unknownReasons(rule, w);
  const ifMatched = run(branch, chain, i, frames, true);
  const ifNot = run(w, chain, i + 1, frames, false);
  const [a, b] = [finalVerdict(ifMatched), finalVerdict(ifNot)];
  const deny = (v: Verdict): boolean => v === 'drop' || v === 'reject';
  if (b !== 'undetermined' && (a === b || (deny(a) && deny(b)))) {
    w.values = joinStates(branch.values, w.values);
    const writers = new Set([...w.untracked.by, ...branch.untracked.by]);
    // Untracked in one branch only: the state is no longer known.
    w.untracked.maybe ||= branch.untracked.maybe || branch.untracked.value !== w.untracked.value;
    [w.untracked.value, w.untracked.by] = [w.untracked.value && branch.untracked.value, writers];
    return ifNot;
  }
  return {
    verdict: 'undetermined',
    rule,
    reasons: [...why.map((x) => ({ rule: rule.source, why: x })), ...ifMatched.reasons, ...ifNot.reasons],
  };
}

function describe(program: PolicyProgram, rule: DecisionRule): string {
  const a = rule.action;
  switch (a.kind) {
    case 'jump':
    case 'goto':
      return `${a.kind} ${chainOf(program, a.chain).title}`;
    case 'undetermined':
      return 'undetermined';
    default:
      return a.kind;
  }
}

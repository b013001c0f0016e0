/**
 * Follows one packet through an enforcement point, rule by rule, the way the kernel would, and
 * records every rule it was tested against. It is deliberately independent of the set evaluator
 * (a direct interpreter), so that the two check each other in the tests.
 */
import { CtState, type Point } from '../packetset';
import type { DecisionChain, DecisionRule, EnforcementPoint, Metadata, PolicyProgram, SourceRef } from '../model/policy';
import { changedMetadataReason, isInert, policyOf, unfilteredRef, type PolicyRef, type Verdict } from './evaluate';

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
  const tainted = new Map<Metadata, Set<DecisionRule>>();
  const untracked: Untracked = { value: false, by: new Set() };
  let accepting: DecisionRule | null = null;
  let acceptingPolicy: TraceResult['policy'];
  let firstStage = true;

  for (const stage of point.stages) {
    // Untracked packets have no connection, and no first packet of one.
    if (stage.firstPacketOnly && (packet.state !== CtState.NEW || untracked.value)) continue;
    const chain = chainOf(program, stage.chain);
    const end = run({ program, packet, steps, tainted, untracked }, chain, 0, { base: chain, callers: undefined }, false);
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
  const { tainted } = w;
  // An untracked packet is matched as if its state were UNTRACKED.
  const packet = w.untracked.value && rule.reads?.metadata.includes('ctstate') ? { ...w.packet, state: CtState.UNTRACKED } : w.packet;
  if (rule.reads && rule.reads.metadata.some((m) => tainted.has(m))) return rule.reads.relaxed.contains(packet) ? 'unknown' : false;
  if (rule.match.surely.contains(packet)) return true;
  return rule.match.may.contains(packet) ? 'unknown' : false;
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
  /** Metadata rules on the packet's path changed, and which rules. */
  tainted: Map<Metadata, Set<DecisionRule>>;
  /** Whether a NOTRACK-like rule took the packet out of connection tracking, and which rules did. */
  untracked: Untracked;
}

interface Untracked {
  value: boolean;
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
        if (action.writes === 'ctstate') [w.untracked.value, w.untracked.by] = [true, new Set(w.untracked.by).add(rule)];
        else if (action.writes) w.tainted.set(action.writes, new Set(w.tainted.get(action.writes)).add(rule));
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
  const branch: Walk = {
    ...w,
    steps: [...w.steps],
    tainted: new Map([...w.tainted].map(([m, rules]) => [m, new Set(rules)])),
    untracked: { value: w.untracked.value, by: new Set(w.untracked.by) },
  };
  const why = [
    ...rule.match.uncertain,
    ...(rule.reads?.metadata ?? []).flatMap((m) => (w.tainted.has(m) ? [changedMetadataReason(m, w.tainted.get(m)!)] : [])),
  ];
  const ifMatched = run(branch, chain, i, frames, true);
  const ifNot = run(w, chain, i + 1, frames, false);
  const [a, b] = [finalVerdict(ifMatched), finalVerdict(ifNot)];
  const deny = (v: Verdict): boolean => v === 'drop' || v === 'reject';
  if (b !== 'undetermined' && (a === b || (deny(a) && deny(b)))) {
    for (const [metadata, writers] of branch.tainted) w.tainted.set(metadata, new Set([...(w.tainted.get(metadata) ?? []), ...writers]));
    const writers = new Set([...w.untracked.by, ...branch.untracked.by]);
    // Untracked in one branch only: the state is no longer known.
    if (branch.untracked.value !== w.untracked.value) w.tainted.set('ctstate', new Set([...(w.tainted.get('ctstate') ?? []), ...writers]));
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

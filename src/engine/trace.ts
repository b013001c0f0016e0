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
  let accepting: DecisionRule | null = null;
  let acceptingPolicy: TraceResult['policy'];
  let firstStage = true;

  for (const stage of point.stages) {
    if (stage.firstPacketOnly && packet.state !== CtState.NEW) continue;
    const chain = chainOf(program, stage.chain);
    const end = walk({ program, packet, steps, tainted }, chain, 0, { base: chain, callers: [] });
    if (end.verdict === 'return' || end.verdict === 'policy') {
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
function matches(rule: DecisionRule, packet: Point, tainted: Map<Metadata, Set<DecisionRule>>): boolean | 'unknown' {
  if (rule.reads && rule.reads.metadata.some((m) => tainted.has(m))) return rule.reads.relaxed.contains(packet) ? 'unknown' : false;
  if (rule.match.surely.contains(packet)) return true;
  return rule.match.may.contains(packet) ? 'unknown' : false;
}

/** Where a walk returns to: the callers (innermost last) and the base chain. */
interface Frames {
  base: DecisionChain;
  callers: { chain: DecisionChain; resume: number }[];
}

interface Walk {
  program: PolicyProgram;
  packet: Point;
  steps: TraceStep[];
  /** Metadata rules on the packet's path changed, and which rules. */
  tainted: Map<Metadata, Set<DecisionRule>>;
}

/** A final end (never 'return'): the packet's fate in this stage. */
type Final = End & { verdict: Verdict | 'policy' };

function walk(w: Walk, chain: DecisionChain, start: number, frames: Frames): End {
  for (let i = start; i < chain.rules.length; i++) {
    const rule = chain.rules[i];
    const matched = matches(rule, w.packet, w.tainted);
    w.steps.push({
      ...chainNames(chain),
      line: rule.source.line,
      text: rule.source.text,
      matched,
      action: matched === false ? '' : describe(w.program, rule),
      ...(rule.group !== undefined ? { group: rule.group } : {}),
    });
    if (matched === false) continue;
    if (matched === 'unknown' && !isInert(rule)) {
      // Follow both branches to the end of the stage; they agree, or the packet is undetermined.
      const branch: Walk = { ...w, steps: [...w.steps], tainted: new Map([...w.tainted].map(([m, rules]) => [m, new Set(rules)])) };
      const ifMatched = complete(branch, chain, i, frames, true);
      const ifNot = complete(w, chain, i + 1, frames, false);
      const [a, b] = [finalVerdict(ifMatched), finalVerdict(ifNot)];
      const deny = (v: Verdict): boolean => v === 'drop' || v === 'reject';
      if (b !== 'undetermined' && (a === b || (deny(a) && deny(b)))) return ifNot;
      const why = [
        ...rule.match.uncertain,
        ...(rule.reads?.metadata ?? []).flatMap((m) => (w.tainted.has(m) ? [changedMetadataReason(m, w.tainted.get(m)!)] : [])),
      ];
      return {
        verdict: 'undetermined',
        rule,
        reasons: [...why.map((x) => ({ rule: rule.source, why: x })), ...ifMatched.reasons, ...ifNot.reasons],
      };
    }
    if (matched === 'unknown') continue;
    const end = act(w, chain, i, frames);
    if (end !== CONTINUE) return end;
  }
  return { verdict: 'return', rule: null, reasons: [] };
}

/** The verdict a final end stands for (a policy end stands for its policy's verdict). */
function finalVerdict(end: Final): Verdict {
  return end.verdict === 'policy' ? (end.policyVerdict ?? 'accept') : end.verdict;
}

/** Walks on to the end of the stage: the rest of the chain, then the callers, then the base policy. */
function complete(w: Walk, chain: DecisionChain, i: number, frames: Frames, applyRule: boolean): Final {
  let end: End;
  if (applyRule) {
    end = act(w, chain, i, frames);
    if (end === CONTINUE) end = walk(w, chain, i + 1, frames);
  } else {
    end = walk(w, chain, i, frames);
  }
  if (end.verdict !== 'return') return end as Final;
  const caller = frames.callers[frames.callers.length - 1];
  if (!caller) return { verdict: 'policy', policyVerdict: policyOf(frames.base).verdict, rule: null, reasons: [] };
  return complete(w, caller.chain, caller.resume, { base: frames.base, callers: frames.callers.slice(0, -1) }, false);
}

const CONTINUE: End = { verdict: 'return', rule: null, reasons: [] };

/** Rule i matched: its action's end, or CONTINUE when the packet goes on after rule i. */
function act(w: Walk, chain: DecisionChain, i: number, frames: Frames): End {
  const rule = chain.rules[i];
  const action = rule.action;
  switch (action.kind) {
    case 'accept':
    case 'drop':
    case 'reject':
      return { verdict: action.kind, rule, reasons: [] };
    case 'return':
      return { verdict: 'return', rule, reasons: [] };
    case 'undetermined':
      return { verdict: 'undetermined', rule, reasons: [{ rule: rule.source, why: action.reason }] };
    case 'continue':
      if (action.writes) w.tainted.set(action.writes, (w.tainted.get(action.writes) ?? new Set()).add(rule));
      return CONTINUE;
    case 'goto':
      return walk(w, chainOf(w.program, action.chain), 0, frames);
    case 'jump': {
      const end = walk(w, chainOf(w.program, action.chain), 0, {
        base: frames.base,
        callers: [...frames.callers, { chain, resume: i + 1 }],
      });
      return end.verdict === 'return' ? CONTINUE : end;
    }
  }
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

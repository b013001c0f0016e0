/**
 * Follows one packet through an enforcement point, rule by rule, the way the kernel would, and
 * records every rule it was tested against. It is deliberately independent of the set evaluator
 * (a direct interpreter), so that the two check each other in the tests.
 */
import { CtState, type Point } from '../packetset';
import type { DecisionChain, DecisionRule, EnforcementPoint, Metadata, PolicyProgram, SourceRef } from '../model/policy';
import type { Verdict } from './evaluate';

export interface TraceStep {
  chain: string;
  line: number;
  text: string;
  matched: boolean | 'unknown';
  /** What the rule did to the packet when it matched: accept, drop, reject, return, jump X, goto X, continue, policy. */
  action: string;
}

export interface TraceResult {
  verdict: Verdict;
  /** The deciding rule; null when a chain policy decided (then `policy` names the chain). */
  decidedBy: SourceRef | null;
  policy?: { chain: string; source?: SourceRef };
  steps: TraceStep[];
  /** Why the verdict is undetermined. */
  reasons: { rule: SourceRef; why: string }[];
}

type End = { verdict: Verdict | 'return'; rule: DecisionRule | null; reasons: TraceResult['reasons'] };

export function tracePacket(program: PolicyProgram, point: EnforcementPoint, packet: Point): TraceResult {
  const steps: TraceStep[] = [];
  const tainted = new Set<Metadata>();
  let accepting: DecisionRule | null = null;
  let acceptingPolicy: TraceResult['policy'];
  let firstStage = true;

  for (const stage of point.stages) {
    if (stage.firstPacketOnly && packet.state !== CtState.NEW) continue;
    const chain = chainOf(program, stage.chain);
    const end = walk(program, chain, 0, packet, steps, tainted);
    if (end.verdict === 'return') {
      const verdict = chain.policy?.verdict ?? 'accept';
      const policy = { chain: chain.name, ...(chain.policy?.source ? { source: chain.policy.source } : {}) };
      steps.push({ chain: chain.name, line: chain.policy?.source?.line ?? 0, text: chain.policy?.source?.text ?? '', matched: true, action: `policy ${verdict}` });
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

function chainOf(program: PolicyProgram, name: string): DecisionChain {
  const chain = program.chains.get(name);
  if (!chain) throw new Error(`internal: chain ${name} is not in the program`);
  return chain;
}

/** Does the rule match this packet: surely, surely not, or unknown (the configuration does not say). */
function matches(rule: DecisionRule, packet: Point, tainted: Set<Metadata>): boolean | 'unknown' {
  const untracked = (rule.reads ?? []).filter((r) => tainted.has(r.metadata));
  if (untracked.length > 0) return untracked.every((r) => r.relaxed.contains(packet)) && rule.match.may.contains(packet) ? 'unknown' : false;
  if (rule.match.surely.contains(packet)) return true;
  return rule.match.may.contains(packet) ? 'unknown' : false;
}

function walk(program: PolicyProgram, chain: DecisionChain, start: number, packet: Point, steps: TraceStep[], tainted: Set<Metadata>): End {
  for (let i = start; i < chain.rules.length; i++) {
    const rule = chain.rules[i];
    const matched = matches(rule, packet, tainted);
    steps.push({ chain: chain.name, line: rule.source.line, text: rule.source.text, matched, action: matched === false ? '' : describe(rule) });
    if (matched === false) continue;
    if (matched === 'unknown') {
      const branchSteps = [...steps];
      const branchTaint = new Set(tainted);
      let ifMatched = act(program, chain, i, packet, branchSteps, branchTaint);
      if (ifMatched === CONTINUE) ifMatched = walk(program, chain, i + 1, packet, branchSteps, branchTaint);
      const ifNot = walk(program, chain, i + 1, packet, steps, tainted);
      const deny = (v: End['verdict']): boolean => v === 'drop' || v === 'reject';
      const same = ifMatched.verdict === ifNot.verdict || (deny(ifMatched.verdict) && deny(ifNot.verdict));
      if (same && ifNot.verdict !== 'undetermined') return ifNot;
      const why = rule.match.uncertain.length > 0 ? rule.match.uncertain : ['a metadata value set by an earlier rule is not tracked'];
      return { verdict: 'undetermined', rule, reasons: [...why.map((w) => ({ rule: rule.source, why: w })), ...ifMatched.reasons, ...ifNot.reasons] };
    }
    const end = act(program, chain, i, packet, steps, tainted);
    if (end !== CONTINUE) return end;
  }
  return { verdict: 'return', rule: null, reasons: [] };
}

const CONTINUE: End = { verdict: 'return', rule: null, reasons: [] };

/** Rule i matched: its action's end, or CONTINUE when the packet goes on after rule i. */
function act(program: PolicyProgram, chain: DecisionChain, i: number, packet: Point, steps: TraceStep[], tainted: Set<Metadata>): End {
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
      if (action.writes) tainted.add(action.writes);
      return CONTINUE;
    case 'goto':
      return walk(program, chainOf(program, action.chain), 0, packet, steps, tainted);
    case 'jump': {
      const end = walk(program, chainOf(program, action.chain), 0, packet, steps, tainted);
      return end.verdict === 'return' ? CONTINUE : end;
    }
  }
}

function describe(rule: DecisionRule): string {
  const a = rule.action;
  switch (a.kind) {
    case 'jump':
    case 'goto':
      return `${a.kind} ${a.chain.split('/')[1]}`;
    case 'undetermined':
      return 'undetermined';
    default:
      return a.kind;
  }
}

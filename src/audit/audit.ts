/**
 * The matrix diff: for each firewall and each required flow, which of its packets the firewall
 * lets through; then which rules let through more than the matrix requires, which serve nothing
 * the matrix requires, and which can never match.
 */
import { createHash } from 'node:crypto';
import {
  FAMILIES,
  PacketSet,
  Ranges,
  describeCount,
  formatAddress,
  parseAddress,
  parseNetwork,
  type AddressSet,
  type Dimension,
  type Family,
  type Point,
  SetIndex,
} from '../packetset';
import {
  InterfaceUniverse,
  programVariants,
  type DecisionChain,
  type DecisionRule,
  type EnforcementPoint,
  type PolicyProgram,
  type SourceRef,
  type Traffic,
} from '../model/policy';
import { Evaluator, type Outcome } from '../engine/evaluate';
import { ruleReachability } from '../engine/reach';
import { ProgramIndex } from '../engine/rule-index';
import { ICMP_TYPE_NAMES, PORTED_PROTOCOLS, PROTOCOL_NAMES } from '../model/protocols';
import { FINDING_KINDS } from './finding-kinds';
import { nearMisses } from './near-miss';
import { addressPackets, appliesIn, newConnections, placePackets, routeToPoints, type Placement } from './scope';
import type { ErratumRef, Finding, FindingKind, RequirementResult, Severity, Status, Witness } from './types';

export interface RequirementUnderAudit {
  id: string;
  source: string;
  destination: string;
  protocol: number;
  ports: Ranges;
  sourcePorts: Ranges;
  errata: ErratumRef[];
  optional: boolean;
  /**
   * Where a load balancer translates the destination (erratum E6): the members and ports the
   * pool members' own firewalls see instead of the VIP.
   */
  translated?: { destination: string; ports: Ranges };
}

export interface FirewallUnderAudit {
  name: string;
  placement: Placement;
  /** One compiled program per address family the configuration covers. */
  programs: PolicyProgram[];
}

export interface AuditInput {
  roles: ReadonlyMap<string, AddressSet>;
  /** Addresses that count as "the matrix's roles" when judging what a rule lets through. */
  roleAddresses: AddressSet;
  requirements: RequirementUnderAudit[];
  firewalls: FirewallUnderAudit[];
}

/** Where one part of a flow ended, at one enforcement point of one family's program. */
interface Part extends Outcome {
  point: EnforcementPoint;
  program: PolicyProgram;
}

/** What decided some packets, as findings cite it and fingerprint it. */
interface Decider {
  ref: SourceRef | null;
  /** The decider's text as fingerprints take it (a rule's identity, a policy's text). */
  identity: string;
  chain: string;
  /** How a sentence names it as an object (`dropped by the rule at line 12`) and as a subject (`rule at line 12 lets in`). */
  phrase: string;
  subject: string;
  /** A chain's default decided, not a rule. */
  isPolicy: boolean;
}

function deciderOf(outcome: Outcome, program: PolicyProgram): Decider {
  if (outcome.rule) {
    const line = outcome.rule.source.line;
    return {
      ref: outcome.rule.source,
      identity: outcome.rule.identity,
      chain: outcome.rule.chain,
      phrase: `the rule at line ${line}`,
      subject: `rule at line ${line}`,
      isPolicy: false,
    };
  }
  const policy = outcome.policy;
  const phrase = policy?.phrase ?? 'no rule';
  return {
    ref: policy?.source ?? null,
    identity: (policy && program.chains.get(policy.chain)?.policy?.identity) ?? policy?.source?.text ?? '',
    chain: policy?.chain ?? '',
    phrase,
    subject: phrase,
    isPolicy: true,
  };
}

/** How a finding says what a rule permits, by the traffic it sees. */
const LETS: Readonly<Record<Traffic, string>> = { inbound: 'lets in', forwarded: 'lets through', outbound: 'lets out' };

/** What each traffic kind is, for a flow no enforcement point sees. */
const TRAFFIC_WORDS: Readonly<Record<Traffic, string>> = {
  inbound: 'traffic to the firewall itself',
  forwarded: 'traffic passing through it',
  outbound: 'traffic it sends',
};

export function audit(input: AuditInput): { results: RequirementResult[]; findings: Finding[] } {
  const results: RequirementResult[] = [];
  const findings: Finding[] = [];
  for (const firewall of input.firewalls) {
    for (const variant of firewallVariants(firewall)) {
      const audited = auditFirewall(firewall, input, variant);
      for (const result of audited.results) results.push(result);
      for (const finding of audited.findings) findings.push(finding);
    }
  }
  return { results, findings };
}

/** The variants to audit a firewall in, each on its own (Windows profiles); one unnamed variant when its points have none. */
function firewallVariants(firewall: FirewallUnderAudit): (string | undefined)[] {
  const variants = [...new Set(firewall.programs.flatMap(programVariants))];
  return variants.length > 0 ? variants : [undefined];
}

/**
 * The packets of a required flow. A host firewall of a pool member sees a translated flow with
 * the members' addresses and ports; network firewalls are taken to stand before the load balancer.
 */
function requiredPackets(req: RequirementUnderAudit, input: AuditInput, family: Family, placement: Placement): PacketSet {
  const flow = (destination: string, ports: Ranges): PacketSet => {
    const packets = newConnections([family])
      .restrict('proto', Ranges.point(BigInt(req.protocol)))
      .restrict('dport', ports)
      .restrict('sport', req.sourcePorts);
    return addressPackets('dst', roleOf(input, destination), addressPackets('src', roleOf(input, req.source), packets));
  };
  const direct = flow(req.destination, req.ports);
  return req.translated && placement.kind === 'host' ? direct.union(flow(req.translated.destination, req.translated.ports)) : direct;
}

function roleOf(input: AuditInput, role: string): AddressSet {
  const addresses = input.roles.get(role);
  if (!addresses) throw new Error(`internal: role ${role} has no addresses`);
  return addresses;
}

/** What a firewall's audit gathers about one requirement across families and points. */
interface RequirementParts {
  inScope: boolean;
  parts: Part[];
  /** Why some of its packets are of no program's concern (a family without rules, traffic no point sees). */
  unknown: string[];
}

function auditFirewall(
  firewall: FirewallUnderAudit,
  input: AuditInput,
  variant: string | undefined,
): { results: RequirementResult[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const gathered = new Map<string, RequirementParts>(input.requirements.map((r) => [r.id, { inScope: false, parts: [], unknown: [] }]));

  for (const family of FAMILIES) {
    const program = firewall.programs.find((p) => p.family === family);
    if (!program) {
      // Without this family's rule set nothing can be said about its packets.
      for (const req of input.requirements) {
        const probe = placePackets(requiredPackets(req, input, family, firewall.placement), firewall.placement, new InterfaceUniverse([]));
        if (probe.length === 0) continue;
        const entry = gathered.get(req.id)!;
        entry.inScope = true;
        entry.unknown.push(`no IPv${family} rule set was given for this firewall`);
      }
      continue;
    }
    const touching = addressPackets('src', input.roleAddresses, newConnections([family])).union(
      addressPackets('dst', input.roleAddresses, newConnections([family])),
    );
    const evaluator = new Evaluator(program);
    const outcomesByPoint = new Map<EnforcementPoint, Outcome[]>();
    for (const query of placePackets(touching, firewall.placement, program.interfaces)) {
      for (const { point, set } of routeToPoints(program, query, variant).routed)
        outcomesByPoint.set(point, evaluator.evaluatePoint(point, set));
    }
    const requiredByPoint = new Map<EnforcementPoint, PacketSet>();
    // Each required flow is paired with the outcomes it overlaps, found by an index: not every outcome per flow.
    const outcomeIndexes = new Map<EnforcementPoint, SetIndex>();
    const outcomeIndex = (point: EnforcementPoint, outcomes: readonly Outcome[]): SetIndex => {
      let index = outcomeIndexes.get(point);
      if (!index) outcomeIndexes.set(point, (index = new SetIndex(outcomes.map((o) => o.set))));
      return index;
    };
    for (const req of input.requirements) {
      const entry = gathered.get(req.id)!;
      for (const query of placePackets(requiredPackets(req, input, family, firewall.placement), firewall.placement, program.interfaces)) {
        entry.inScope = true;
        const { routed, unplaced } = routeToPoints(program, query, variant);
        if (!unplaced.isEmpty()) entry.unknown.push(unplacedReason(query.traffic, unplaced, program));
        for (const { point, set } of routed) {
          // A client's source port is its own business: breadth is judged without it.
          requiredByPoint.set(point, (requiredByPoint.get(point) ?? PacketSet.EMPTY).union(set.relax('sport')));
          const outcomes = outcomesByPoint.get(point) ?? [];
          for (const position of outcomeIndex(point, outcomes).meeting(set)) {
            const outcome = outcomes[position]!;
            const part = outcome.set.intersect(set);
            if (!part.isEmpty()) entry.parts.push({ ...outcome, set: part, point, program });
          }
        }
      }
    }
    // Not push(...list): a spread of more than ~120,000 findings overflows the call stack.
    appendAll(findings, permissionFindings(firewall.name, variant, program, outcomesByPoint, requiredByPoint));
    appendAll(findings, shadowFindings(firewall.name, variant, program));
    appendAll(findings, unfilteredFindings(firewall.name, variant, program));
  }

  const results: RequirementResult[] = [];
  for (const req of input.requirements) {
    const entry = gathered.get(req.id)!;
    const result = requirementResult(firewall.name, variant, req, flowText(req, firewall.placement), entry);
    results.push(result);
    appendAll(findings, requirementFindings(result, req, entry.parts));
    if (!req.optional) appendAll(findings, unloadedFindings(result, req, entry.parts));
  }
  // One configuration may make the programs of both families (Windows): a rule or setting they share is one finding, not one per family.
  return { results, findings: withoutRepeats(findings) };
}

/** Findings without the repeats: the same fingerprint, message and location. */
function withoutRepeats(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.fingerprint, f.message, f.rule?.file, f.rule?.line]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Why packets no point of the program sees are undetermined: which traffic, on which interfaces. */
function unplacedReason(traffic: Traffic, unplaced: PacketSet, program: PolicyProgram): string {
  const example = unplaced.witness();
  const interfaces = example
    ? [example.iif, example.oif]
        .map((index, i) =>
          index < program.interfaces.size && index !== InterfaceUniverse.NONE
            ? `${i === 0 ? 'arriving on' : 'leaving by'} ${program.interfaces.nameOf(index)}`
            : '',
        )
        .filter(Boolean)
    : [];
  return `no enforcement point of ${program.file} filters ${TRAFFIC_WORDS[traffic]}${interfaces.length > 0 ? ` ${interfaces.join(' and ')}` : ''}`;
}

function flowText(req: RequirementUnderAudit, placement: Placement): string {
  const flow = `${protocolName(req.protocol)}/${rangesText(req.ports)} from ${req.source} to ${req.destination}`;
  if (!req.translated || placement.kind !== 'host') return flow;
  return `${flow} (at the members: ${protocolName(req.protocol)}/${rangesText(req.translated.ports)} to ${req.translated.destination}, E6)`;
}

function requirementResult(
  firewall: string,
  variant: string | undefined,
  req: RequirementUnderAudit,
  flow: string,
  entry: RequirementParts,
): RequirementResult {
  const base = {
    firewall,
    ...(variant !== undefined ? { variant } : {}),
    requirement: req.id,
    flow,
    errata: req.errata,
    ...(req.optional ? { optional: true } : {}),
  };
  if (!entry.inScope) {
    return { ...base, status: 'not-applicable', decidedBy: [], witness: null, reasons: ['the flow does not cross this firewall'] };
  }
  const { parts, unknown } = entry;
  const denied = parts.filter((p) => p.verdict === 'drop' || p.verdict === 'reject');
  const undetermined = parts.filter((p) => p.verdict === 'undetermined');
  const accepted = parts.filter((p) => p.verdict === 'accept');
  const reasons = [...new Set([...undetermined.flatMap((p) => p.reasons.map((r) => `${r.why} (line ${r.rule.source.line})`)), ...unknown])];
  let status: Status;
  if (denied.length > 0) status = accepted.length > 0 || undetermined.length > 0 || unknown.length > 0 ? 'partial' : 'denied';
  else status = undetermined.length > 0 || unknown.length > 0 ? 'undetermined' : 'allowed';
  const deciding = status === 'allowed' ? accepted : status === 'denied' ? denied : [...denied, ...undetermined, ...accepted];
  const witnessPart = denied[0] ?? undetermined[0];
  return {
    ...base,
    status,
    decidedBy: uniqueRefs(deciding.map((p) => deciderOf(p, p.program).ref).filter((r): r is SourceRef => r !== null)),
    witness: witnessPart ? witnessOf({ ...witnessPart, point: witnessPart.point.id }) : null,
    reasons,
  };
}

function uniqueRefs(refs: SourceRef[]): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  for (const ref of refs) seen.set(`${ref.file}:${ref.line}`, ref);
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function requirementFindings(result: RequirementResult, req: RequirementUnderAudit, parts: Part[]): Finding[] {
  const findings: Finding[] = [];
  const at = { firewall: result.firewall, variant: result.variant, requirement: req.id, errata: req.errata };
  const denied = parts.filter((p) => p.verdict === 'drop' || p.verdict === 'reject');
  if (denied.length > 0 && !req.optional) {
    const part = denied[0];
    const total = parts.reduce((n, p) => n + p.set.size(), 0n);
    const blocked = denied.reduce((n, p) => n + p.set.size(), 0n);
    const by = deciderOf(part, part.program);
    const share = blocked === total ? 'entirely' : `partly (${percent(blocked, total)} of its packets)`;
    const packet = witnessPoint(part.set);
    const hints = packet ? nearMisses(part.program, part.point, packet) : [];
    const almost = hints.map((h) => `; the rule at line ${h.rule.line} ${h.says}`).join('');
    const message = `required flow ${result.flow} is denied ${share}; e.g. this packet is ${part.verdict === 'reject' ? 'rejected' : 'dropped'} by ${by.phrase}${almost}`;
    const missing = finding('missing', at, by, packet ? pointToWitness(packet, part.point.id, part.program) : null, message);
    findings.push(hints.length > 0 ? { ...missing, hints } : missing);
  }
  const undetermined = parts.filter((p) => p.verdict === 'undetermined');
  if (undetermined.length > 0) {
    const part = undetermined[0];
    // Fingerprinted by the rule whose match is undecided, never by a policy.
    const by = { ...deciderOf(part, part.program), chain: part.rule?.chain ?? '' };
    findings.push(
      finding(
        'undetermined',
        at,
        by,
        witnessOf({ ...part, point: part.point.id }),
        `whether required flow ${result.flow} is allowed depends on what the configuration does not say: ${result.reasons.join('; ')}`,
      ),
    );
  } else if (result.status !== 'not-applicable' && result.reasons.length > 0) {
    findings.push(
      finding(
        'undetermined',
        at,
        NO_DECIDER,
        null,
        `whether required flow ${result.flow} is allowed cannot be told: ${result.reasons.join('; ')}`,
      ),
    );
  }
  return findings;
}

const NO_DECIDER: Decider = { ref: null, identity: '', chain: '', phrase: 'no rule', subject: 'no rule', isPolicy: false };

function percent(part: bigint, whole: bigint): string {
  const tenths = Number((part * 1000n) / (whole === 0n ? 1n : whole));
  if (tenths === 0 && part > 0n) return 'under 0.1%';
  if (tenths === 1000 && part < whole) return 'over 99.9%';
  return `${(tenths / 10).toFixed(tenths % 10 === 0 ? 0 : 1)}%`;
}

/** Rules the firewall does not load that would let denied packets of a required flow through. */
function unloadedFindings(result: RequirementResult, req: RequirementUnderAudit, parts: Part[]): Finding[] {
  const findings: Finding[] = [];
  const at = { firewall: result.firewall, variant: result.variant, requirement: req.id, errata: req.errata };
  const reported = new Set<string>();
  for (const part of parts) {
    if (part.verdict !== 'drop' && part.verdict !== 'reject') continue;
    for (const rule of part.program.unloaded ?? []) {
      const key = `${rule.source.file}:${rule.source.line}`;
      const served = rule.wouldAccept.intersect(part.set);
      if (reported.has(key) || served.isEmpty()) continue;
      reported.add(key);
      const line = rule.source.line;
      const by: Decider = {
        ref: rule.source,
        identity: rule.identity,
        chain: '',
        phrase: `the rule at line ${line}`,
        subject: `rule at line ${line}`,
        isPolicy: false,
      };
      findings.push(
        finding(
          'not-loaded',
          at,
          by,
          witnessOf({ set: served, point: part.point.id, program: part.program }),
          `rule at line ${line} could let required flow ${result.flow} through, but the firewall does not load it: ${rule.reason}`,
        ),
      );
    }
  }
  return findings;
}

/** Overly broad and extraneous rules: what each accepting rule lets through against what is required. */
function permissionFindings(
  firewall: string,
  variant: string | undefined,
  program: PolicyProgram,
  outcomesByPoint: Map<EnforcementPoint, Outcome[]>,
  requiredByPoint: Map<EnforcementPoint, PacketSet>,
): Finding[] {
  const byDecider = new Map<string, { decider: Decider; parts: PacketSet[]; required: PacketSet; point: EnforcementPoint }>();
  for (const [point, outcomes] of outcomesByPoint) {
    // A point that filters nothing is one finding of its own, not one per kind of traffic it lets through.
    if (point.unfiltered) continue;
    const required = requiredByPoint.get(point) ?? PacketSet.EMPTY;
    for (const outcome of outcomes) {
      if (outcome.verdict !== 'accept' || outcome.rule?.implicit) continue;
      const decider = deciderOf(outcome, program);
      const key = outcome.rule ? outcome.rule.id : `policy:${decider.chain}`;
      const entry = byDecider.get(key) ?? { decider, parts: [], required, point };
      entry.parts.push(outcome.set);
      byDecider.set(key, entry);
    }
  }
  const findings: Finding[] = [];
  const at = { firewall, variant, requirement: null, errata: [] };
  for (const { decider, parts, required, point } of byDecider.values()) {
    // Joined once: a policy may accept in thousands of outcomes, and a union per outcome is quadratic.
    const accepted = parts.length === 1 ? parts[0]! : PacketSet.of(parts.flatMap((set) => set.boxes));
    const served = accepted.intersect(required);
    const excess = accepted.subtract(required);
    if (excess.isEmpty()) continue;
    const witness = witnessOf({ set: excess, point: point.id, program });
    const lets = LETS[point.traffic];
    const kind = served.isEmpty() ? 'extraneous' : 'overly-broad';
    const message =
      kind === 'extraneous'
        ? `${decider.subject} ${lets} new connections to or from the matrix's roles that no required flow needs (${describeExtent(excess, program.family)})`
        : `${decider.subject} serves required flows but is broader than they are: ${excessText(accepted, served, program.family, lets)}`;
    findings.push(finding(kind, at, decider, witness, message, permissionSeverity(kind, point, decider, excess, program.family)));
  }
  return findings;
}

const QUANTIFIED: readonly [Dimension, string, string][] = [
  ['src', 'source address', 'source addresses'],
  ['dst', 'destination address', 'destination addresses'],
  ['proto', 'protocol', 'protocols'],
  ['dport', 'destination port', 'destination ports'],
];

function counted(n: bigint, one: string, many: string): string {
  return `${describeCount(n)} ${n === 1n ? one : many}`;
}

function excessText(accepted: PacketSet, served: PacketSet, family: Family, lets: string): string {
  const parts: string[] = [];
  for (const [dim, one, many] of QUANTIFIED) {
    const all = accepted.project(dim, family).size();
    const needed = served.project(dim, family).size();
    if (all > needed) parts.push(`${lets} ${counted(all, one, many)} where the matrix requires ${describeCount(needed)}`);
  }
  return parts.length > 0
    ? parts.join('; ')
    : `it ${lets} combinations of the required sources, destinations and ports that no single required flow has`;
}

const ICMP_PROTOCOLS = Ranges.fromIntervals([
  [1n, 1n],
  [58n, 58n],
]);

/** Whether every packet of the set is ICMP or ICMPv6: such rules are told in ICMP types, not ports. */
function isIcmpOnly(set: PacketSet, family: Family): boolean {
  const protocols = set.project('proto', family);
  return !protocols.isEmpty() && protocols.subsetOf(ICMP_PROTOCOLS);
}

/** `2 ICMP types: 0 (echo reply), 8 (echo request)`, or just the count when there are many. */
function icmpTypesText(set: PacketSet, family: Family): string {
  const types = Ranges.fromIntervals(set.project('icmp', family).intervals.map(([lo, hi]) => [lo >> 8n, hi >> 8n] as const));
  const n = types.size();
  const noun = family === 6 ? 'ICMPv6' : 'ICMP';
  if (n > 6n) return counted(n, `${noun} type`, `${noun} types`);
  const names = types.intervals.flatMap(([lo, hi]) => Array.from({ length: Number(hi - lo) + 1 }, (_, i) => Number(lo) + i));
  return `${counted(n, `${noun} type`, `${noun} types`)}: ${names.map((t) => `${t}${ICMP_TYPE_NAMES[family].has(t) ? ` (${ICMP_TYPE_NAMES[family].get(t)})` : ''}`).join(', ')}`;
}

function describeExtent(set: PacketSet, family: Family): string {
  if (isIcmpOnly(set, family)) {
    return [
      ...QUANTIFIED.slice(0, 2).map(([dim, one, many]) => counted(set.project(dim, family).size(), one, many)),
      icmpTypesText(set, family),
    ].join(', ');
  }
  return QUANTIFIED.map(([dim, one, many]) => counted(set.project(dim, family).size(), one, many)).join(', ');
}

/**
 * The default severity of what a rule lets through beyond the matrix, where it is lower than its
 * kind's: a firewall's default policy for what it sends (egress), and ICMP, which hosts and
 * IPv6 need to work, are worth a look but should not fail a pipeline on their own.
 */
function permissionSeverity(
  kind: 'overly-broad' | 'extraneous',
  point: EnforcementPoint,
  decider: Decider,
  excess: PacketSet,
  family: Family,
): Severity {
  const egressDefault = point.traffic === 'outbound' && decider.isPolicy;
  return egressDefault || isIcmpOnly(excess, family) ? 'low' : FINDING_KINDS[kind].severity;
}

/** Rules that no packet can ever reach or match. */
function shadowFindings(firewall: string, variant: string | undefined, program: PolicyProgram): Finding[] {
  const { reached, matched } = ruleReachability(program);
  const findings: Finding[] = [];
  const at = { firewall, variant, requirement: null, errata: [] };
  const index = new ProgramIndex();
  const elsewhere = chainsOfOtherVariants(program, variant);
  for (const chain of program.chains.values()) {
    // A chain of another variant is that variant's finding.
    if (elsewhere.has(chain.name)) continue;
    const entered = chain.rules.some((rule) => reached.has(rule));
    /** The last rule packets reach, of those before the current one. */
    let lastReached: DecisionRule | undefined;
    chain.rules.forEach((rule, i) => {
      const last = lastReached;
      if (reached.has(rule)) lastReached = rule;
      if (matched.has(rule) || rule.implicit) return;
      let why: string;
      if (!entered) why = `no packet enters ${chain.phrase} (nothing leads to it from where packets enter)`;
      else if (!reached.has(rule)) {
        why =
          chain.order === 'precedence'
            ? `every packet it could match is decided by rules that take precedence over it${last ? ` (line ${last.source.line} among them)` : ''}`
            : `every packet that enters ${chain.phrase} is decided before it${last ? ` (by line ${last.source.line} and the rules before it)` : ''}`;
      } else why = chain.order === 'precedence' ? outranked(chain, i, index) : 'no packet that reaches it can match it';
      const decider = { ref: rule.source, identity: rule.identity, chain: rule.chain, phrase: '', subject: '', isPolicy: false };
      findings.push(finding('shadowed', at, decider, null, `rule at line ${rule.source.line} can never match: ${why}`));
    });
  }
  return findings;
}

/**
 * The chains only other variants' points run: a chain no point runs (an iptables chain nothing
 * jumps to) is every variant's, and its finding says so.
 */
function chainsOfOtherVariants(program: PolicyProgram, variant: string | undefined): Set<string> {
  const own = chainsRunBy(
    program.points.filter((point) => appliesIn(point, variant)),
    program,
  );
  const others = chainsRunBy(
    program.points.filter((point) => !appliesIn(point, variant)),
    program,
  );
  return new Set([...others].filter((name) => !own.has(name)));
}

/** The chains points run, and the chains those jump or go to. */
function chainsRunBy(points: EnforcementPoint[], program: PolicyProgram): Set<string> {
  const names = new Set(points.flatMap((point) => point.stages.map((stage) => stage.chain)));
  // A Set visits what is added while it is iterated: this follows jumps to any depth.
  for (const name of names) {
    for (const rule of program.chains.get(name)?.rules ?? []) {
      if (rule.action.kind === 'jump' || rule.action.kind === 'goto') names.add(rule.action.chain);
    }
  }
  return names;
}

/** How many of the rules that outrank a rule its message names. */
const NAMED_LINES = 5;

/**
 * Why a rule of a precedence chain that packets reach never matches: rules of higher precedence
 * decide every packet it could match (Windows: a block rule covering an allow rule).
 */
function outranked(chain: DecisionChain, position: number, index: ProgramIndex): string {
  const rule = chain.rules[position]!;
  if (rule.match.may.isEmpty()) return 'no packet can match it';
  // Rules of one class share their rank: only those of another class come first.
  const higher = (other: DecisionRule): boolean => other.group === undefined || other.group !== rule.group;
  // The message names five lines and says whether there are more: the index finds the rules before
  // it that may overlap, in growing slices, until it knows (not every rule before it on a busy port).
  const shown: number[] = [];
  let count = 0;
  for (let from = 0, size = 64; from < position && (count <= NAMED_LINES || shown.length < NAMED_LINES); from += size, size *= 2) {
    for (const before of index.of(chain).meetingSet(rule.match.may, from, Math.min(position, from + size))) {
      const other = chain.rules[before]!;
      if (!higher(other) || !other.match.may.overlaps(rule.match.may)) continue;
      count++;
      if (shown.length < NAMED_LINES && !shown.includes(other.source.line)) shown.push(other.source.line);
    }
  }
  const named = count === 0 ? '' : ` (${count === 1 ? 'line' : 'lines'} ${shown.join(', ')}${count > NAMED_LINES ? ', …' : ''})`;
  return `every packet it could match is decided by rules that take precedence over it${named}`;
}

/** Points the configuration does not filter at all (in this variant): one high finding each. */
function unfilteredFindings(firewall: string, variant: string | undefined, program: PolicyProgram): Finding[] {
  const at = { firewall, variant, requirement: null, errata: [] };
  return program.points.flatMap((point) => {
    if (!point.unfiltered || !appliesIn(point, variant)) return [];
    const source = point.unfiltered.source ?? null;
    const by = {
      ref: source,
      identity: source?.text ?? point.id,
      chain: point.id,
      phrase: point.label,
      subject: point.label,
      isPolicy: false,
    };
    return [
      finding(
        'unfiltered',
        at,
        by,
        null,
        `${point.label}: ${point.unfiltered.reason}, so every packet is let through whatever the rules say`,
      ),
    ];
  });
}

/** Where a finding belongs: its firewall (and variant), requirement and the errata it cites. */
interface FindingPlace {
  firewall: string;
  variant: string | undefined;
  requirement: string | null;
  errata: ErratumRef[];
}

function finding(
  kind: FindingKind,
  at: FindingPlace,
  by: Decider,
  witness: Witness | null,
  message: string,
  severity = FINDING_KINDS[kind].severity,
): Finding {
  return {
    fingerprint: fingerprint({
      firewall: at.firewall,
      kind,
      requirement: at.requirement,
      chain: by.chain,
      identity: by.identity,
      variant: at.variant,
    }),
    kind,
    severity,
    firewall: at.firewall,
    ...(at.variant !== undefined ? { variant: at.variant } : {}),
    requirement: at.requirement,
    rule: by.ref,
    witness,
    message,
    ...(at.errata.length > 0 ? { errata: at.errata } : {}),
  };
}

/**
 * Stable across runs and unrelated edits: built from names and the rule's identity, never its
 * line. A variant joins only when there is one, so that fingerprints without variants stay.
 */
export function fingerprint(parts: {
  firewall: string;
  kind: string;
  requirement: string | null;
  chain: string;
  identity: string;
  variant?: string | undefined;
}): string {
  const text = parts.identity.replace(/\s+/g, ' ').trim();
  const fields = [
    parts.firewall,
    parts.kind,
    parts.requirement ?? '',
    parts.chain,
    text,
    ...(parts.variant !== undefined ? [parts.variant] : []),
  ];
  return createHash('sha256').update(fields.join('\u0000')).digest('hex').slice(0, 24);
}

function protocolName(proto: number): string {
  return PROTOCOL_NAMES[proto] ?? String(proto);
}

function rangesText(r: Ranges): string {
  return r.intervals.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
}

/** Addresses no packet from another host carries (dropped by routing as martians), per family. */
const UNROUTABLE: Readonly<Record<Family, Ranges>> = {
  4: ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/3'].reduce((r, n) => r.union(parseNetwork(n)!.ranges), Ranges.EMPTY),
  6: ['::/96', 'ff00::/8', '::ffff:0:0/96'].reduce((r, n) => r.union(parseNetwork(n)!.ranges), Ranges.EMPTY),
};
/** Witness addresses are drawn from the documentation ranges when the set allows. */
const PREFERRED_ADDRESSES: Readonly<Record<Family, readonly bigint[]>> = {
  4: ['203.0.113.77', '198.51.100.77', '192.0.2.77'].map((a) => parseAddress(a)!.value),
  6: ['2001:db8::77'].map((a) => parseAddress(a)!.value),
};

/** A concrete packet of the set, one that could really arrive when the set has such packets. */
export function witnessOf(part: { set: PacketSet; point: string; program: PolicyProgram }): Witness | null {
  const p = witnessPoint(part.set);
  return p ? pointToWitness(p, part.point, part.program) : null;
}

/** The packet witnessOf describes. */
export function witnessPoint(set: PacketSet): Point | undefined {
  const routable = PacketSet.of(
    set.boxes.flatMap((box) => {
      const src = box.get('src').subtract(UNROUTABLE[box.family]);
      const dst = box.get('dst').subtract(UNROUTABLE[box.family]);
      return src.isEmpty() || dst.isEmpty() ? [] : [box.with('src', src).with('dst', dst)];
    }),
  );
  for (const candidates of [routable, set]) {
    for (const family of FAMILIES) {
      // Port 0 is no service: a witness names a port clients really use.
      const prefer = {
        src: PREFERRED_ADDRESSES[family],
        dst: PREFERRED_ADDRESSES[family],
        proto: [6n, 17n],
        dport: [443n, 80n, 22n, 3389n, 1n],
      };
      const p: Point | undefined = candidates.onlyFamily(family).witness(prefer);
      if (p) return p;
    }
  }
  return undefined;
}

export function pointToWitness(p: Point, point: string, program: PolicyProgram): Witness {
  const witness: Witness = { src: formatAddress(p.family, p.src), dst: formatAddress(p.family, p.dst), proto: protocolName(p.proto) };
  if (PORTED_PROTOCOLS.has(p.proto)) {
    witness.sport = p.sport;
    witness.dport = p.dport;
  }
  if (p.proto === 1 || p.proto === 58) {
    witness.icmpType = p.icmp >> 8;
    witness.icmpCode = p.icmp & 0xff;
  }
  // An interface the configuration does not name is left out: any such name gives the same verdict.
  const iif = p.iif < program.interfaces.size ? program.interfaces.nameOf(p.iif) : '';
  const oif = p.oif < program.interfaces.size ? program.interfaces.nameOf(p.oif) : '';
  if (iif) witness.in = iif;
  if (oif) witness.out = oif;
  witness.chain = point;
  return witness;
}

/** Appends every item of `items` to `list`, however many (a spread argument list has a size limit). */
function appendAll<T>(list: T[], items: Iterable<T>): void {
  for (const item of items) list.push(item);
}

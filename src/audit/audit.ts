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
  type Dimension,
  type Family,
  type Point,
} from '../packetset';
import { InterfaceUniverse, type PolicyProgram, type SourceRef } from '../model/policy';
import { Evaluator, type Outcome } from '../engine/evaluate';
import { ruleReachability } from '../engine/reach';
import { PORTED_PROTOCOLS, PROTOCOL_NAMES } from '../model/protocols';
import { addressPackets, newConnections, placePackets, type AddressSet, type Placement } from './scope';
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

const SEVERITY: Readonly<Record<FindingKind, Severity>> = {
  missing: 'high',
  undetermined: 'medium',
  'overly-broad': 'medium',
  extraneous: 'medium',
  shadowed: 'low',
};

/** Where one part of a flow ended, at one enforcement point of one family's program. */
interface Part extends Outcome {
  point: string;
  program: PolicyProgram;
}

export function audit(input: AuditInput): { results: RequirementResult[]; findings: Finding[] } {
  const results: RequirementResult[] = [];
  const findings: Finding[] = [];
  for (const firewall of input.firewalls) {
    const audited = auditFirewall(firewall, input);
    results.push(...audited.results);
    findings.push(...audited.findings);
  }
  return { results, findings };
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

function auditFirewall(firewall: FirewallUnderAudit, input: AuditInput): { results: RequirementResult[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const partsByRequirement = new Map<string, Part[]>(input.requirements.map((r) => [r.id, []]));
  const inScope = new Map<string, boolean>(input.requirements.map((r) => [r.id, false]));
  const missingFamilies = new Map<string, Family[]>();

  for (const family of FAMILIES) {
    const program = firewall.programs.find((p) => p.family === family);
    if (!program) {
      // Without this family's rule set nothing can be said about its packets.
      for (const req of input.requirements) {
        const probe = placePackets(requiredPackets(req, input, family, firewall.placement), firewall.placement, new InterfaceUniverse([]));
        if (probe.length === 0) continue;
        inScope.set(req.id, true);
        missingFamilies.set(req.id, [...(missingFamilies.get(req.id) ?? []), family]);
      }
      continue;
    }
    const touching = addressPackets('src', input.roleAddresses, newConnections([family])).union(
      addressPackets('dst', input.roleAddresses, newConnections([family])),
    );
    const evaluator = new Evaluator(program);
    const outcomesByPoint = new Map<string, Outcome[]>();
    for (const query of placePackets(touching, firewall.placement, program.interfaces)) {
      const point = program.points.find((p) => p.name === query.point);
      if (point) outcomesByPoint.set(query.point, evaluator.evaluatePoint(point, query.set));
    }
    const requiredByPoint = new Map<string, PacketSet>();
    for (const req of input.requirements) {
      for (const query of placePackets(requiredPackets(req, input, family, firewall.placement), firewall.placement, program.interfaces)) {
        inScope.set(req.id, true);
        // A client's source port is its own business: breadth is judged without it.
        requiredByPoint.set(query.point, (requiredByPoint.get(query.point) ?? PacketSet.EMPTY).union(query.set.relax('sport')));
        for (const outcome of outcomesByPoint.get(query.point) ?? []) {
          const set = outcome.set.intersect(query.set);
          if (!set.isEmpty()) partsByRequirement.get(req.id)!.push({ ...outcome, set, point: query.point, program });
        }
      }
    }
    findings.push(...permissionFindings(firewall.name, program, outcomesByPoint, requiredByPoint));
    findings.push(...shadowFindings(firewall.name, program));
  }

  const results: RequirementResult[] = [];
  for (const req of input.requirements) {
    const result = requirementResult(
      firewall.name,
      req,
      flowText(req, firewall.placement),
      partsByRequirement.get(req.id)!,
      inScope.get(req.id)!,
      missingFamilies.get(req.id) ?? [],
    );
    results.push(result);
    findings.push(...requirementFindings(result, req, partsByRequirement.get(req.id)!));
  }
  return { results, findings };
}

function flowText(req: RequirementUnderAudit, placement: Placement): string {
  const flow = `${protocolName(req.protocol)}/${rangesText(req.ports)} from ${req.source} to ${req.destination}`;
  if (!req.translated || placement.kind !== 'host') return flow;
  return `${flow} (at the members: ${protocolName(req.protocol)}/${rangesText(req.translated.ports)} to ${req.translated.destination}, E6)`;
}

function requirementResult(
  firewall: string,
  req: RequirementUnderAudit,
  flow: string,
  parts: Part[],
  inScope: boolean,
  missingFamilies: Family[],
): RequirementResult {
  const base = { firewall, requirement: req.id, flow, errata: req.errata, ...(req.optional ? { optional: true } : {}) };
  if (!inScope) {
    return { ...base, status: 'not-applicable', decidedBy: [], witness: null, reasons: ['the flow does not cross this firewall'] };
  }
  const denied = parts.filter((p) => p.verdict === 'drop' || p.verdict === 'reject');
  const undetermined = parts.filter((p) => p.verdict === 'undetermined');
  const accepted = parts.filter((p) => p.verdict === 'accept');
  const reasons = [
    ...new Set([
      ...undetermined.flatMap((p) => p.reasons.map((r) => `${r.why} (line ${r.rule.source.line})`)),
      ...missingFamilies.map((f) => `no IPv${f} rule set was given for this firewall`),
    ]),
  ];
  let status: Status;
  if (denied.length > 0) status = accepted.length > 0 || undetermined.length > 0 || missingFamilies.length > 0 ? 'partial' : 'denied';
  else status = undetermined.length > 0 || missingFamilies.length > 0 ? 'undetermined' : 'allowed';
  const deciding = status === 'allowed' ? accepted : status === 'denied' ? denied : [...denied, ...undetermined, ...accepted];
  const witnessPart = denied[0] ?? undetermined[0];
  return {
    ...base,
    status,
    decidedBy: uniqueRefs(deciding.map(decider).filter((r): r is SourceRef => r !== null)),
    witness: witnessPart ? witnessOf(witnessPart) : null,
    reasons,
  };
}

function decider(outcome: Outcome): SourceRef | null {
  return outcome.rule?.source ?? outcome.policy?.source ?? null;
}

function uniqueRefs(refs: SourceRef[]): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  for (const ref of refs) seen.set(`${ref.file}:${ref.line}`, ref);
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function requirementFindings(result: RequirementResult, req: RequirementUnderAudit, parts: Part[]): Finding[] {
  const findings: Finding[] = [];
  const denied = parts.filter((p) => p.verdict === 'drop' || p.verdict === 'reject');
  if (denied.length > 0 && !req.optional) {
    const part = denied[0];
    const total = parts.reduce((n, p) => n + p.set.size(), 0n);
    const blocked = denied.reduce((n, p) => n + p.set.size(), 0n);
    const by = part.rule
      ? `the rule at line ${part.rule.source.line}`
      : `the ${part.policy?.chain.split('/')[1] ?? ''} chain's default policy`;
    const share = blocked === total ? 'entirely' : `partly (${percent(blocked, total)} of its packets)`;
    findings.push(
      finding(
        'missing',
        result.firewall,
        req.id,
        decider(part),
        witnessOf(part),
        `required flow ${result.flow} is denied ${share}; e.g. this packet is ${part.verdict === 'reject' ? 'rejected' : 'dropped'} by ${by}`,
        req.errata,
        part.rule?.chain ?? part.policy?.chain ?? '',
      ),
    );
  }
  const undetermined = parts.filter((p) => p.verdict === 'undetermined');
  if (undetermined.length > 0) {
    const part = undetermined[0];
    findings.push(
      finding(
        'undetermined',
        result.firewall,
        req.id,
        decider(part),
        witnessOf(part),
        `whether required flow ${result.flow} is allowed depends on what the configuration does not say: ${result.reasons.join('; ')}`,
        req.errata,
        part.rule?.chain ?? '',
      ),
    );
  } else if (result.status !== 'not-applicable' && result.reasons.length > 0) {
    findings.push(
      finding(
        'undetermined',
        result.firewall,
        req.id,
        null,
        null,
        `whether required flow ${result.flow} is allowed cannot be told: ${result.reasons.join('; ')}`,
        req.errata,
        '',
      ),
    );
  }
  return findings;
}

function percent(part: bigint, whole: bigint): string {
  const tenths = Number((part * 1000n) / (whole === 0n ? 1n : whole));
  if (tenths === 0 && part > 0n) return 'under 0.1%';
  if (tenths === 1000 && part < whole) return 'over 99.9%';
  return `${(tenths / 10).toFixed(tenths % 10 === 0 ? 0 : 1)}%`;
}

/** Overly broad and extraneous rules: what each accepting rule lets through against what is required. */
function permissionFindings(
  firewall: string,
  program: PolicyProgram,
  outcomesByPoint: Map<string, Outcome[]>,
  requiredByPoint: Map<string, PacketSet>,
): Finding[] {
  const byDecider = new Map<string, { ref: SourceRef | null; chain: string; accepted: PacketSet; required: PacketSet; point: string }>();
  for (const [point, outcomes] of outcomesByPoint) {
    const required = requiredByPoint.get(point) ?? PacketSet.EMPTY;
    for (const outcome of outcomes) {
      if (outcome.verdict !== 'accept') continue;
      const chain = outcome.rule?.chain ?? outcome.policy?.chain ?? '';
      const key = outcome.rule ? outcome.rule.id : `policy:${chain}`;
      const entry = byDecider.get(key) ?? { ref: decider(outcome), chain, accepted: PacketSet.EMPTY, required, point };
      entry.accepted = entry.accepted.union(outcome.set);
      byDecider.set(key, entry);
    }
  }
  const findings: Finding[] = [];
  for (const entry of byDecider.values()) {
    const served = entry.accepted.intersect(entry.required);
    const excess = entry.accepted.subtract(entry.required);
    if (excess.isEmpty()) continue;
    const who = entry.ref ? `rule at line ${entry.ref.line}` : `the ${entry.chain.split('/')[1]} chain's default policy`;
    const witness = witnessOf({ set: excess, point: entry.point, program });
    if (served.isEmpty()) {
      findings.push(
        finding(
          'extraneous',
          firewall,
          null,
          entry.ref,
          witness,
          `${who} ${LETS[entry.point]} new connections to or from the matrix's roles that no required flow needs (${describeExtent(excess, program.family)})`,
          [],
          entry.chain,
        ),
      );
    } else {
      findings.push(
        finding(
          'overly-broad',
          firewall,
          null,
          entry.ref,
          witness,
          `${who} serves required flows but is broader than they are: ${excessText(entry.accepted, served, program.family, LETS[entry.point])}`,
          [],
          entry.chain,
        ),
      );
    }
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

/** How a finding says what a rule permits, by where the packets go. */
const LETS: Readonly<Record<string, string>> = { INPUT: 'lets in', FORWARD: 'lets through', OUTPUT: 'lets out' };

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

function describeExtent(set: PacketSet, family: Family): string {
  return QUANTIFIED.map(([dim, one, many]) => counted(set.project(dim, family).size(), one, many)).join(', ');
}

/** Rules that no packet can ever reach or match. */
function shadowFindings(firewall: string, program: PolicyProgram): Finding[] {
  const { reached, matched } = ruleReachability(program);
  const findings: Finding[] = [];
  for (const chain of program.chains.values()) {
    const chainName = chain.name.split('/')[1];
    const entered = chain.rules.some((rule) => reached.has(rule));
    chain.rules.forEach((rule, i) => {
      if (matched.has(rule)) return;
      let why: string;
      if (!entered) why = `no packet enters chain ${chainName} (nothing jumps to it from a built-in chain)`;
      else if (!reached.has(rule)) {
        const last = chain.rules
          .slice(0, i)
          .filter((r) => reached.has(r))
          .pop();
        why = `every packet that enters chain ${chainName} is decided before it${last ? ` (by line ${last.source.line} and the rules before it)` : ''}`;
      } else why = 'no packet that reaches it can match it';
      findings.push(
        finding('shadowed', firewall, null, rule.source, null, `rule at line ${rule.source.line} can never match: ${why}`, [], rule.chain),
      );
    });
  }
  return findings;
}

function finding(
  kind: FindingKind,
  firewall: string,
  requirement: string | null,
  rule: SourceRef | null,
  witness: Witness | null,
  message: string,
  errata: ErratumRef[],
  chain: string,
): Finding {
  return {
    fingerprint: fingerprint(firewall, kind, requirement, rule, chain),
    kind,
    severity: SEVERITY[kind],
    firewall,
    requirement,
    rule,
    witness,
    message,
    ...(errata.length > 0 ? { errata } : {}),
  };
}

/** Stable across runs and unrelated edits: built from names and the rule's text, never its line. */
export function fingerprint(firewall: string, kind: string, requirement: string | null, rule: SourceRef | null, chain: string): string {
  const text = (rule?.text ?? '')
    .replace(/^\[\d+:\d+\]\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256')
    .update([firewall, kind, requirement ?? '', chain, text].join('\u0000'))
    .digest('hex')
    .slice(0, 24);
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
  const routable = PacketSet.of(
    part.set.boxes.flatMap((box) => {
      const src = box.get('src').subtract(UNROUTABLE[box.family]);
      const dst = box.get('dst').subtract(UNROUTABLE[box.family]);
      return src.isEmpty() || dst.isEmpty() ? [] : [box.with('src', src).with('dst', dst)];
    }),
  );
  for (const candidates of [routable, part.set]) {
    for (const family of FAMILIES) {
      // Port 0 is no service: a witness names a port clients really use.
      const prefer = {
        src: PREFERRED_ADDRESSES[family],
        dst: PREFERRED_ADDRESSES[family],
        proto: [6n, 17n],
        dport: [443n, 80n, 22n, 3389n, 1n],
      };
      const p: Point | undefined = candidates.onlyFamily(family).witness(prefer);
      if (p) return pointToWitness(p, part.point, part.program);
    }
  }
  return null;
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

/**
 * Remediation hints for a denied required packet: the accepting rules that almost serve it — one
 * condition away (a connection state, a port, an address, an interface, a protocol), reached too
 * late (an earlier rule decides first), or written for another variant (a Windows profile) — with
 * the condition that fails and, where one is clear, the change that would serve the flow.
 */
import { CtState, DIMENSIONS, Ranges, formatRanges, universe, type Dimension, type Point } from '../packetset';
import { ICMP_TYPE_NAMES, PROTOCOL_NAMES } from '../model/protocols';
import type { DecisionRule, EnforcementPoint, PolicyProgram } from '../model/policy';
import { tracePacket } from '../engine/trace';
import type { RemediationHint } from './types';

/** How many hints a finding carries at most: the nearest few are what an engineer acts on. */
const MAX_HINTS = 3;

export function nearMisses(program: PolicyProgram, point: EnforcementPoint, packet: Point): RemediationHint[] {
  const hints: RemediationHint[] = [];
  // Where a point runs several stages, a rule that accepted the packet in its own stage did its
  // part (a later stage denied it): moving it would not help.
  const accepted = new Set(
    tracePacket(program, point, packet)
      .steps.filter((step) => step.matched === true && step.action === 'accept')
      .map((step) => `${step.line}\u0000${step.text}`),
  );
  for (const rule of acceptingRules(program, [point])) {
    const hint = ruleHint(rule, packet, program);
    if (hint && !(hint.condition === 'order' && accepted.has(`${rule.source.line}\u0000${rule.source.text}`))) hints.push(hint);
  }
  // A rule of another variant (profile) that would let the packet through as it is.
  for (const other of program.points) {
    if (other === point || other.traffic !== point.traffic || other.variant === undefined || other.variant === point.variant) continue;
    for (const rule of acceptingRules(program, [other])) {
      if (
        !matches(rule, packet) ||
        !meantFor(rule, packet) ||
        hints.some((h) => h.rule.line === rule.source.line && h.rule.file === rule.source.file)
      )
        continue;
      hints.push({
        rule: rule.source,
        condition: 'variant',
        says: `lets it through in ${other.label} only`,
        suggestion: `apply the rule in ${point.label} too`,
      });
    }
  }
  return hints.sort((a, b) => a.rule.file.localeCompare(b.rule.file) || a.rule.line - b.rule.line).slice(0, MAX_HINTS);
}

/** The accepting rules of the chains the points' stages run and jump to. */
function acceptingRules(program: PolicyProgram, points: EnforcementPoint[]): DecisionRule[] {
  const seen = new Set<string>();
  const pending = points.flatMap((p) => p.stages.map((s) => s.chain));
  const rules: DecisionRule[] = [];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const rule of program.chains.get(name)?.rules ?? []) {
      // A rule the firewall adds itself (pf's anti-lockout rule) is not the configuration's to edit.
      if (rule.action.kind === 'accept' && !rule.implicit) rules.push(rule);
      if (rule.action.kind === 'jump' || rule.action.kind === 'goto') pending.push(rule.action.chain);
    }
  }
  return rules;
}

function valueOf(p: Point, dim: Dimension): bigint {
  return BigInt(p[dim]);
}

function matches(rule: DecisionRule, p: Point): boolean {
  return rule.match.may.contains(p);
}

/** The one dimension in which a box of the rule misses the packet, if some box misses it in exactly one. */
function missedDimension(rule: DecisionRule, p: Point): Dimension | undefined {
  for (const box of rule.match.may.boxes) {
    if (box.family !== p.family) continue;
    const missed = DIMENSIONS.filter((dim) => !box.get(dim).contains(valueOf(p, dim)));
    if (missed.length === 1) return missed[0];
  }
  return undefined;
}

/** The dimensions that tie a rule to a flow: a rule that names the flow's address or port was meant for it. */
const SPECIFIC: readonly Dimension[] = ['dst', 'dport', 'src'];

/**
 * Whether some box of the rule constrains the flow's address or port and agrees with the packet
 * there: a loopback or an ESTABLISHED rule for every connection is no near miss of any one flow.
 */
function meantFor(rule: DecisionRule, p: Point): boolean {
  return rule.match.may.boxes.some(
    (box) =>
      box.family === p.family &&
      SPECIFIC.some((dim) => !box.get(dim).equals(universe(p.family, dim)) && box.get(dim).contains(valueOf(p, dim))),
  );
}

function ruleHint(rule: DecisionRule, p: Point, program: PolicyProgram): RemediationHint | undefined {
  if (!meantFor(rule, p)) return undefined;
  if (matches(rule, p)) {
    return {
      rule: rule.source,
      condition: 'order',
      says: 'would let it through, but the packet is decided before it reaches it',
      suggestion: 'move the rule before the one that decides the packet',
    };
  }
  const dim = missedDimension(rule, p);
  if (dim === undefined) return undefined;
  const allowed = Ranges.unionAll(rule.match.may.boxes.filter((b) => b.family === p.family).map((b) => b.get(dim)));
  return { rule: rule.source, condition: dim, ...describeMiss(dim, allowed, p, program) };
}

const CONNECTION_STATES = Object.entries(CtState) as [string, number][];

function stateNames(r: Ranges): string {
  return CONNECTION_STATES.filter(([, v]) => r.contains(v))
    .map(([name]) => name)
    .join(', ');
}

/** At most a few values of a dimension, as a reader knows them. */
function listed(values: string[]): string {
  return values.length > 4 ? `${values.slice(0, 4).join(', ')}, …` : values.join(', ');
}

function numbers(r: Ranges): string {
  return listed(r.intervals.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)));
}

function describeMiss(dim: Dimension, allowed: Ranges, p: Point, program: PolicyProgram): { says: string; suggestion?: string } {
  const value = valueOf(p, dim);
  switch (dim) {
    case 'state':
      return {
        says: `matches only connection state${allowed.size() === 1n ? '' : 's'} ${stateNames(allowed)}, and a required flow's first packet is a new connection (${stateNames(Ranges.point(value))})`,
        suggestion: 'let it match new connections (state NEW) too',
      };
    case 'dport':
      return { says: `matches destination ports ${numbers(allowed)}, not ${value}`, suggestion: `add destination port ${value}` };
    case 'sport':
      return {
        says: `matches source ports ${numbers(allowed)}, and the client's port is ${value}`,
        suggestion: 'match any client port (1024-65535)',
      };
    case 'src':
    case 'dst': {
      const which = dim === 'src' ? 'source' : 'destination';
      const address = formatRanges(p.family, Ranges.point(value))[0];
      return {
        says: `matches ${which} addresses ${listed(formatRanges(p.family, allowed))}, not ${address}`,
        suggestion: `add ${address} to its ${which} addresses`,
      };
    }
    case 'proto':
      return {
        says: `matches protocol ${listed(allowed.intervals.flatMap(([lo, hi]) => (lo === hi ? [PROTOCOL_NAMES[Number(lo)] ?? `${lo}`] : [`${lo}-${hi}`])))}, not ${PROTOCOL_NAMES[Number(value)] ?? value}`,
      };
    case 'iif':
    case 'oif': {
      const names = (r: Ranges): string[] =>
        r.intervals.flatMap(([lo, hi]) =>
          Array.from({ length: Math.min(Number(hi - lo) + 1, 5) }, (_, i) => program.interfaces.nameOf(Number(lo) + i)),
        );
      const where = dim === 'iif' ? 'arriving on' : 'leaving by';
      const iface = program.interfaces.nameOf(Number(value)) || 'no interface';
      return {
        says: `matches packets ${where} ${listed(names(allowed))}, not ${iface}`,
        suggestion: `let it match packets ${where} ${iface} too`,
      };
    }
    case 'tcpflags':
      return {
        says: "its TCP flags condition excludes a connection's first packet (SYN)",
        suggestion: 'let it match the SYN that opens a connection',
      };
    case 'icmp': {
      const type = Number(value >> 8n);
      return {
        says: `matches other ICMP types, not ${type}${ICMP_TYPE_NAMES[p.family].has(type) ? ` (${ICMP_TYPE_NAMES[p.family].get(type)})` : ''}`,
      };
    }
  }
}

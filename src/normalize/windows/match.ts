/**
 * What a Windows Firewall rule's conditions match (MS-FASP FW_RULE), as three-valued packet sets,
 * for the traffic of one direction: local ports and addresses are the host's side (inbound: the
 * destination; outbound: the source), remote ones the peer's. Whatever the rule leaves to the host
 * (a keyword the deployment does not define, the program that owns a socket, IPsec
 * authentication, an interface) is undecided, with the reason, unless the deployment decides it.
 */
import type { AddressValue, FirewallRule, PortValue } from '../../../parsers/windows-firewall/src';
import { InputError } from '../../model/errors';
import { allOf, exactly, undecided } from '../../model/match';
import type { Match } from '../../model/policy';
import { PacketSet, Ranges, parseNetwork, type Dimension, type Family } from '../../packetset';
import type { ProgramTraffic, WindowsOptions } from './options';

export interface MatchContext {
  family: Family;
  /** The traffic the rule's point sees. */
  direction: 'inbound' | 'outbound';
  options: WindowsOptions;
  /** The configuration file, to locate a value the packet model cannot hold. */
  file: string;
}

interface Sides {
  localAddress: Dimension;
  remoteAddress: Dimension;
  localPort: Dimension;
  remotePort: Dimension;
}

const SIDES: Readonly<Record<MatchContext['direction'], Sides>> = {
  inbound: { localAddress: 'dst', remoteAddress: 'src', localPort: 'dport', remotePort: 'sport' },
  outbound: { localAddress: 'src', remoteAddress: 'dst', localPort: 'sport', remotePort: 'dport' },
};

/** Whether the rule applies only to traffic IPsec authenticates (MS-FASP FW_RULE_FLAGS_AUTHENTICATE*, ByPass). */
export function needsAuthentication(rule: FirewallRule): boolean {
  return rule.action?.value === 'ByPass' || rule.security !== undefined || rule.rmAuth !== undefined || rule.ruAuth !== undefined;
}

export function windowsRuleMatch(rule: FirewallRule, ctx: MatchContext): Match {
  const full = PacketSet.full(ctx.family);
  const sides = SIDES[ctx.direction];
  // FW_RULE_FLAGS_LOCAL_ONLY_MAPPED: the remote address and port conditions are ignored (not on block rules).
  const remoteIgnored = rule.lom?.value === true && rule.action?.value !== 'Block';
  const conditions: Match[] = [];
  if (rule.protocol) conditions.push(exactly(full.restrict('proto', Ranges.point(BigInt(rule.protocol.value)))));
  conditions.push(...portConditions(rule.lport, sides.localPort, full, ctx));
  if (!remoteIgnored) conditions.push(...portConditions(rule.rport, sides.remotePort, full, ctx));
  const icmp = rule.protocol?.value === 1 ? rule.icmp4 : rule.protocol?.value === 58 ? rule.icmp6 : [];
  if (icmp.length > 0) {
    const codes = icmp.map((entry) => {
      const base = BigInt(entry.type) * 256n;
      return entry.code === null ? ([base, base + 255n] as const) : ([base + BigInt(entry.code), base + BigInt(entry.code)] as const);
    });
    conditions.push(exactly(full.restrict('icmp', Ranges.fromIntervals(codes))));
  }
  conditions.push(...addressConditions(rule.la, sides.localAddress, full, ctx));
  if (!remoteIgnored) conditions.push(...addressConditions(rule.ra, sides.remoteAddress, full, ctx));
  conditions.push(...programConditions(rule, full, ctx));
  if (needsAuthentication(rule)) conditions.push(authentication(rule, sides, full, ctx));
  conditions.push(...hostConditions(rule, full));
  return allOf(conditions, full);
}

/** A port condition: numbers exactly, keywords as the deployment defines them or undecided. */
function portConditions(values: PortValue[], dim: Dimension, full: PacketSet, ctx: MatchContext): Match[] {
  if (values.length === 0) return [];
  // Collected, then united in one sort: a rule may list a hundred thousand ports.
  const parts: Ranges[] = [];
  const unknown: string[] = [];
  for (const value of values) {
    if (value.kind === 'range') parts.push(Ranges.of(BigInt(value.first), BigInt(value.last)));
    else {
      const defined = ctx.options.portKeywords.get(value.keyword);
      if (defined) parts.push(defined);
      else unknown.push(`${value.key}=${value.keyword}`);
    }
  }
  const sure = full.restrict(dim, Ranges.unionAll(parts));
  if (unknown.length === 0) return [exactly(sure)];
  return [
    {
      surely: sure,
      may: full,
      uncertain: [`the ports of ${unknown.join(', ')} are the host's to choose (give them under portKeywords in the deployment)`],
    },
  ];
}

/**
 * An address condition of one side. The rule keeps IPv4 and IPv6 addresses apart: once it names
 * addresses of either family, a packet of a family it names none of does not match.
 */
function addressConditions(values: AddressValue[], dim: Dimension, full: PacketSet, ctx: MatchContext): Match[] {
  if (values.length === 0) return [];
  // Collected, then united in one sort: a rule may list a hundred thousand addresses.
  const parts: Ranges[] = [];
  const unknown: string[] = [];
  for (const value of values.filter((v) => v.family === ctx.family)) {
    if (value.kind !== 'keyword') {
      parts.push(literal(value, ctx));
      continue;
    }
    const defined =
      value.keyword === 'LocalSubnet'
        ? (ctx.options.addressKeywords.get('LocalSubnet') ?? ctx.options.localSubnet)
        : ctx.options.addressKeywords.get(value.keyword);
    if (defined) parts.push(defined[ctx.family]);
    else unknown.push(`${value.key}=${value.keyword}`);
  }
  const sure = full.restrict(dim, Ranges.unionAll(parts));
  if (unknown.length === 0) return [exactly(sure)];
  const what = unknown.some((u) => u.endsWith('=LocalSubnet'))
    ? "the host's networks are not given (interfaces or localSubnet in the deployment)"
    : 'what they mean at this site is not given (addressKeywords in the deployment)';
  return [{ surely: sure, may: full, uncertain: [`${unknown.join(', ')}: ${what}`] }];
}

function literal(value: Exclude<AddressValue, { kind: 'keyword' }>, ctx: MatchContext): Ranges {
  const text = value.kind === 'range' ? `${value.first}-${value.last}` : `${value.address}/${value.prefixLength}`;
  const network = parseNetwork(text);
  if (!network || network.family !== ctx.family) {
    throw new InputError([
      { location: { file: ctx.file, ...value.location }, message: `${value.key}=${text} is not an address fwmatrix can read` },
    ]);
  }
  return network.ranges;
}

/**
 * App=, Svc= and AppPkgId= limit a rule to one program's traffic: only the deployment can say
 * which program a flow is (`programs`); packets it gives to another program do not match, the
 * rest may.
 */
function programConditions(rule: FirewallRule, full: PacketSet, ctx: MatchContext): Match[] {
  const limits: { key: string; value: string; owns: (entry: ProgramTraffic) => boolean | undefined }[] = [];
  const same = (a: string | undefined, b: string): boolean | undefined =>
    a === undefined ? undefined : a.toLowerCase() === b.toLowerCase();
  if (rule.app) limits.push({ key: rule.app.key, value: rule.app.value, owns: (entry) => same(entry.program, rule.app!.value) });
  if (rule.svc) {
    const svc = rule.svc.value;
    // Svc=* is every service, but only services: traffic the deployment gives no service is unknown to it.
    limits.push({
      key: rule.svc.key,
      value: svc,
      owns: (entry) => (svc === '*' ? (entry.service !== undefined ? true : undefined) : same(entry.service, svc)),
    });
  }
  if (rule.appPkgId)
    limits.push({ key: rule.appPkgId.key, value: rule.appPkgId.value, owns: (entry) => same(entry.package, rule.appPkgId!.value) });
  const conditions = limits.map(({ key, value, owns }) => {
    let theirs = PacketSet.EMPTY;
    let others = PacketSet.EMPTY;
    for (const entry of ctx.options.programs) {
      if (entry.direction !== undefined && entry.direction !== ctx.direction) continue;
      const packets = full.restrict('proto', Ranges.point(BigInt(entry.protocol))).restrict('dport', entry.ports);
      const owned = owns(entry);
      if (owned === true) theirs = theirs.union(packets);
      else if (owned === false) others = others.union(packets);
    }
    const may = full.subtract(others.subtract(theirs));
    return {
      surely: theirs,
      may,
      uncertain: theirs.equals(may)
        ? []
        : [
            `${key}=${value}: the rule admits only that program's traffic, and which program a flow is the deployment does not say (programs)`,
          ],
    };
  });
  if (rule.luAuth)
    conditions.push(undecided(`LUAuth=${rule.luAuth.value}: the rule admits only traffic of the local users it lists`, full));
  return conditions;
}

/** Traffic IPsec authenticates: decided by the deployment's authenticatedPeers, undecided without. */
function authentication(rule: FirewallRule, sides: Sides, full: PacketSet, ctx: MatchContext): Match {
  const peers = ctx.options.authenticatedPeers;
  if (peers) return exactly(full.restrict(sides.remoteAddress, peers[ctx.family]));
  const why =
    rule.action?.value === 'ByPass'
      ? 'Action=ByPass allows only traffic that IPsec authenticates'
      : `${rule.security?.key ?? 'RMAuth'}=${rule.security?.value ?? rule.rmAuth?.value ?? rule.ruAuth?.value}: the rule applies only to traffic that IPsec authenticates`;
  return undecided(`${why}, and whether the peer authenticates the deployment does not say (authenticatedPeers)`, full);
}

/** Conditions on the host's interfaces, trust tuples and networks: no packet shows them. */
function hostConditions(rule: FirewallRule, full: PacketSet): Match[] {
  const reasons: string[] = [];
  if (rule.if.length > 0) reasons.push(`IF=${rule.if.map((i) => i.value).join(',')}: the rule applies only on those interfaces`);
  if (rule.ifType.length > 0)
    reasons.push(`IFType=${rule.ifType.map((i) => i.value).join(',')}: the rule applies only on interfaces of that type`);
  if (rule.ttk.length > 0)
    reasons.push(`${rule.ttk.map((t) => `${t.key}=${t.keyword}`).join(', ')}: the rule applies only to that kind of traffic (trust tuple)`);
  if (rule.nnm) reasons.push(`NNm=${rule.nnm.value}: the rule applies only on the networks it names`);
  if (rule.unknown.length > 0)
    reasons.push(
      `${rule.unknown.map((f) => `${f.key}=`).join(', ')}: ${rule.unknown.length === 1 ? 'a key' : 'keys'} MS-GPFAS does not define, whose condition is unknown`,
    );
  return reasons.map((reason) => undecided(reason, full));
}

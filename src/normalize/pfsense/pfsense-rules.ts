/**
 * pfSense's `<filter><rule>` → pf rules, as filter_generate_user_rule and filter_rules_generate
 * write them: disabled rules and rules on an interface the firewall does not load are left out;
 * `inet46` gives an IPv4 and an IPv6 rule; an undefined or downloaded alias drops the rule (a
 * warning, as pfSense notices it); interface and group rules are quick, floating ones only with
 * `<quick>`; a port without a protocol makes the rule TCP.
 */
import type { Endpoint, FilterRule, Text } from '../../../parsers/pfsense-config/src';
import { InputError, type Diagnostic } from '../../model/errors';
import { Ranges, type Family } from '../../packetset';
import { pfsenseAddresses, type AddressContext, type PfsenseEndpoint } from './addresses';
import { present } from './dialect';
import { exact, type Fuzzy } from './fuzzy';
import { allAddresses } from './interfaces';
import type { Direction, InterfaceScope, PfAction, PfRule, Section } from './pf-rule';
import { ALL_PROTOCOLS, TCP, carriesPorts, icmpTypesOf, protocolsOf } from './protocols';
import { endpointWords, renderRule } from './render';
import { portRange } from './services';
import { SYN_OF_SYN_ACK, tcpFlagsOf, undecidedConditions } from './conditions';

/** A rule the firewall does not load: why, and the rule as it would be (what it cannot resolve taken as everything). */
export interface UnloadedRule {
  readonly rule: PfRule;
  readonly reason: string;
}

export interface RuleContext extends AddressContext {
  readonly file: string;
  readonly warnings: Diagnostic[];
  /** Where the rules the firewall does not load go, with what they would match. */
  readonly unloaded: UnloadedRule[];
  /** Schedule names `<schedules>` defines. */
  readonly schedules: ReadonlySet<string>;
  /** The position of each interface group in `<ifgroups>`: group rules come in that order. */
  readonly groupOrder: ReadonlyMap<string, number>;
}

const ACTIONS = new Set<PfAction>(['pass', 'block', 'reject', 'match']);

function value(text: Text | undefined): string {
  return text?.value ?? '';
}

function warn(context: RuleContext, rule: FilterRule, message: string): void {
  context.warnings.push({ location: { file: context.file, line: rule.line, path: rule.path }, message });
}

function inputError(context: RuleContext, at: Text | FilterRule, message: string): InputError {
  return new InputError([{ location: { file: context.file, line: at.line, path: at.path }, message }]);
}

function endpointOf(endpoint: Endpoint | undefined, interfaceKey: string): PfsenseEndpoint {
  return {
    any: present(endpoint?.any),
    network: value(endpoint?.network),
    address: value(endpoint?.address),
    not: present(endpoint?.not),
    interfaceKey,
  };
}

/** The interfaces a rule is on, or why pfSense does not load it (with the interfaces as written). */
function scopeOf(rule: FilterRule, context: RuleContext): { scope: InterfaceScope; section: Section; order: number[]; problem?: string } {
  const { interfaces } = context;
  const loaded = (key: string): boolean => interfaces.get(key)?.enabled === true || interfaces.group(key) !== undefined;
  if (present(rule.floating)) {
    const written = value(rule.interface);
    if (written === '' || written === 'any') return { scope: { kind: 'all' }, section: 'floating', order: [rule.position] };
    const keys = written.split(',').filter(loaded);
    if (keys.length > 0) return { scope: { kind: 'only', keys }, section: 'floating', order: [rule.position] };
    const problem = `none of its interfaces (${written}) is an enabled interface or an interface group`;
    return { scope: { kind: 'only', keys: written.split(',') }, section: 'floating', order: [rule.position], problem };
  }
  const key = value(rule.interface);
  const scope: InterfaceScope = { kind: 'only', keys: [key] };
  if (!loaded(key))
    return {
      scope,
      section: 'interface',
      order: [rule.position],
      problem: `its interface ${key || '(none)'} is not an enabled interface or an interface group`,
    };
  const group = context.groupOrder.get(key);
  if (group !== undefined) return { scope, section: 'group', order: [group, rule.position] };
  return { scope, section: 'interface', order: [rule.position] };
}

function directionOf(rule: FilterRule, context: RuleContext): Direction {
  // pfSense reads <direction> only when <floating> says yes; every other rule filters inbound.
  if (value(rule.floating) !== 'yes') return 'in';
  const written = value(rule.direction);
  if (written === '' || written === 'any') return 'both';
  if (written === 'in' || written === 'out') return written;
  throw inputError(context, rule.direction!, `direction "${written}": expected in, out or any (pfctl would refuse the rule)`);
}

/**
 * The ports of `<port>`: `a`, `a-b`, `a:b` or a port alias; `1-65535` is every port. A downloaded
 * port alias gives every port, `undecided` saying why the rule may match fewer.
 */
function portsOf(
  endpoint: Endpoint | undefined,
  context: RuleContext,
  side: string,
): { ok: true; ports: Ranges | undefined; undecided?: string } | { ok: false; reason: string } {
  const written = value(endpoint?.port);
  if (written === '') return { ok: true, ports: undefined };
  const downloaded = context.aliases.downloadedPorts(written);
  if (downloaded !== undefined) return { ok: true, ports: undefined, undecided: downloaded };
  const alias = context.aliases.ports(written);
  if (alias !== undefined) return alias.ok ? { ok: true, ports: alias.value } : { ok: false, reason: alias.reason };
  const range = pfsensePortRange(written);
  if (range === undefined) return { ok: false, reason: `${side} port alias ${written} is not defined` };
  return { ok: true, ports: range.equals(Ranges.of(1n, 65535n)) ? undefined : range };
}

/**
 * A literal port or range as filter_generate_port writes it: is_port takes 1-65535 (0 is no port,
 * and the rule is dropped as an unresolvable alias); `a-b` becomes `a-1 >< b+1` and `a:b` pf's
 * own inclusive range, so a reversed range matches no port.
 */
function pfsensePortRange(written: string): Ranges | undefined {
  const bounds = written.split(/[-:]/).map((part) => portRange(part.trim()));
  if (bounds.some((bound) => bound === undefined || bound.first() === 0n)) return undefined;
  const range = portRange(written);
  if (range === undefined) return undefined;
  const [low, high] = bounds.map((bound) => bound!.first()!);
  return high !== undefined && low > high ? Ranges.EMPTY : range;
}

/**
 * The interfaces pfSense adds for a VPN service (its own tab of rules): filter.inc loads their
 * rules when the service is configured, for what arrives through its tunnels, which are configured
 * in sections fwmatrix does not read.
 */
const SERVICE_INTERFACES: ReadonlyMap<string, string> = new Map([
  ['openvpn', 'OpenVPN'],
  ['enc0', 'IPsec'],
  ['l2tp', 'L2TP VPN'],
  ['pppoe', 'PPPoE server'],
]);

/** One written rule → its pf rules (none when pfSense does not load it). */
export function pfsenseRules(rule: FilterRule, context: RuleContext): PfRule[] {
  if (present(rule.disabled)) return [];
  const placed = scopeOf(rule, context);
  const service = present(rule.floating) || placed.problem === undefined ? undefined : SERVICE_INTERFACES.get(value(rule.interface));
  if (service !== undefined) {
    // Not a rule pfSense drops: it filters traffic no interface of the audit carries.
    warn(
      context,
      rule,
      `rule on the ${service} tab: it filters what arrives through ${service} tunnels, which fwmatrix does not read; not audited`,
    );
    return [];
  }
  // What keeps the whole rule from being loaded; its copies are still built, to say what they would match.
  const problems: string[] = placed.problem !== undefined ? [placed.problem] : [];
  const written = value(rule.ipprotocol);
  const families: Family[] = written === 'inet46' ? [4, 6] : written === 'inet6' ? [6] : [4];
  const protocol = value(rule.protocol);
  const source = endpointOf(rule.source, value(rule.interface));
  const destination = endpointOf(rule.destination, value(rule.interface));
  const portBased = protocol === '' ? value(rule.source?.port) !== '' || value(rule.destination?.port) !== '' : carriesPorts(protocol);
  const portsUndecided: string[] = [];
  const ports = (endpoint: Endpoint | undefined, side: string): Ranges | undefined => {
    if (!portBased) return undefined;
    const resolved = portsOf(endpoint, context, side);
    if (!resolved.ok) {
      problems.push(resolved.reason);
      return undefined;
    }
    if (resolved.undecided !== undefined) portsUndecided.push(resolved.undecided);
    return resolved.ports;
  };
  const sourcePorts = ports(rule.source, 'source');
  const destinationPorts = ports(rule.destination, 'destination');
  const type = value(rule.type);
  const action: PfAction = ACTIONS.has(type as PfAction) ? (type as PfAction) : 'pass';
  const direction = directionOf(rule, context);
  const quick = placed.section !== 'floating' || present(rule.quick);
  const undecided = [
    ...portsUndecided,
    ...undecidedConditions(
      { sched: rule.sched, tagged: rule.tagged, os: rule.os, tos: rule.dscp, priority: rule.vlanprio },
      protocol,
      context,
    ),
  ];
  const pfRules: PfRule[] = [];
  for (const family of families) {
    const protocols = protocol === '' ? (portBased ? Ranges.point(BigInt(TCP)) : ALL_PROTOCOLS) : protocolsOf(protocol, family);
    if (protocols === undefined) {
      throw inputError(
        context,
        rule.protocol!,
        `protocol "${protocol}": expected tcp, udp, tcp/udp, icmp, any, or a protocol name or number`,
      );
    }
    const addresses: Fuzzy[] = [];
    let missing: string | undefined;
    for (const [endpoint, side] of [
      [source, 'source'],
      [destination, 'destination'],
    ] as const) {
      const resolved = pfsenseAddresses(endpoint, family, context, side);
      if (resolved.ok) addresses.push(resolved.value);
      else {
        missing ??= resolved.reason;
        addresses.push(exact(allAddresses(family)));
      }
    }
    // An inet46 rule's copy for a family its addresses do not have matches nothing: it is not one.
    if (missing === undefined && families.length > 1 && addresses.some((set) => set.may.isEmpty())) continue;
    const icmpWritten = value(rule.icmptype);
    let icmp: Ranges | undefined;
    if (protocol === 'icmp' && icmpWritten !== '' && icmpWritten !== 'any') {
      icmp = icmpTypesOf(icmpWritten, family);
      if (icmp === undefined)
        throw inputError(context, rule.icmptype!, `ICMP types "${icmpWritten}": expected type names (echoreq, unreach, …) or numbers`);
    }
    const text = renderRule({
      action: action === 'reject' ? 'block return' : action,
      direction: direction === 'both' ? '' : direction,
      quick,
      interfaces: placed.scope.kind === 'only' ? placed.scope.keys.join(',') : '',
      family: family === 6 ? 'inet6' : 'inet',
      protocol: protocol === '' && portBased ? 'tcp' : protocol === 'any' ? '' : protocol,
      from: endpointWords(source.any, source.network, source.address, source.not),
      fromPort: portBased ? value(rule.source?.port) : '',
      to: endpointWords(destination.any, destination.network, destination.address, destination.not),
      toPort: portBased ? value(rule.destination?.port) : '',
      extras: extrasOf(rule, icmp !== undefined),
      description: value(rule.descr),
    });
    const pfRule: PfRule = {
      origin: { file: context.file, line: rule.line, path: rule.path, text, identity: text },
      implicit: false,
      section: placed.section,
      order: placed.order,
      action,
      quick,
      direction,
      interfaces: placed.scope,
      family,
      protocols,
      icmp,
      tcpFlags: protocol === 'tcp' ? tcpFlagsOf(rule, present(rule.tcpflags_any), SYN_OF_SYN_ACK) : undefined,
      source: addresses[0],
      destination: addresses[1],
      sourcePorts,
      destinationPorts,
      undecided,
    };
    const reason = problems[0] ?? missing;
    if (reason === undefined) pfRules.push(pfRule);
    else context.unloaded.push({ rule: pfRule, reason });
    if (reason !== undefined && problems.length === 0)
      warn(context, rule, `${families.length > 1 ? `its IPv${family} copy is not loaded` : 'rule not loaded'}: ${reason}`);
  }
  if (problems.length > 0) warn(context, rule, `rule not loaded: ${problems[0]}`);
  return pfRules;
}

/** The conditions besides addresses and ports, in pf's words. */
function extrasOf(rule: FilterRule, icmpTypes: boolean): string[] {
  const extras: string[] = [];
  if (icmpTypes) extras.push(`icmp-type ${value(rule.icmptype)}`);
  if (value(rule.tagged) !== '') extras.push(`tagged ${value(rule.tagged)}`);
  if (value(rule.os) !== '') extras.push(`os ${JSON.stringify(value(rule.os))}`);
  if (value(rule.sched) !== '') extras.push(`schedule ${value(rule.sched)}`);
  if (value(rule.gateway) !== '') extras.push(`gateway ${value(rule.gateway)}`);
  return extras;
}

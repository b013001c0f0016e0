/**
 * OPNsense's rules → pf rules, as its Firewall plugin writes them (Rule::reader, FilterRule,
 * FilterRuleContainerField): legacy `<filter><rule>` and MVC `<OPNsense><Firewall><Filter>` rules
 * alike. A rule is quick unless `<quick>` says 0, a missing direction is `in` (floating rules
 * too), a legacy rule without `<ipprotocol>` matches both families (an MVC one defaults to inet),
 * `<disabled>` disables only when it holds something but 0; each interface, source and
 * destination of a list gives its own rule. A rule on a missing interface, or with an address or
 * port OPNsense cannot map, is disabled by OPNsense: a warning here.
 */
import type { FilterRule, MvcFilterRule, Text } from '../../../parsers/pfsense-config/src';
import { InputError } from '../../model/errors';
import { Ranges, parseNetwork, type Family } from '../../packetset';
import { opnsenseAddresses } from './addresses';
import { OPNSENSE } from './dialect';
import { tcpFlagsOf, undecidedConditions } from './conditions';
import { exact, unionFuzzy, type Fuzzy } from './fuzzy';
import { allAddresses } from './interfaces';
import type { Direction, InterfaceScope, PfAction, PfRule, Section } from './pf-rule';
import { ALL_PROTOCOLS, carriesPorts, icmpTypesOf, protocolsOf } from './protocols';
import { renderRule } from './render';
import type { RuleContext } from './pfsense-rules';
import { portNumber } from './services';

/** One OPNsense rule, legacy or MVC, in the form OPNsense's rule reader works on. */
interface OpnSpec {
  readonly line: number;
  readonly path: string;
  readonly mvc: boolean;
  readonly position: number;
  readonly sequence: number;
  readonly disabled: boolean;
  readonly action: PfAction;
  readonly quick: boolean;
  readonly floating: boolean;
  readonly interfaces: readonly string[];
  readonly interfacenot: boolean;
  readonly direction: Direction;
  readonly families: readonly Family[];
  readonly protocol: string;
  readonly froms: readonly string[];
  readonly fromNot: boolean;
  readonly fromPort: string;
  readonly tos: readonly string[];
  readonly toNot: boolean;
  readonly toPort: string;
  readonly icmptype: Text | undefined;
  readonly icmp6type: Text | undefined;
  readonly conditions: Parameters<typeof undecidedConditions>[0];
  readonly flags: Parameters<typeof tcpFlagsOf>[0];
  readonly gateway: string;
  readonly description: string;
}

const flag = OPNSENSE.flag;

function value(text: Text | undefined): string {
  return text?.value ?? '';
}

function list(text: Text | undefined): string[] {
  return value(text)
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
}

function actionOf(written: string): PfAction {
  return written === 'block' || written === 'reject' || written === 'match' ? written : 'pass';
}

function directionOf(written: string): Direction {
  if (written === 'any') return 'both';
  return written === 'out' ? 'out' : 'in';
}

function familiesOf(written: string, fallback: readonly Family[]): readonly Family[] {
  if (written === 'inet') return [4];
  if (written === 'inet6') return [6];
  if (written === 'inet46') return [4, 6];
  return fallback;
}

function legacySpec(rule: FilterRule): OpnSpec {
  const floating = rule.floating !== undefined;
  const protocol = value(rule.protocol).toLowerCase();
  const endpoint = (side: FilterRule['source']): { words: string[]; not: boolean; port: string } => {
    if (side === undefined) return { words: [], not: false, port: '' };
    const word = value(side.network) || value(side.address) || 'any';
    return { words: [word], not: flag(side.not), port: carriesPorts(protocol) ? value(side.port) : '' };
  };
  const from = endpoint(rule.source);
  const to = endpoint(rule.destination);
  return {
    line: rule.line,
    path: rule.path,
    mvc: false,
    position: rule.position,
    sequence: rule.position,
    disabled: flag(rule.disabled),
    action: actionOf(value(rule.type)),
    quick: rule.quick !== undefined ? flag(rule.quick) : !floating,
    floating,
    interfaces: list(rule.interface),
    interfacenot: flag(rule.interfacenot),
    direction: directionOf(value(rule.direction)),
    families: familiesOf(value(rule.ipprotocol), [4, 6]),
    protocol,
    froms: from.words,
    fromNot: from.not,
    fromPort: from.port,
    tos: to.words,
    toNot: to.not,
    toPort: to.port,
    icmptype: rule.icmptype,
    icmp6type: rule.icmp6type,
    conditions: { sched: rule.sched, tagged: rule.tagged, os: rule.os, tos: rule.dscp, priority: rule.vlanprio },
    flags: rule,
    gateway: value(rule.gateway),
    description: value(rule.descr),
  };
}

function mvcSpec(rule: MvcFilterRule): OpnSpec {
  const interfaces = list(rule.interface);
  const interfacenot = flag(rule.interfacenot);
  const protocol = value(rule.protocol).toLowerCase();
  return {
    line: rule.line,
    path: rule.path,
    mvc: true,
    position: rule.position,
    sequence: Number.parseInt(value(rule.sequence), 10) || 1,
    // The model's defaults stand in for what the element does not say: enabled, quick, pass, in, inet.
    disabled: rule.enabled !== undefined && !flag(rule.enabled),
    action: actionOf(value(rule.action)),
    quick: rule.quick === undefined || flag(rule.quick),
    floating: interfaces.length !== 1 || interfacenot,
    interfaces,
    interfacenot,
    direction: directionOf(value(rule.direction)),
    families: familiesOf(value(rule.ipprotocol), [4]),
    protocol: protocol === 'any' ? '' : protocol,
    froms: list(rule.source_net),
    fromNot: flag(rule.source_not),
    fromPort: value(rule.source_port),
    tos: list(rule.destination_net),
    toNot: flag(rule.destination_not),
    toPort: value(rule.destination_port),
    icmptype: rule.icmptype,
    icmp6type: rule.icmp6type,
    conditions: { sched: rule.sched, tagged: rule.tagged, os: undefined, tos: rule.tos, priority: rule.prio },
    flags: rule,
    gateway: value(rule.gateway),
    description: value(rule.description),
  };
}

const LINK_LOCAL = parseNetwork('fe80::/10')!.ranges;

/** OPNsense's port words: a port, a range (`-` or `:`, `any` as an open end), a service name or a port alias. */
function portsOf(written: string, context: RuleContext): Ranges | undefined | string {
  if (written === '' || written === 'any') return undefined;
  let port = written.replaceAll('-', ':');
  if (port.includes(':any') !== port.includes('any:')) port = port.replace('any', port.includes(':any') ? '65535' : '1');
  const [low, high] = port.split(':');
  if (/^\d+$/.test(low) && (high === undefined || /^\d+$/.test(high))) {
    const a = Number(low);
    const b = high === undefined ? a : Number(high);
    if (a <= 65535 && b <= 65535) return Ranges.of(BigInt(Math.min(a, b)), BigInt(Math.max(a, b)));
  }
  const alias = context.aliases.ports(written);
  if (alias !== undefined) return alias.ok ? alias.value : alias.reason;
  const known = portNumber(written);
  if (known !== undefined) return Ranges.point(BigInt(known));
  return `port ${written} is neither a port, a range, a service name nor a port alias`;
}

function sectionOf(spec: OpnSpec, context: RuleContext): { section: Section; order: number[] } {
  const registration = [spec.mvc ? 0 : 1, spec.mvc ? spec.sequence : spec.position, spec.position];
  if (spec.floating) return { section: 'floating', order: registration };
  const group = context.interfaces.group(spec.interfaces[0]);
  if (group !== undefined) return { section: 'group', order: [group.sequence, ...registration] };
  return { section: 'interface', order: registration };
}

/** The interface a rule copy is on exists for the firewall: an enabled interface or a group. */
function loaded(key: string, context: RuleContext): boolean {
  return context.interfaces.get(key)?.enabled === true || context.interfaces.group(key) !== undefined;
}

function specRules(spec: OpnSpec, context: RuleContext): PfRule[] {
  if (spec.disabled) return [];
  const warned = new Set<string>();
  const warn = (message: string): void => {
    if (warned.has(message)) return;
    warned.add(message);
    context.warnings.push({ location: { file: context.file, line: spec.line, path: spec.path }, message });
  };
  const portBased = carriesPorts(spec.protocol);
  // What makes OPNsense disable the rule; its copies are still built, to say what they would match.
  const problems: string[] = [];
  const ports = (written: string): Ranges | undefined => {
    const resolved = portBased ? portsOf(written, context) : undefined;
    if (typeof resolved !== 'string') return resolved;
    problems.push(resolved);
    return undefined;
  };
  const fromPorts = ports(spec.fromPort);
  const toPorts = ports(spec.toPort);
  const { section, order } = sectionOf(spec, context);
  const undecided = undecidedConditions(spec.conditions, spec.protocol, context);
  const copies: PfRule[] = [];
  const interfaceCopies: (string | undefined)[] = spec.interfaces.length === 0 ? [undefined] : [...spec.interfaces];
  const froms = spec.froms.length === 0 ? ['any'] : spec.froms;
  const tos = spec.tos.length === 0 ? ['any'] : spec.tos;
  for (const from of froms) {
    for (const to of tos) {
      for (const iface of interfaceCopies) {
        const missing =
          iface !== undefined && !loaded(iface, context) ? [`interface ${iface} is not an enabled interface or an interface group`] : [];
        for (const family of spec.families) {
          const built = copy(spec, { from, to, iface, family, section, order, undecided }, context, { fromPorts, toPorts });
          if (built === undefined) continue;
          const reason = [...problems, ...missing, ...built.problems][0];
          if (reason === undefined) copies.push(built.rule);
          else {
            context.unloaded.push({ rule: built.rule, reason });
            warn(`rule disabled by OPNsense: ${reason}`);
          }
        }
      }
    }
  }
  return copies;
}

interface CopyOf {
  from: string;
  to: string;
  iface: string | undefined;
  family: Family;
  section: Section;
  order: number[];
  undecided: string[];
}

function addressesOf(word: string, negated: boolean, family: Family, context: RuleContext, side: string): Fuzzy | string {
  const resolved = opnsenseAddresses(word, negated, family, context, side);
  if (!resolved.ok) return resolved.reason;
  // OPNsense adds the link-local network to an interface's IPv6 network (pf's :network leaves it out).
  const isInterface = context.interfaces.get(word) !== undefined || context.interfaces.group(word) !== undefined;
  return family === 6 && isInterface && !negated ? unionFuzzy(resolved.value, exact(LINK_LOCAL)) : resolved.value;
}

/** One copy of a rule, and what keeps OPNsense from loading it (what it cannot map is taken as everything). */
function copy(
  spec: OpnSpec,
  at: CopyOf,
  context: RuleContext,
  ports: { fromPorts: Ranges | undefined; toPorts: Ranges | undefined },
): { rule: PfRule; problems: string[] } | undefined {
  const problems: string[] = [];
  const side = (resolved: Fuzzy | string): Fuzzy => {
    if (typeof resolved !== 'string') return resolved;
    problems.push(resolved);
    return exact(allAddresses(at.family));
  };
  const source = side(addressesOf(at.from, spec.fromNot, at.family, context, 'source'));
  const destination = side(addressesOf(at.to, spec.toNot, at.family, context, 'destination'));
  // A copy for a family its addresses do not have matches nothing: it is not one.
  if (problems.length === 0 && spec.families.length > 1 && (source.may.isEmpty() || destination.may.isEmpty())) return undefined;
  const protocols = spec.protocol === '' ? ALL_PROTOCOLS : protocolsOf(spec.protocol, at.family);
  if (protocols === undefined) {
    throw new InputError([
      {
        location: { file: context.file, line: spec.line, path: spec.path },
        message: `protocol "${spec.protocol}": expected a protocol name or number`,
      },
    ]);
  }
  const icmpWritten = value(at.family === 6 ? spec.icmp6type : spec.icmptype);
  const icmp = ['icmp', 'ipv6-icmp'].includes(spec.protocol) && icmpWritten !== '' ? icmpTypesOf(icmpWritten, at.family) : undefined;
  const scope: InterfaceScope =
    at.iface === undefined
      ? { kind: 'all' }
      : spec.interfacenot
        ? { kind: 'except', keys: [at.iface] }
        : { kind: 'only', keys: [at.iface] };
  const text = renderRule({
    action: spec.action === 'reject' ? 'block return' : spec.action,
    direction: spec.direction === 'both' ? '' : spec.direction,
    quick: spec.quick,
    interfaces: at.iface === undefined ? '' : `${spec.interfacenot ? '! ' : ''}${at.iface}`,
    family: at.family === 6 ? 'inet6' : 'inet',
    protocol: spec.protocol,
    from: `${spec.fromNot ? '! ' : ''}${at.from}`,
    fromPort: ports.fromPorts === undefined ? '' : spec.fromPort,
    to: `${spec.toNot ? '! ' : ''}${at.to}`,
    toPort: ports.toPorts === undefined ? '' : spec.toPort,
    extras: [
      ...(icmp !== undefined ? [`icmp-type ${icmpWritten}`] : []),
      ...(value(spec.conditions.tagged) !== '' ? [`tagged ${value(spec.conditions.tagged)}`] : []),
      ...(value(spec.conditions.sched) !== '' ? [`schedule ${value(spec.conditions.sched)}`] : []),
      ...(spec.gateway !== '' ? [`gateway ${spec.gateway}`] : []),
    ],
    description: spec.description,
  });
  const rule: PfRule = {
    origin: { file: context.file, line: spec.line, path: spec.path, text, identity: text },
    implicit: false,
    section: at.section,
    order: at.order,
    action: spec.action,
    quick: spec.quick,
    direction: spec.direction,
    interfaces: scope,
    family: at.family,
    protocols,
    icmp,
    tcpFlags: spec.protocol === 'tcp' ? tcpFlagsOf(spec.flags, flag(spec.flags.tcpflags_any), undefined) : undefined,
    source,
    destination,
    sourcePorts: ports.fromPorts,
    destinationPorts: ports.toPorts,
    undecided: at.undecided,
  };
  return { rule, problems };
}

export function opnsenseLegacyRules(rule: FilterRule, context: RuleContext): PfRule[] {
  return specRules(legacySpec(rule), context);
}

export function opnsenseMvcRules(rule: MvcFilterRule, context: RuleContext): PfRule[] {
  return specRules(mvcSpec(rule), context);
}

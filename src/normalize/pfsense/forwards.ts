/**
 * Port forwards (`<nat><rule>`: pf `rdr`) as pfSense's filter_nat_rules_generate and OPNsense's
 * ForwardRule write them: packets arriving on an interface for an address and port are sent on
 * to another address (and port) before any filter rule sees them. The first matching forward
 * decides; `nordr` ones exempt their packets from those after. `rdr pass` (pfSense
 * `associated-rule-id` pass, OPNsense `pass`) passes the translated packets without filter rules.
 */
import type { PortForward, Text } from '../../../parsers/pfsense-config/src';
import { Ranges, formatAddress, parseAddress, type Family } from '../../packetset';
import { opnsenseAddresses, pfsenseAddresses } from './addresses';
import { present, type Dialect } from './dialect';
import { exact, type Fuzzy } from './fuzzy';
import type { PfRule, RuleOrigin } from './pf-rule';
import { ALL_PROTOCOLS, carriesPorts, protocolsOf } from './protocols';
import type { RuleContext } from './pfsense-rules';
import { endpointWords, renderRule } from './render';
import { portRange } from './services';

export interface Forward {
  readonly origin: RuleOrigin;
  readonly family: Family;
  /** No redirection: its packets are exempt from later forwards. */
  readonly nordr: boolean;
  /** rdr pass: the translated packets pass without filter rules. */
  readonly pass: boolean;
  readonly iface: string;
  readonly protocols: Ranges;
  readonly source: Fuzzy;
  readonly destination: Fuzzy;
  readonly sourcePorts: Ranges | undefined;
  readonly destinationPorts: Ranges | undefined;
  /** Where the packets go; undefined for nordr, or when it cannot be told (the reason is in `undecided`). */
  readonly target: bigint | undefined;
  /** Added to the destination port (the local port minus the first forwarded port); undefined keeps it. */
  readonly portShift: bigint | undefined;
  readonly undecided: readonly string[];
}

function value(text: Text | undefined): string {
  return text?.value ?? '';
}

function warn(context: RuleContext, forward: PortForward, message: string): void {
  context.warnings.push({ location: { file: context.file, line: forward.line, path: forward.path }, message });
}

/** The forwarded ports: a port, a range or a port alias. */
function portsOf(written: string, context: RuleContext): Ranges | undefined | string {
  if (written === '') return undefined;
  const alias = context.aliases.ports(written);
  if (alias !== undefined) return alias.ok ? alias.value : alias.reason;
  return portRange(written) ?? `port ${written} is neither a port, a range nor a port alias`;
}

/** The one address a forward sends its packets to, or why it has none or several. */
function targetOf(written: string, family: Family, context: RuleContext): bigint | string {
  const alias = context.aliases.addresses(written);
  let addresses: Fuzzy;
  if (alias !== undefined) {
    if (!alias.ok) return alias.reason;
    addresses = alias.value[family];
  } else {
    const parsed = parseAddress(written);
    if (parsed === undefined) return `target ${written || '(none)'} is not an address or a host alias`;
    addresses = exact(parsed.family === family ? Ranges.point(parsed.value) : Ranges.EMPTY);
  }
  if (addresses.surely.equals(addresses.may) && addresses.surely.size() === 1n) return addresses.surely.first()!;
  if (addresses.may.isEmpty()) return `target ${written} has no IPv${family} address`;
  const what = addresses.surely.equals(addresses.may) ? `${addresses.surely.size()} addresses` : 'addresses known at run time';
  return `target ${written} stands for ${what}, among which pf picks one per connection`;
}

interface ForwardWords {
  readonly disabled: boolean;
  readonly nordr: boolean;
  readonly pass: boolean;
  readonly iface: string;
  readonly families: readonly Family[];
  readonly protocol: string;
  readonly source: (family: Family) => { ok: true; value: Fuzzy } | { ok: false; reason: string };
  readonly destination: (family: Family) => { ok: true; value: Fuzzy } | { ok: false; reason: string };
  readonly from: string;
  readonly to: string;
  readonly sourcePort: string;
  readonly destinationPort: string;
}

function pfsenseWords(forward: PortForward, context: RuleContext): ForwardWords {
  const endpoint = (side: PortForward['source']) => ({
    any: present(side?.any),
    network: value(side?.network),
    address: value(side?.address),
    not: present(side?.not),
  });
  const source = endpoint(forward.source);
  const destination = endpoint(forward.destination);
  return {
    disabled: present(forward.disabled),
    nordr: present(forward.nordr),
    pass: value(forward.associatedRuleId) === 'pass',
    iface: value(forward.interface) || 'wan',
    families: value(forward.ipprotocol) === 'inet6' ? [6] : [4],
    protocol: value(forward.protocol).toLowerCase(),
    source: (family) => pfsenseAddresses(source, family, context, 'source'),
    destination: (family) => pfsenseAddresses(destination, family, context, 'destination'),
    from: endpointWords(source.any, source.network, source.address, source.not),
    to: endpointWords(destination.any, destination.network, destination.address, destination.not),
    sourcePort: value(forward.source?.port),
    destinationPort: value(forward.destination?.port),
  };
}

function opnsenseWords(forward: PortForward, context: RuleContext, dialect: Dialect): ForwardWords {
  const word = (side: PortForward['source']): string => value(side?.network) || value(side?.address) || 'any';
  const from = word(forward.source);
  const to = word(forward.destination);
  const fromNot = dialect.flag(forward.source?.not);
  const toNot = dialect.flag(forward.destination?.not);
  const ipprotocol = value(forward.ipprotocol);
  const pass = value(forward.pass);
  return {
    disabled: dialect.flag(forward.disabled),
    nordr: dialect.flag(forward.nordr),
    pass: pass !== '' ? pass !== 'rule' : value(forward.associatedRuleId) === 'pass',
    iface: value(forward.interface),
    families: ipprotocol === 'inet6' ? [6] : ipprotocol === 'inet46' || ipprotocol === '' ? [4, 6] : [4],
    protocol: value(forward.protocol).toLowerCase(),
    source: (family) => opnsenseAddresses(from, fromNot, family, context, 'source'),
    destination: (family) => opnsenseAddresses(to, toNot, family, context, 'destination'),
    from: `${fromNot ? '! ' : ''}${from}`,
    to: `${toNot ? '! ' : ''}${to}`,
    sourcePort: value(forward.source?.port),
    destinationPort: value(forward.destination?.port),
  };
}

/** One written port forward → its rdr rules, one per family (none when the firewall does not load it). */
export function forwardsOf(forward: PortForward, context: RuleContext, dialect: Dialect): Forward[] {
  const words = dialect.vendor === 'pfsense' ? pfsenseWords(forward, context) : opnsenseWords(forward, context, dialect);
  if (words.disabled) return [];
  const iface = context.interfaces.get(words.iface);
  if (iface === undefined || !iface.enabled) {
    warn(context, forward, `port forward not loaded: its interface ${words.iface || '(none)'} is not an enabled interface`);
    return [];
  }
  const portBased = carriesPorts(words.protocol);
  const sourcePorts = portBased ? portsOf(words.sourcePort, context) : undefined;
  const destinationPorts = portBased ? portsOf(words.destinationPort, context) : undefined;
  if (typeof sourcePorts === 'string' || typeof destinationPorts === 'string') {
    warn(context, forward, `port forward not loaded: ${typeof sourcePorts === 'string' ? sourcePorts : String(destinationPorts)}`);
    return [];
  }
  const result: Forward[] = [];
  for (const family of words.families) {
    const protocols = words.protocol === '' || words.protocol === 'any' ? ALL_PROTOCOLS : protocolsOf(words.protocol, family);
    const source = words.source(family);
    const destination = words.destination(family);
    if (protocols === undefined || !source.ok || !destination.ok) {
      const reason =
        protocols === undefined
          ? `protocol ${words.protocol} is unknown`
          : !source.ok
            ? source.reason
            : !destination.ok
              ? destination.reason
              : '';
      if (words.families.length === 1) warn(context, forward, `port forward not loaded: ${reason}`);
      continue;
    }
    const undecided: string[] = [];
    let target: bigint | undefined;
    let portShift: bigint | undefined;
    if (!words.nordr) {
      const resolved = targetOf(value(forward.target), family, context);
      if (typeof resolved === 'string') {
        // A forward written for both families whose target has one only is a forward of that family.
        if (words.families.length > 1 && resolved.includes('has no IPv')) continue;
        undecided.push(`port forward at line ${forward.line}: its ${resolved}`);
      } else target = resolved;
      portShift = shiftOf(value(forward.localPort), destinationPorts, context);
    }
    const text = renderRule({
      action: `${words.nordr ? 'no rdr' : 'rdr'}${words.pass ? ' pass' : ''}`,
      direction: '',
      quick: false,
      interfaces: words.iface,
      family: family === 6 ? 'inet6' : 'inet',
      protocol: words.protocol === 'any' ? '' : words.protocol,
      from: words.from,
      fromPort: sourcePorts === undefined ? '' : words.sourcePort,
      to: words.to,
      toPort: destinationPorts === undefined ? '' : words.destinationPort,
      extras:
        target === undefined
          ? []
          : [`-> ${formatAddress(family, target)}${portShift !== undefined ? ` port ${value(forward.localPort)}` : ''}`],
      description: value(forward.descr),
    });
    result.push({
      origin: { file: context.file, line: forward.line, path: forward.path, text, identity: text },
      family,
      nordr: words.nordr,
      pass: words.pass,
      iface: words.iface,
      protocols,
      source: source.value,
      destination: destination.value,
      sourcePorts,
      destinationPorts,
      target,
      portShift,
      undecided,
    });
  }
  return result;
}

/** How far the local port moves the forwarded ports: from the first forwarded port to the local one. */
function shiftOf(localPort: string, forwarded: Ranges | undefined, context: RuleContext): bigint | undefined {
  if (localPort === '' || forwarded === undefined) return undefined;
  const alias = context.aliases.ports(localPort);
  const local = alias?.ok ? alias.value.first() : portRange(localPort)?.first();
  const first = forwarded.first();
  if (local === undefined || first === undefined || local === first) return undefined;
  return local - first;
}

/**
 * OPNsense's `pass` = rule: the filter rule it registers after all others, passing the
 * translated packets (to the target and local port) on the forward's interface.
 */
export function forwardFilterRule(forward: Forward, order: number): PfRule | undefined {
  if (forward.nordr || forward.pass || forward.target === undefined) return undefined;
  const ports = forward.destinationPorts;
  const translated =
    ports === undefined || forward.portShift === undefined
      ? ports
      : Ranges.fromIntervals(ports.intervals.map(([lo, hi]) => [lo + forward.portShift!, hi + forward.portShift!] as const));
  const text = `pass in quick on ${forward.iface} to ${formatAddress(forward.family, forward.target)} (the filter rule of port forward: ${forward.origin.text})`;
  return {
    origin: { ...forward.origin, text, identity: text },
    // The user asked for it (pass: rule), on the forward they wrote: findings about it are theirs.
    implicit: false,
    section: 'late',
    order: [order],
    action: 'pass',
    quick: true,
    direction: 'in',
    interfaces: { kind: 'only', keys: [forward.iface] },
    family: forward.family,
    protocols: forward.protocols,
    icmp: undefined,
    tcpFlags: undefined,
    source: forward.source,
    destination: exact(Ranges.point(forward.target)),
    sourcePorts: forward.sourcePorts,
    destinationPorts: translated,
    undecided: [],
  };
}

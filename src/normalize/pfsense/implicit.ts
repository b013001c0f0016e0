/**
 * The rules the firewall adds around the user's, that decide real traffic: pfSense's
 * filter_rules_generate and OPNsense's filter_core_rules_system. Each is located at the setting
 * that brings it (or takes it away): the interface's `<blockpriv>`, `<system>` for the IPv6 block,
 * `<webgui>` for the anti-lockout rule, `<filter>` for the default deny; reports name it as the
 * deciding rule.
 *
 * Left out, because they pass or block only traffic an audit does not ask about: loopback,
 * DHCP/DHCPv6 server, CARP, IPsec, UPnP, NAT reflection and captive portal rules, the route-to
 * copies of "let out anything", and pf's antispoof (not quick, so only the default deny it
 * repeats would lose to it). The blocks of tables the firewall fills from what happens at run
 * time (sshguard/sshlockout after failed logins, virusprot after connection-rate overloads) are
 * left out too: like connection state, they are not configuration, and they hold attackers.
 */
import type { ConfigDocument, Located } from '../../../parsers/pfsense-config/src';
import { Ranges, parseNetwork, type Family } from '../../packetset';
import { present } from './dialect';
import { exact, unknown, type Fuzzy } from './fuzzy';
import { allAddresses, type FirewallInterface, type InterfaceTable } from './interfaces';
import type { Direction, InterfaceScope, PfAction, PfRule, Section } from './pf-rule';
import { ALL_PROTOCOLS, TCP, UDP, icmpTypesOf } from './protocols';

export interface ImplicitContext {
  readonly file: string;
  readonly config: ConfigDocument;
  readonly interfaces: InterfaceTable;
  /** Whether IPv6 is allowed at all. */
  readonly ipv6: boolean;
}

interface Spec {
  readonly at: Located;
  /** The rule in pf's words, with the setting that brings it. */
  readonly text: string;
  readonly action: PfAction;
  readonly quick: boolean;
  readonly direction: Direction;
  readonly family: Family;
  readonly interfaces?: InterfaceScope;
  readonly protocols?: Ranges;
  readonly source?: Fuzzy;
  readonly destination?: Fuzzy;
  readonly sourcePorts?: Ranges;
  readonly destinationPorts?: Ranges;
  readonly icmp?: Ranges;
  readonly undecided?: readonly string[];
}

function networks(family: Family, ...written: string[]): Fuzzy {
  return exact(
    Ranges.unionAll(
      written
        .map((text) => parseNetwork(text)!)
        .filter((n) => n.family === family)
        .map((n) => n.ranges),
    ),
  );
}

const point = (port: number): Ranges => Ranges.point(BigInt(port));
const TCP_UDP = Ranges.fromIntervals([
  [BigInt(TCP), BigInt(TCP)],
  [BigInt(UDP), BigInt(UDP)],
]);
const ICMP6 = Ranges.point(58n);

/** IANA's special-purpose IPv4 ranges: what the bogons table holds for IPv4. */
const BOGONS_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
];
/** The IPv6 ranges the full bogons list always holds; the rest of it (unallocated space) changes. */
const BOGONS_V6 = [
  '::/8',
  '100::/64',
  '2001:2::/48',
  '2001:10::/28',
  '2001:db8::/32',
  '3ffe::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

function bogons(family: Family): Fuzzy {
  if (family === 4) return networks(4, ...BOGONS_V4);
  return unknown(
    allAddresses(6),
    'the IPv6 bogons table is downloaded: beyond the reserved ranges it lists unallocated space, which changes',
    networks(6, ...BOGONS_V6).surely,
  );
}

function anyAddress(family: Family): Fuzzy {
  return exact(allAddresses(family));
}

/** Builds the rules in the order the firewall writes them. */
class RuleList {
  readonly rules: PfRule[] = [];

  constructor(
    private readonly file: string,
    private readonly section: Section,
  ) {}

  add(spec: Spec): void {
    this.rules.push({
      origin: { file: this.file, line: spec.at.line, path: spec.at.path, text: spec.text, identity: `${this.section}: ${spec.text}` },
      implicit: true,
      section: this.section,
      order: [this.rules.length],
      action: spec.action,
      quick: spec.quick,
      direction: spec.direction,
      interfaces: spec.interfaces ?? { kind: 'all' },
      family: spec.family,
      protocols: spec.protocols ?? ALL_PROTOCOLS,
      icmp: spec.icmp,
      tcpFlags: undefined,
      source: spec.source ?? anyAddress(spec.family),
      destination: spec.destination ?? anyAddress(spec.family),
      sourcePorts: spec.sourcePorts,
      destinationPorts: spec.destinationPorts,
      undecided: spec.undecided ?? [],
    });
  }
}

function on(iface: FirewallInterface): InterfaceScope {
  return { kind: 'only', keys: [iface.key] };
}

function filterLocation(context: ImplicitContext): Located {
  const { config } = context;
  return config.filterSettings ?? config.root;
}

/** The GUI's ports (and SSH's, when it runs), which the anti-lockout rule passes. */
function lockoutPorts(config: ConfigDocument, vendor: 'pfsense' | 'opnsense'): number[] {
  const webgui = config.system.webgui;
  const https = (webgui?.protocol?.value ?? 'https') === 'https';
  const configured = Number.parseInt(webgui?.port?.value ?? '', 10);
  const gui = Number.isInteger(configured) ? configured : https ? 443 : 80;
  const ports = [gui];
  if (https && !present(webgui?.disablehttpredirect) && gui !== 80) ports.push(80);
  const ssh = config.system.ssh;
  const sshOn = vendor === 'pfsense' ? present(ssh?.enable) : present(ssh?.enabled);
  if (sshOn) ports.push(Number.parseInt(ssh?.port?.value ?? '', 10) || 22);
  return ports;
}

function portsOf(list: readonly number[]): Ranges {
  return Ranges.unionAll(list.map(point));
}

/** pfSense's rules before the user's (in the order filter_rules_generate writes them). */
export function pfsenseSystemRules(context: ImplicitContext): PfRule[] {
  const { config, interfaces, ipv6 } = context;
  const list = new RuleList(context.file, 'system');
  const system: Located = config.system;
  const filter = filterLocation(context);
  if (!ipv6) {
    list.add({
      at: system,
      text: 'block quick inet6 all "Block all IPv6" (no <ipv6allow> in <system>)',
      action: 'block',
      quick: true,
      direction: 'both',
      family: 6,
    });
  }
  if (!present(config.system.no_apipa_block)) {
    const apipa = networks(4, '169.254.0.0/16');
    const text = (side: string): string => `block in quick ${side} "Block IPv4 link-local" (no <no_apipa_block> in <system>)`;
    list.add({
      at: system,
      text: text('from 169.254.0.0/16 to any'),
      action: 'block',
      quick: true,
      direction: 'in',
      family: 4,
      source: apipa,
    });
    list.add({
      at: system,
      text: text('from any to 169.254.0.0/16'),
      action: 'block',
      quick: true,
      direction: 'in',
      family: 4,
      destination: apipa,
    });
  }
  for (const family of [4, 6] as const) {
    const inet = family === 4 ? 'inet' : 'inet6';
    for (const direction of ['in', 'out'] as const) {
      list.add({
        at: filter,
        text: `block ${direction} ${inet} all "Default deny rule IPv${family}"`,
        action: 'block',
        quick: false,
        direction,
        family,
      });
    }
  }
  if (ipv6) pfsenseIcmp6(list, system);
  for (const family of ipv6 ? ([4, 6] as const) : ([4] as const)) {
    const inet = family === 4 ? 'inet' : 'inet6';
    const zero = point(0);
    list.add({
      at: filter,
      text: `block quick ${inet} proto { tcp, udp } from any port = 0 to any "Block traffic from port 0"`,
      action: 'block',
      quick: true,
      direction: 'both',
      family,
      protocols: TCP_UDP,
      sourcePorts: zero,
    });
    list.add({
      at: filter,
      text: `block quick ${inet} proto { tcp, udp } from any to any port = 0 "Block traffic to port 0"`,
      action: 'block',
      quick: true,
      direction: 'both',
      family,
      protocols: TCP_UDP,
      destinationPorts: zero,
    });
  }
  for (const iface of interfaces.enabled()) interfaceRules(list, iface, context, 'pfsense');
  for (const family of ipv6 ? ([4, 6] as const) : ([4] as const)) {
    const inet = family === 4 ? 'IPv4' : 'IPv6';
    list.add({
      at: filter,
      text: `pass out ${family === 4 ? 'inet' : 'inet6'} all keep state "let out anything ${inet} from firewall host itself"`,
      action: 'pass',
      quick: false,
      direction: 'out',
      family,
    });
  }
  pfsenseAntiLockout(list, context);
  return list.rules;
}

function pfsenseIcmp6(list: RuleList, at: Located): void {
  const types = (written: string): Ranges => icmpTypesOf(written, 6)!;
  const add = (direction: Direction, from: string, to: string, written: string): void =>
    list.add({
      at,
      text: `pass ${direction === 'both' ? '' : `${direction} `}quick inet6 proto ipv6-icmp from ${from} to ${to} icmp6-type {${written}} "ICMPv6 operation" (<ipv6allow>)`,
      action: 'pass',
      quick: true,
      direction,
      family: 6,
      protocols: ICMP6,
      icmp: types(written),
      ...(from === 'any' ? {} : { source: networks(6, from) }),
      ...(to === 'any' ? {} : { destination: networks(6, to) }),
    });
  add('both', 'any', 'any', '1,2,135,136');
  add('out', 'fe80::/10', 'fe80::/10', '129,133,134,135,136');
  add('out', 'fe80::/10', 'ff02::/16', '129,133,134,135,136');
  add('in', 'fe80::/10', 'fe80::/10', '128,133,134,135,136');
  add('in', 'ff02::/16', 'fe80::/10', '128,133,134,135,136');
  add('in', 'fe80::/10', 'ff02::/16', '128,133,134,135,136');
  add('in', '::', 'ff02::/16', '128,133,134,135,136');
}

/** DHCP client passes, then the bogon and private-network blocks of one interface. */
function interfaceRules(list: RuleList, iface: FirewallInterface, context: ImplicitContext, vendor: 'pfsense' | 'opnsense'): void {
  const { ipv6 } = context;
  const scope = on(iface);
  const udp = point(UDP);
  if (iface.addressing[4].kind === 'dynamic' && iface.addressing[4].how === 'dhcp') {
    list.add({
      at: iface.location,
      text: `pass in quick on ${iface.key} proto udp from any port = 67 to any port = 68 "allow dhcp replies in"`,
      action: 'pass',
      quick: true,
      direction: 'in',
      family: 4,
      interfaces: scope,
      protocols: udp,
      sourcePorts: point(67),
      destinationPorts: point(68),
    });
    list.add({
      at: iface.location,
      text: `pass out quick on ${iface.key} proto udp from any port = 68 to any port = 67 "allow dhcp client out"`,
      action: 'pass',
      quick: true,
      direction: 'out',
      family: 4,
      interfaces: scope,
      protocols: udp,
      sourcePorts: point(68),
      destinationPorts: point(67),
    });
  }
  const v6 = iface.addressing[6];
  if (ipv6 && v6.kind === 'dynamic' && (v6.how === 'dhcp6' || v6.how === 'slaac')) {
    list.add({
      at: iface.location,
      text: `pass in quick on ${iface.key} proto udp from any port = 547 to any port = 546 "allow dhcpv6 client in"`,
      action: 'pass',
      quick: true,
      direction: 'in',
      family: 6,
      interfaces: scope,
      protocols: udp,
      sourcePorts: point(547),
      destinationPorts: point(546),
    });
    list.add({
      at: iface.location,
      text: `pass out quick on ${iface.key} proto udp from any port = 546 to any port = 547 "allow dhcpv6 client out"`,
      action: 'pass',
      quick: true,
      direction: 'out',
      family: 6,
      interfaces: scope,
      protocols: udp,
      sourcePorts: point(546),
      destinationPorts: point(547),
    });
  }
  const flag =
    vendor === 'pfsense' ? present : (text: typeof iface.blockbogons) => text !== undefined && text.value !== '' && text.value !== '0';
  if (flag(iface.blockbogons)) {
    for (const family of ipv6 ? ([4, 6] as const) : ([4] as const)) {
      const table = family === 4 ? 'bogons' : 'bogonsv6';
      list.add({
        at: iface.blockbogons!,
        text: `block in quick on ${iface.key} from <${table}> to any "block bogon IPv${family} networks from ${iface.label}"`,
        action: 'block',
        quick: true,
        direction: 'in',
        family,
        interfaces: scope,
        source: bogons(family),
      });
    }
  }
  if (flag(iface.blockpriv)) {
    const v4 =
      vendor === 'pfsense'
        ? ['10.0.0.0/8', '127.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']
        : ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16'];
    const v6 = vendor === 'pfsense' ? ['fc00::/7'] : ['fd00::/8', 'fe80::/10', '::1/128'];
    for (const [family, written] of [
      [4, v4],
      [6, v6],
    ] as const) {
      if (family === 6 && !ipv6 && vendor === 'opnsense') continue;
      list.add({
        at: iface.blockpriv!,
        text: `block in quick on ${iface.key} from { ${written.join(' ')} } to any "Block private networks from ${iface.label}"`,
        action: 'block',
        quick: true,
        direction: 'in',
        family,
        interfaces: scope,
        source: networks(family, ...written),
      });
    }
  }
}

/** pfSense: on LAN when there is more than one interface, on WAN when it is the only one. */
function pfsenseAntiLockout(list: RuleList, context: ImplicitContext): void {
  const { config, interfaces } = context;
  if (present(config.system.webgui?.noantilockout)) return;
  const lan = interfaces.get('lan');
  const target = config.interfaces.length > 1 ? (lan?.enabled ? lan : undefined) : interfaces.get('wan');
  if (target === undefined || !target.enabled) return;
  const ports = lockoutPorts(config, 'pfsense');
  for (const family of context.ipv6 ? ([4, 6] as const) : ([4] as const)) {
    const own = interfaces.address(target, family);
    const vips = target.virtualAddresses.filter((vip) => vip.family === family).map((vip) => Ranges.point(vip.address));
    list.add({
      at: config.system.webgui ?? config.system,
      text: `pass in quick on ${target.key} proto tcp from any to (${target.key}) port { ${ports.join(' ')} } "anti-lockout rule" (no <noantilockout> in <webgui>)`,
      action: 'pass',
      quick: true,
      direction: 'in',
      family,
      interfaces: on(target),
      protocols: point(TCP),
      destination: { ...own, surely: Ranges.unionAll([own.surely, ...vips]), may: Ranges.unionAll([own.may, ...vips]) },
      destinationPorts: portsOf(ports),
    });
  }
}

/** OPNsense's rules around the user's (filter_core_rules_system), in priority order. */
export function opnsenseSystemRules(context: ImplicitContext): PfRule[] {
  const { config, interfaces, ipv6 } = context;
  const list = new RuleList(context.file, 'system');
  const settings: Located = config.interfaceSettings ?? config.system;
  const filter = filterLocation(context);
  if (!ipv6)
    list.add({
      at: settings,
      text: 'block in quick inet6 all "Block all IPv6" (IPv6 is disabled)',
      action: 'block',
      quick: true,
      direction: 'in',
      family: 6,
    });
  for (const family of [4, 6] as const) {
    list.add({
      at: filter,
      text: `block in ${family === 4 ? 'inet' : 'inet6'} all "Default deny / state violation rule"`,
      action: 'block',
      quick: false,
      direction: 'in',
      family,
    });
  }
  if (ipv6) {
    list.add({
      at: settings,
      text: 'pass in quick inet6 proto ipv6-icmp icmp6-type {1,2,3,4,135,136} "IPv6 RFC4890 requirements (ICMP)"',
      action: 'pass',
      quick: true,
      direction: 'in',
      family: 6,
      protocols: ICMP6,
      icmp: icmpTypesOf('1,2,3,4,135,136', 6)!,
    });
  }
  if (config.system.no_port0_block === undefined || ['', '0'].includes(config.system.no_port0_block.value)) {
    for (const family of [4, 6] as const) {
      list.add({
        at: filter,
        text: 'block in quick proto { tcp udp } from any port 0 to any "block all targeting port 0"',
        action: 'block',
        quick: true,
        direction: 'in',
        family,
        protocols: TCP_UDP,
        sourcePorts: point(0),
      });
      list.add({
        at: filter,
        text: 'block in quick proto { tcp udp } from any to any port 0 "block all targeting port 0"',
        action: 'block',
        quick: true,
        direction: 'in',
        family,
        protocols: TCP_UDP,
        destinationPorts: point(0),
      });
    }
  }
  for (const iface of interfaces.enabled()) interfaceRules(list, iface, context, 'opnsense');
  for (const family of [4, 6] as const) {
    list.add({
      at: filter,
      text: `pass out ${family === 4 ? 'inet' : 'inet6'} all keep state "let out anything from firewall host itself"`,
      action: 'pass',
      quick: false,
      direction: 'out',
      family,
    });
  }
  opnsenseAntiLockout(list, context);
  return list.rules;
}

/** OPNsense: on the primary interface (lan, else the first optN, else wan), to any of the firewall's addresses. */
function opnsenseAntiLockout(list: RuleList, context: ImplicitContext): void {
  const { config, interfaces } = context;
  if (present(config.system.webgui?.noantilockout)) return;
  const candidates = interfaces
    .enabled()
    .map((iface) => iface.key)
    .filter((key) => /^(lan|opt\d+|wan)$/.test(key))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const target = candidates.length > 0 ? interfaces.get(candidates[0]) : undefined;
  if (target === undefined) return;
  const ports = lockoutPorts(config, 'opnsense');
  for (const family of [4, 6] as const) {
    for (const port of [...ports].sort((a, b) => a - b)) {
      list.add({
        at: config.system.webgui ?? config.system,
        text: `pass in quick on ${target.key} proto tcp from any to (self) port ${port} "anti-lockout rule"`,
        action: 'pass',
        quick: true,
        direction: 'in',
        family,
        interfaces: on(target),
        protocols: point(TCP),
        destination: interfaces.self(family),
        destinationPorts: point(port),
      });
    }
  }
}

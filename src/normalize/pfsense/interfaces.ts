/**
 * The firewall's interfaces as its rule generator sees them: the enabled ones, with their
 * addresses and networks (static, or handed out at run time), virtual IPs and interface groups.
 * Rules name interfaces by key (`lan`, `opt2`); `lan` as an address means the interface's
 * networks and `lanip` its address.
 */
import type { ConfigDocument, Interface, Located, Text } from '../../../parsers/pfsense-config/src';
import type { Diagnostic } from '../../model/errors';
import { FAMILIES, Ranges, addressBits, parseAddress, type Family } from '../../packetset';
import { present } from './dialect';
import { NOTHING, exact, unionAllFuzzy, unknown, type Fuzzy } from './fuzzy';

/** A static address with its prefix length, as `<ipaddr>`/`<subnet>` or a virtual IP give it. */
export interface Prefixed {
  readonly address: bigint;
  readonly prefix: number;
}

/** How an interface gets its address in one family. */
export type Addressing =
  | { readonly kind: 'static'; readonly address: Prefixed }
  /**
   * DHCP, PPPoE, SLAAC, track6, …: known only at run time; or written unreadably (`why` says
   * how), which the firewall's own reading does not decide either.
   */
  | { readonly kind: 'dynamic'; readonly how: string; readonly why?: string }
  | { readonly kind: 'none' };

export interface VirtualAddress extends Prefixed {
  readonly family: Family;
  /** ipalias, carp, proxyarp, other. */
  readonly mode: string;
}

export interface FirewallInterface {
  /** The key rules use: `wan`, `lan`, `opt1`. */
  readonly key: string;
  /** How the GUI shows it: its description, or the key in capitals. */
  readonly label: string;
  readonly device: string | undefined;
  readonly enabled: boolean;
  readonly addressing: Readonly<Record<Family, Addressing>>;
  readonly virtualAddresses: readonly VirtualAddress[];
  readonly blockpriv: Text | undefined;
  readonly blockbogons: Text | undefined;
  /** The gateways it names (`<gateway>`, `<gatewayv6>`), which make it a route to other networks. */
  readonly gateway: Text | undefined;
  readonly gatewayV6: Text | undefined;
  readonly location: Located;
}

export interface FirewallInterfaceGroup {
  readonly name: string;
  /** Member keys, in the order written. */
  readonly members: readonly string[];
  /** OPNsense: orders group rules. */
  readonly sequence: number;
  readonly location: Located;
}

const V4_DYNAMIC = new Set(['dhcp', 'pppoe', 'pptp', 'l2tp', 'ppp']);

/** The address space of a family. */
export function allAddresses(family: Family): Ranges {
  return Ranges.of(0n, (1n << BigInt(addressBits(family))) - 1n);
}

/** The network a prefixed address lies in. */
export function networkOf(family: Family, { address, prefix }: Prefixed): Ranges {
  const hostBits = BigInt(addressBits(family) - prefix);
  const start = (address >> hostBits) << hostBits;
  return Ranges.of(start, start + (1n << hostBits) - 1n);
}

function prefixLength(text: Text | undefined, family: Family): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.value)) return undefined;
  const length = Number(text.value);
  return length <= addressBits(family) ? length : undefined;
}

function unreadable(name: string, family: Family, problem: string): Addressing {
  return { kind: 'dynamic', how: '', why: `interface ${name}: ${problem}: its IPv${family} address and network are taken as unknown` };
}

function addressing(name: string, family: Family, address: Text | undefined, subnet: Text | undefined): Addressing {
  const value = address?.value ?? '';
  if (value === '') return { kind: 'none' };
  const [addressTag, subnetTag] = family === 4 ? ['ipaddr', 'subnet'] : ['ipaddrv6', 'subnetv6'];
  const parsed = parseAddress(value);
  if (parsed !== undefined && parsed.family === family) {
    const prefix = prefixLength(subnet, family);
    if (prefix !== undefined) return { kind: 'static', address: { address: parsed.value, prefix } };
    const written = `<${subnetTag}>${subnet?.value ?? ''}</${subnetTag}>`;
    return unreadable(name, family, `${written} is not an IPv${family} prefix length (0-${addressBits(family)})`);
  }
  if (family === 4 && !V4_DYNAMIC.has(value)) {
    return unreadable(
      name,
      family,
      `<${addressTag}>${value}</${addressTag}> is neither an IPv4 address nor dhcp, pppoe, pptp, l2tp or ppp`,
    );
  }
  return { kind: 'dynamic', how: value };
}

function readInterface(element: Interface, virtualAddresses: VirtualAddress[], file: string, warnings: Diagnostic[]): FirewallInterface {
  const addressings = {
    4: addressing(element.name, 4, element.ipaddr, element.subnet),
    6: addressing(element.name, 6, element.ipaddrv6, element.subnetv6),
  };
  for (const family of FAMILIES) {
    const written = addressings[family];
    if (written.kind === 'dynamic' && written.why !== undefined) {
      warnings.push({ location: { file, line: element.line, path: element.path }, message: written.why });
    }
  }
  return {
    key: element.name,
    label: element.descr?.value || element.name.toUpperCase(),
    device: element.if?.value,
    enabled: present(element.enable),
    addressing: addressings,
    virtualAddresses,
    blockpriv: element.blockpriv,
    blockbogons: element.blockbogons,
    gateway: element.gateway,
    gatewayV6: element.gatewayv6,
    location: { line: element.line, path: element.path },
  };
}

export class InterfaceTable {
  private readonly interfaces = new Map<string, FirewallInterface>();
  private readonly groups = new Map<string, FirewallInterfaceGroup>();

  constructor(config: ConfigDocument, file: string, warnings: Diagnostic[]) {
    const keys = new Set(config.interfaces.map((element) => element.name));
    const virtual = new Map<string, VirtualAddress[]>();
    for (const vip of config.virtualIps) {
      const owner = vip.interface?.value ?? '';
      const parsed = parseAddress(vip.subnet?.value ?? '');
      if (parsed === undefined || !keys.has(owner)) {
        warnings.push({
          location: { file, line: vip.line, path: vip.path },
          message: `virtual IP ${vip.subnet?.value || '(no address)'} on ${owner || '(no interface)'} ignored: expected an address on a configured interface`,
        });
        continue;
      }
      const prefix = prefixLength(vip.subnet_bits, parsed.family) ?? addressBits(parsed.family);
      const list = virtual.get(owner) ?? [];
      list.push({ family: parsed.family, address: parsed.value, prefix, mode: vip.mode?.value ?? '' });
      virtual.set(owner, list);
    }
    for (const element of config.interfaces)
      this.interfaces.set(element.name, readInterface(element, virtual.get(element.name) ?? [], file, warnings));
    for (const group of config.interfaceGroups) {
      const name = group.ifname?.value ?? '';
      if (name === '') continue;
      this.groups.set(name, {
        name,
        members: group.memberNames,
        sequence: Number.parseInt(group.sequence?.value ?? '0', 10) || 0,
        location: { line: group.line, path: group.path },
      });
    }
  }

  /** Every interface, enabled or not, in the order written. */
  all(): FirewallInterface[] {
    return [...this.interfaces.values()];
  }

  /** The enabled interfaces: the ones whose rules the firewall loads. */
  enabled(): FirewallInterface[] {
    return this.all().filter((iface) => iface.enabled);
  }

  get(key: string): FirewallInterface | undefined {
    return this.interfaces.get(key);
  }

  group(name: string): FirewallInterfaceGroup | undefined {
    return this.groups.get(name);
  }

  allGroups(): FirewallInterfaceGroup[] {
    return [...this.groups.values()];
  }

  /** The enabled interfaces a group stands for (disabled members are not in it). */
  members(group: FirewallInterfaceGroup): FirewallInterface[] {
    return group.members.flatMap((key) => {
      const member = this.interfaces.get(key);
      return member?.enabled ? [member] : [];
    });
  }

  /**
   * Addresses no enabled interface has statically: where a dynamic address may lie, since an
   * interface's address cannot lie in another interface's network.
   */
  private unclaimed(family: Family, except: FirewallInterface): Ranges {
    let claimed = Ranges.EMPTY;
    for (const iface of this.enabled()) {
      const a = iface.addressing[family];
      if (iface !== except && a.kind === 'static') claimed = claimed.union(networkOf(family, a.address));
    }
    return allAddresses(family).subtract(claimed);
  }

  private dynamic(iface: FirewallInterface, family: Family, what: string): Fuzzy {
    const a = iface.addressing[family];
    if (a.kind !== 'dynamic') return NOTHING;
    return unknown(this.unclaimed(family, iface), a.why ?? `${iface.label}'s ${what} comes from ${a.how} at run time`);
  }

  /** `lanip`: the interface's own address (with its virtual IPs, for interface groups only through their members). */
  address(iface: FirewallInterface, family: Family): Fuzzy {
    const a = iface.addressing[family];
    if (a.kind === 'static') return exact(Ranges.point(a.address.address));
    if (a.kind === 'dynamic') return this.dynamic(iface, family, `IPv${family} address`);
    return NOTHING;
  }

  /**
   * `lan` as an address: the interface's network, with the networks of its virtual IPs that lie
   * outside it (as pfSense's `LAN__NETWORK` table holds them).
   */
  network(iface: FirewallInterface, family: Family): Fuzzy {
    const a = iface.addressing[family];
    if (a.kind === 'dynamic') return this.dynamic(iface, family, `IPv${family} network`);
    if (a.kind === 'none') return NOTHING;
    const own = networkOf(family, a.address);
    const vips = iface.virtualAddresses.filter((vip) => vip.family === family && !own.contains(vip.address));
    return exact(Ranges.unionAll([own, ...vips.map((vip) => networkOf(family, vip))]));
  }

  /** A group's networks: its members'. */
  groupNetwork(group: FirewallInterfaceGroup, family: Family): Fuzzy {
    return unionAllFuzzy(this.members(group).map((member) => this.network(member, family)));
  }

  /** `(self)`: every address of the firewall, virtual IPs on it (IP alias, CARP) included. */
  self(family: Family): Fuzzy {
    const parts: Fuzzy[] = [];
    for (const iface of this.enabled()) {
      parts.push(this.address(iface, family));
      for (const vip of iface.virtualAddresses) {
        if (vip.family === family && (vip.mode === 'ipalias' || vip.mode === 'carp')) parts.push(exact(Ranges.point(vip.address)));
      }
    }
    return unionAllFuzzy(parts);
  }
}

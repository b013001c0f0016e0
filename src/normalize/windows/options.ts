/**
 * What a deployment tells the Windows normalizer about the host, beyond its addresses: which
 * profile its interface is in, what the address and port keywords of rules mean there, which
 * program sends or receives which traffic, and which peers IPsec authenticates. The deployment
 * schema checks their syntax; values arrive as written.
 */
import type { AddressKeyword, PortKeyword } from '../../../parsers/windows-firewall/src';
import { InputError } from '../../model/errors';
import type { DeclaredInterface } from '../../model/policy';
import { NO_ADDRESSES, Ranges, parseNetwork, unionOfAddresses, type AddressSet } from '../../packetset';
import type { VendorOption } from '../format';

export type ProfileName = 'Domain' | 'Private' | 'Public';
export const PROFILE_NAMES: readonly ProfileName[] = ['Domain', 'Private', 'Public'];

/** Which program or service the deployment says receives (inbound) or sends (outbound) traffic to these ports. */
export interface ProgramTraffic {
  program?: string;
  service?: string;
  package?: string;
  protocol: 6 | 17;
  /** The flow's destination ports: the port listened on (inbound) or connected to (outbound). */
  ports: Ranges;
  direction?: 'inbound' | 'outbound';
}

export interface WindowsOptions {
  /** The profiles to audit; all three when the deployment does not say. */
  profiles: readonly ProfileName[];
  /** What LocalSubnet means: the networks of the host's interfaces, when the deployment gives them. */
  localSubnet?: AddressSet;
  addressKeywords: ReadonlyMap<AddressKeyword, AddressSet>;
  portKeywords: ReadonlyMap<PortKeyword, Ranges>;
  programs: readonly ProgramTraffic[];
  /** Peers whose IPsec authentication succeeds (and whom rules' RMAuth/RUAuth lists authorize). */
  authenticatedPeers?: AddressSet;
}

export const WINDOWS_OPTIONS: Readonly<Record<string, VendorOption>> = {
  profiles: {
    title: 'profiles',
    description: 'the network profiles (domain, private, public) the host is in; default: every profile, each audited on its own',
  },
  localSubnet: {
    title: 'local subnets',
    description:
      "the networks of the host's interfaces, which the LocalSubnet keyword of rules means (default: the networks under interfaces)",
  },
  addressKeywords: {
    title: 'address keywords',
    description:
      'what the address keywords of rules (DNS, DHCP, WINS, DefaultGateway, IntrAnet, IntErnet, RmtIntrAnet, …) mean at this site',
  },
  portKeywords: {
    title: 'port keywords',
    description: 'the ports the port keywords of rules (RPC, RPC-EPMap, Teredo, IPHTTPSIn, mDNS, …) stand for on this host',
  },
  programs: {
    title: 'programs',
    description: 'which program, service or app package receives or sends traffic on which ports, for rules limited to a program',
  },
  authenticatedPeers: {
    title: 'authenticated peers',
    description: 'the peers whose traffic IPsec authenticates (and authorizes), for ByPass rules and rules that require authentication',
  },
};

const WHERE = { file: 'the deployment' };

function addresses(written: unknown, option: string): AddressSet {
  const list = Array.isArray(written) ? (written as unknown[]) : [];
  let set = NO_ADDRESSES;
  for (const text of list) {
    const network = typeof text === 'string' ? parseNetwork(text) : undefined;
    if (!network)
      throw new InputError([{ location: WHERE, message: `${option}: "${String(text)}" is not an address, CIDR network or range a-b` }]);
    set = unionOfAddresses(set, { ...NO_ADDRESSES, [network.family]: network.ranges });
  }
  return set;
}

function ports(written: unknown, option: string): Ranges {
  const list = Array.isArray(written) ? (written as unknown[]) : [written];
  return Ranges.unionAll(
    list.map((port) => {
      const text = String(port);
      const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
      const first = range ? Number(range[1]) : NaN;
      const last = range?.[2] !== undefined ? Number(range[2]) : first;
      if (!range || first > last || last > 65535)
        throw new InputError([{ location: WHERE, message: `${option}: "${text}" is not a port or a range a-b` }]);
      return Ranges.of(BigInt(first), BigInt(last));
    }),
  );
}

function entries(written: unknown): [string, unknown][] {
  return written !== null && typeof written === 'object' && !Array.isArray(written) ? Object.entries(written) : [];
}

/** The deployment's options as the normalizer uses them; `interfaces` supply LocalSubnet when `localSubnet` is not given. */
export function windowsOptions(options: Readonly<Record<string, unknown>>, interfaces: readonly DeclaredInterface[] = []): WindowsOptions {
  const profiles = Array.isArray(options.profiles)
    ? PROFILE_NAMES.filter((name) => (options.profiles as unknown[]).includes(name.toLowerCase()))
    : PROFILE_NAMES;
  const fromInterfaces = interfaces.reduce((set, i) => unionOfAddresses(set, i.networks), NO_ADDRESSES);
  const localSubnet =
    options.localSubnet !== undefined ? addresses(options.localSubnet, 'localSubnet') : interfaces.length > 0 ? fromInterfaces : undefined;
  return {
    profiles,
    ...(localSubnet ? { localSubnet } : {}),
    addressKeywords: new Map(entries(options.addressKeywords).map(([k, v]) => [k as AddressKeyword, addresses(v, `addressKeywords.${k}`)])),
    portKeywords: new Map(entries(options.portKeywords).map(([k, v]) => [k as PortKeyword, ports(v, `portKeywords.${k}`)])),
    programs: (Array.isArray(options.programs) ? (options.programs as Record<string, unknown>[]) : []).map(programTraffic),
    ...(options.authenticatedPeers !== undefined
      ? { authenticatedPeers: addresses(options.authenticatedPeers, 'authenticatedPeers') }
      : {}),
  };
}

function programTraffic(written: Record<string, unknown>): ProgramTraffic {
  const text = (name: string): string | undefined => (typeof written[name] === 'string' ? written[name] : undefined);
  const program = text('program');
  const service = text('service');
  const pkg = text('package');
  const direction = text('direction');
  return {
    ...(program !== undefined ? { program } : {}),
    ...(service !== undefined ? { service } : {}),
    ...(pkg !== undefined ? { package: pkg } : {}),
    protocol: written.protocol === 'udp' ? 17 : 6,
    ports: ports(written.ports, 'programs.ports'),
    ...(direction === 'inbound' || direction === 'outbound' ? { direction } : {}),
  };
}

import { CtState, Ranges, type Family } from '../packetset';

/** Display names of IP protocol numbers. */
export const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: 'ip',
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  132: 'sctp',
  136: 'udplite',
};

/** Protocols whose packets carry port numbers. */
export const PORTED_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 33, 132, 136]);

/** IP protocol keywords (IANA's, as /etc/protocols and the firewalls write them) and their numbers. */
const PROTOCOL_NUMBERS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    ip: 0,
    hopopt: 0,
    icmp: 1,
    igmp: 2,
    ipip: 4,
    ipencap: 4,
    tcp: 6,
    egp: 8,
    pup: 12,
    udp: 17,
    ipv6: 41,
    'ipv6-route': 43,
    'ipv6-frag': 44,
    rsvp: 46,
    gre: 47,
    esp: 50,
    ah: 51,
    icmpv6: 58,
    'ipv6-icmp': 58,
    'ipv6-nonxt': 59,
    'ipv6-opts': 60,
    eigrp: 88,
    ospf: 89,
    ospfigp: 89,
    etherip: 97,
    pim: 103,
    ipcomp: 108,
    vrrp: 112,
    l2tp: 115,
    isis: 124,
    sctp: 132,
    mh: 135,
    'ipv6-mh': 135,
    udplite: 136,
    mpls: 137,
    dccp: 33,
  }),
);

/** The number of a protocol keyword (any case) or a decimal number 0-255; undefined for anything else. */
export function protocolNumber(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (/^\d+$/.test(lower)) return Number(lower) <= 255 ? Number(lower) : undefined;
  return PROTOCOL_NUMBERS.get(lower);
}

/** IANA's names of the common ICMP (family 4) and ICMPv6 (family 6) message types. */
export const ICMP_TYPE_NAMES: Readonly<Record<4 | 6, ReadonlyMap<number, string>>> = {
  4: new Map([
    [0, 'echo reply'],
    [3, 'destination unreachable'],
    [5, 'redirect'],
    [8, 'echo request'],
    [9, 'router advertisement'],
    [10, 'router solicitation'],
    [11, 'time exceeded'],
    [12, 'parameter problem'],
    [13, 'timestamp'],
    [14, 'timestamp reply'],
  ]),
  6: new Map([
    [1, 'destination unreachable'],
    [2, 'packet too big'],
    [3, 'time exceeded'],
    [4, 'parameter problem'],
    [128, 'echo request'],
    [129, 'echo reply'],
    [130, 'multicast listener query'],
    [131, 'multicast listener report'],
    [132, 'multicast listener done'],
    [133, 'router solicitation'],
    [134, 'router advertisement'],
    [135, 'neighbor solicitation'],
    [136, 'neighbor advertisement'],
    [137, 'redirect'],
    [143, 'multicast listener report v2'],
  ]),
};

/**
 * Which first packets of a flow a connection tracker (Linux conntrack) tracks as a new connection:
 * every protocol's, but for its family's ICMP only the messages that open one (echo, timestamp,
 * information and address mask requests; IPv6 echo requests and node information queries).
 * Other ICMP messages with no connection before them (replies, errors) are INVALID; IPv6
 * neighbour discovery and multicast listener messages are left UNTRACKED. Measured on Linux 6.18.
 */
const ICMP_FIRST_PACKETS: Readonly<Record<Family, { proto: number; opening: readonly number[]; untracked: readonly number[] }>> = {
  4: { proto: 1, opening: [8, 13, 15, 17], untracked: [] },
  6: { proto: 58, opening: [128, 139], untracked: [130, 131, 132, 133, 134, 135, 136, 143] },
};

/** The conntrack state of a flow's first packet (CtState's value): NEW, or INVALID/UNTRACKED for ICMP that opens no connection. */
export function firstPacketState(family: Family, proto: number, icmpType: number): number {
  const icmp = ICMP_FIRST_PACKETS[family];
  if (proto !== icmp.proto || icmp.opening.includes(icmpType)) return CtState.NEW;
  return icmp.untracked.includes(icmpType) ? CtState.UNTRACKED : CtState.INVALID;
}

/** The family's ICMP first packets by state, as ranges of the icmp dimension (type * 256 + code). */
export function icmpFirstPackets(family: Family): { proto: number; opening: Ranges; untracked: Ranges } {
  const icmp = ICMP_FIRST_PACKETS[family];
  const types = (list: readonly number[]): Ranges =>
    Ranges.fromIntervals(list.map((t) => [BigInt(t * 256), BigInt(t * 256 + 255)] as const));
  return { proto: icmp.proto, opening: types(icmp.opening), untracked: types(icmp.untracked) };
}

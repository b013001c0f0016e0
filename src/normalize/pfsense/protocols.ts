/** Protocol and ICMP type words as pfSense and OPNsense rules write them, and pf reads them. */
import { protocolNumber } from '../../model/protocols';
import { Ranges, type Family } from '../../packetset';

export const ALL_PROTOCOLS = Ranges.of(0n, 255n);
export const TCP = 6;
export const UDP = 17;
const ICMP = 1;
const ICMP6 = 58;

/** pf's names that /etc/protocols spells otherwise. */
const PF_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['carp', 112],
  ['pfsync', 240],
  ['ipv6-icmp', ICMP6],
]);

/**
 * The protocols a rule's `protocol` word stands for in a family: `tcp/udp` both, `icmp` ICMPv6 in
 * an IPv6 rule (pfSense writes `ipv6-icmp` there), `any` every one; undefined for an unknown word.
 */
export function protocolsOf(word: string, family: Family): Ranges | undefined {
  const lower = word.toLowerCase();
  if (lower === 'any') return ALL_PROTOCOLS;
  if (lower === 'tcp/udp')
    return Ranges.fromIntervals([
      [BigInt(TCP), BigInt(TCP)],
      [BigInt(UDP), BigInt(UDP)],
    ]);
  if (lower === 'icmp') return Ranges.point(BigInt(family === 6 ? ICMP6 : ICMP));
  const number = PF_PROTOCOLS.get(lower) ?? protocolNumber(lower);
  return number === undefined ? undefined : Ranges.point(BigInt(number));
}

/** Protocols whose rules read ports: pfSense's get_ipprotocols('portsonly'). */
export function carriesPorts(word: string): boolean {
  return ['tcp', 'udp', 'tcp/udp'].includes(word.toLowerCase());
}

/** ICMP type names pf knows, with their numbers for IPv4 and IPv6 (where the type exists there). */
const ICMP_TYPES: ReadonlyMap<string, { 4?: number; 6?: number }> = new Map(
  Object.entries({
    echorep: { 4: 0, 6: 129 },
    unreach: { 4: 3, 6: 1 },
    squench: { 4: 4 },
    redir: { 4: 5, 6: 137 },
    althost: { 4: 6 },
    echoreq: { 4: 8, 6: 128 },
    routeradv: { 4: 9, 6: 134 },
    routersol: { 4: 10, 6: 133 },
    timex: { 4: 11, 6: 3 },
    paramprob: { 4: 12, 6: 4 },
    timereq: { 4: 13 },
    timerep: { 4: 14 },
    inforeq: { 4: 15 },
    inforep: { 4: 16 },
    maskreq: { 4: 17 },
    maskrep: { 4: 18 },
    trace: { 4: 30 },
    dataconv: { 4: 31 },
    mobredir: { 4: 32 },
    'ipv6-where': { 4: 33 },
    'ipv6-here': { 4: 34 },
    mobregreq: { 4: 35 },
    mobregrep: { 4: 36 },
    skip: { 4: 39 },
    photuris: { 4: 40 },
    toobig: { 6: 2 },
    listqry: { 6: 130 },
    groupqry: { 6: 130 },
    listenrep: { 6: 131 },
    grouprep: { 6: 131 },
    listendone: { 6: 132 },
    groupterm: { 6: 132 },
    neighbrsol: { 6: 135 },
    neighbradv: { 6: 136 },
    routrrenum: { 6: 138 },
    fqdnreq: { 6: 139 },
    niqry: { 6: 139 },
    fqdnrep: { 6: 140 },
    nirep: { 6: 140 },
    wrureq: { 6: 139 },
    wrurep: { 6: 140 },
    mtraceresp: { 6: 200 },
    mtrace: { 6: 201 },
  }),
);

/**
 * The ICMP types (every code of each) a comma-separated list of type names or numbers stands for
 * in a family; a name the family lacks matches nothing. Undefined for an unknown word.
 */
export function icmpTypesOf(list: string, family: Family): Ranges | undefined {
  let types = Ranges.EMPTY;
  for (const word of list
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '')) {
    const type = /^\d+$/.test(word) ? Number(word) : ICMP_TYPES.get(word.toLowerCase())?.[family];
    if (type === undefined) {
      if (!ICMP_TYPES.has(word.toLowerCase())) return undefined;
      continue;
    }
    if (type > 255) return undefined;
    types = types.union(Ranges.of(BigInt(type * 256), BigInt(type * 256 + 255)));
  }
  return types;
}

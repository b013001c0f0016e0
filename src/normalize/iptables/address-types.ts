/**
 * `-m addrtype` and `-m pkttype` as Linux evaluates them, told from what the address, the
 * deployment and the packet's path (its interfaces) decide.
 *
 * IPv4's addrtype is the type of the address's route in the local routing table: 0.0.0.0 and
 * 255.255.255.255 are BROADCAST, 224.0.0.0/4 MULTICAST, 127.0.0.0/8 LOCAL but for its broadcast
 * 127.255.255.255, the host's addresses LOCAL; the rest of 0.0.0.0/8 and every other address is
 * UNICAST unless a route in the local table gives it another type. IPv6's type list is an AND:
 * MULTICAST, UNICAST and UNSPEC test the address itself (:: is UNSPEC and not UNICAST,
 * ::ffff:0:0/96 neither), and a list naming LOCAL, ANYCAST or UNREACHABLE then needs one of them
 * from the address's route (::1 and the host's addresses: LOCAL; no route or a reject route:
 * UNREACHABLE).
 *
 * The packet's path decides what the routes would leave open. A packet addressed to the host
 * itself (the engine's packets that come in and go out of no interface) has a destination that is
 * the host's own, LOCAL, unless it is a broadcast or multicast address (subnet broadcasts and
 * IPv6 subnet-router anycast addresses are not addresses of the host itself); a forwarded packet
 * has a destination that is not the host's (IPv4: UNICAST); a packet from another host does not
 * carry one of the host's addresses as its source (Linux drops it as a martian).
 */
import { PacketSet, Ranges, parseNetwork, type Family } from '../../packetset';
import type { InterfaceUniverse, Match } from '../../model/policy';

/** The address types iptables names, in its order. */
export const ADDRESS_TYPES = [
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
] as const;

/** What decides an address's type besides the address: the host's addresses (when known) and the interfaces. */
export interface AddressTypeContext {
  family: Family;
  interfaces: InterfaceUniverse;
  /** All the firewall's own addresses in this family, when the deployment gives them. */
  localAddresses?: Ranges;
}

/** The route part of an IPv6 address's type: LOCAL, ANYCAST, UNREACHABLE, or none of them. */
const ROUTE_KINDS = ['LOCAL', 'ANYCAST', 'UNREACHABLE', 'NONE'] as const;
const NOT_LOCAL_ROUTES = ['ANYCAST', 'UNREACHABLE', 'NONE'] as const;

/** Part of the packets, and the types its address may have there (IPv6: the route kinds, and the address's own kind). */
interface Region {
  packets: PacketSet;
  possible: readonly string[];
  ipv6Kind?: 'MULTICAST' | 'UNICAST' | 'UNSPEC' | 'MAPPED';
}

/** Three-valued: which packets surely and which possibly satisfy the condition. */
export interface Decision {
  surely: PacketSet;
  may: PacketSet;
}

function network(text: string): Ranges {
  return parseNetwork(text)!.ranges;
}

/** The packets' paths, as the interface dimensions tell them (no interface: the host itself). */
function paths(ctx: AddressTypeContext): { delivered: PacketSet; forwarded: PacketSet; fromOtherHost: PacketSet } {
  const full = PacketSet.full(ctx.family);
  const none = Ranges.point(0n);
  const real = ctx.interfaces.any();
  const others = real.subtract(ctx.interfaces.loopback());
  return {
    delivered: full.restrict('iif', real).restrict('oif', none),
    forwarded: full.restrict('iif', real).restrict('oif', real),
    fromOtherHost: full.restrict('iif', others),
  };
}

/**
 * Where the address's type depends on the path: a destination of a packet delivered to the host
 * or forwarded, a source of a packet from another host; elsewhere `otherwise`.
 */
function byPath(
  dim: 'src' | 'dst',
  addresses: Ranges,
  ctx: AddressTypeContext,
  choices: { delivered: readonly string[]; forwarded: readonly string[]; fromOtherHost: readonly string[]; otherwise: readonly string[] },
): Region[] {
  const here = PacketSet.full(ctx.family).restrict(dim, addresses);
  const path = paths(ctx);
  const decided = dim === 'dst' ? [path.delivered, path.forwarded] : [path.fromOtherHost];
  const regions: Region[] =
    dim === 'dst'
      ? [
          { packets: here.intersect(path.delivered), possible: choices.delivered },
          { packets: here.intersect(path.forwarded), possible: choices.forwarded },
        ]
      : [{ packets: here.intersect(path.fromOtherHost), possible: choices.fromOtherHost }];
  regions.push({ packets: decided.reduce((rest, part) => rest.subtract(part), here), possible: choices.otherwise });
  return regions;
}

function ipv4Regions(dim: 'src' | 'dst', ctx: AddressTypeContext): Region[] {
  const full = PacketSet.full(4);
  const broadcast = network('0.0.0.0/32').union(network('255.255.255.255/32')).union(network('127.255.255.255/32'));
  const multicast = network('224.0.0.0/4');
  const local = network('127.0.0.0/8')
    .union(ctx.localAddresses ?? Ranges.EMPTY)
    .subtract(broadcast)
    .subtract(multicast);
  const ordinary = network('0.0.0.0/0').subtract(broadcast).subtract(multicast).subtract(local);
  // A route in the local table can give an ordinary address any type but MULTICAST (and LOCAL once all the host's addresses are known).
  const anyRoute = ADDRESS_TYPES.filter((t) => t !== 'MULTICAST' && (t !== 'LOCAL' || !ctx.localAddresses));
  return [
    { packets: full.restrict(dim, broadcast), possible: ['BROADCAST'] },
    { packets: full.restrict(dim, multicast), possible: ['MULTICAST'] },
    { packets: full.restrict(dim, local), possible: ['LOCAL'] },
    ...byPath(dim, ordinary, ctx, { delivered: ['LOCAL'], forwarded: ['UNICAST'], fromOtherHost: ['UNICAST'], otherwise: anyRoute }),
  ];
}

function ipv6Regions(dim: 'src' | 'dst', ctx: AddressTypeContext): Region[] {
  const full = PacketSet.full(6);
  const multicast = network('ff00::/8');
  const unspecified = network('::/128');
  const mapped = network('::ffff:0:0/96');
  const local = network('::1/128')
    .union(ctx.localAddresses ?? Ranges.EMPTY)
    .subtract(multicast)
    .subtract(unspecified)
    .subtract(mapped);
  // Link-local addresses are the host's own too, and no deployment lists them.
  const linkLocal = network('fe80::/10').subtract(local);
  const ordinary = network('::/0').subtract(multicast).subtract(unspecified).subtract(mapped).subtract(local);
  const choices = (anyRoute: readonly string[]) => ({
    delivered: ['LOCAL'],
    forwarded: NOT_LOCAL_ROUTES,
    fromOtherHost: NOT_LOCAL_ROUTES,
    otherwise: anyRoute,
  });
  const withKind = (regions: Region[], ipv6Kind: Region['ipv6Kind']): Region[] => regions.map((r) => ({ ...r, ipv6Kind }));
  return [
    { packets: full.restrict(dim, multicast), possible: NOT_LOCAL_ROUTES, ipv6Kind: 'MULTICAST' },
    { packets: full.restrict(dim, unspecified), possible: NOT_LOCAL_ROUTES, ipv6Kind: 'UNSPEC' },
    { packets: full.restrict(dim, local), possible: ['LOCAL'], ipv6Kind: 'UNICAST' },
    ...withKind(byPath(dim, mapped, ctx, choices(ROUTE_KINDS)), 'MAPPED'),
    ...withKind(byPath(dim, linkLocal, ctx, choices(ROUTE_KINDS)), 'UNICAST'),
    ...withKind(byPath(dim, ordinary.subtract(linkLocal), ctx, choices(ctx.localAddresses ? NOT_LOCAL_ROUTES : ROUTE_KINDS)), 'UNICAST'),
  ];
}

/** Whether an IPv6 address of `kind` whose route is `route` is of every kind the list names and, if it names routes, of one of them. */
function ipv6Matches(wanted: ReadonlySet<string>, kind: Region['ipv6Kind'], route: string): boolean {
  if (wanted.has('MULTICAST') && kind !== 'MULTICAST') return false;
  if (wanted.has('UNICAST') && kind !== 'UNICAST') return false;
  if (wanted.has('UNSPEC') && kind !== 'UNSPEC') return false;
  const routes = ROUTE_KINDS.filter((r) => r !== 'NONE' && wanted.has(r));
  return routes.length === 0 || wanted.has(route);
}

/** The packets whose source or destination is surely and possibly of one of `types` (upper case). */
export function addressTypeDecision(dim: 'src' | 'dst', types: readonly string[], ctx: AddressTypeContext): Decision {
  const wanted = new Set(types);
  const regions = ctx.family === 4 ? ipv4Regions(dim, ctx) : ipv6Regions(dim, ctx);
  const holds = (region: Region, possible: string): boolean =>
    ctx.family === 4 ? wanted.has(possible) : ipv6Matches(wanted, region.ipv6Kind, possible);
  const surely: PacketSet[] = [];
  const may: PacketSet[] = [];
  for (const region of regions) {
    if (region.packets.isEmpty()) continue;
    if (region.possible.every((p) => holds(region, p))) surely.push(region.packets);
    if (region.possible.some((p) => holds(region, p))) may.push(region.packets);
  }
  return { surely: PacketSet.unionOfDisjoint(surely), may: PacketSet.unionOfDisjoint(may) };
}

/** The link-layer packet types `-m pkttype` names (iptables' aliases: host, bcast, mcast). */
const PACKET_TYPES: ReadonlyMap<string, 'unicast' | 'broadcast' | 'multicast' | 'otherhost'> = new Map([
  ['unicast', 'unicast'],
  ['host', 'unicast'],
  ['broadcast', 'broadcast'],
  ['bcast', 'broadcast'],
  ['multicast', 'multicast'],
  ['mcast', 'multicast'],
  ['otherhost', 'otherhost'],
]);

export function packetTypeName(text: string): 'unicast' | 'broadcast' | 'multicast' | 'otherhost' | undefined {
  return PACKET_TYPES.get(text.toLowerCase());
}

/**
 * `-m pkttype` reads how the frame was addressed on the link, which the IP addresses do not
 * tell: a unicast frame can carry a broadcast address and the other way round. Linux forwards
 * only frames addressed to it (unicast), and drops frames for other hosts before any hook, so
 * for forwarded packets it is decided, and `otherhost` never holds for received ones.
 */
export function packetTypeDecision(kind: 'unicast' | 'broadcast' | 'multicast' | 'otherhost', ctx: AddressTypeContext): Decision {
  const full = PacketSet.full(ctx.family);
  const { forwarded } = paths(ctx);
  const received = full.subtract(full.restrict('iif', Ranges.point(0n)));
  const never = kind === 'unicast' ? PacketSet.EMPTY : kind === 'otherhost' ? received : forwarded;
  const surely = kind === 'unicast' ? forwarded : PacketSet.EMPTY;
  return { surely, may: full.subtract(never) };
}

/** A decision as a match, undetermined with `reason` where surely and may differ; negated with `!`. */
export function decisionMatch(decision: Decision, negated: boolean, reason: string, full: PacketSet): Match {
  const { surely, may } = negated ? { surely: full.subtract(decision.may), may: full.subtract(decision.surely) } : decision;
  return { surely, may, uncertain: surely.equals(may) ? [] : [reason] };
}

/**
 * Which packets of a required flow cross a firewall, and where: the placement (a host's own
 * traffic, or traffic forwarded between the networks behind its interfaces) turns a flow between
 * two roles into packet sets per enforcement point.
 */
import { Box, CtState, FAMILIES, PacketSet, Ranges, TcpFlag, type AddressSet, type Family } from '../packetset';
import { InterfaceUniverse, type DeclaredInterface, type EnforcementPoint, type PolicyProgram, type Traffic } from '../model/policy';
import { icmpFirstPackets } from '../model/protocols';

export interface Placement {
  kind: 'host' | 'network';
  /** The firewall's own addresses (a host's; a network firewall's, if given). */
  host: AddressSet;
  /** Interfaces and the networks routed to each (longest prefix wins); may be empty for a host. */
  interfaces: DeclaredInterface[];
}

/** Packets of one kind of traffic, with the interfaces they arrive on and leave by. */
export interface TrafficQuery {
  traffic: Traffic;
  set: PacketSet;
}

export function addressPackets(dim: 'src' | 'dst', addresses: AddressSet, base: PacketSet): PacketSet {
  return PacketSet.of(
    base.boxes.flatMap((box) => {
      const ranges = box.get(dim).intersect(addresses[box.family]);
      return ranges.isEmpty() ? [] : [box.with(dim, ranges)];
    }),
  );
}

/**
 * The first packet of a new connection: for TCP a SYN alone; conntrack state NEW, but for ICMP
 * messages that open no connection (replies and errors: INVALID; IPv6 neighbour discovery:
 * UNTRACKED). Every required flow is made of such packets, and so is what a rule "lets in".
 */
export function newConnections(families: readonly Family[] = FAMILIES): PacketSet {
  const tcp = Ranges.point(6n);
  const state = (s: number): Ranges => Ranges.point(BigInt(s));
  return PacketSet.of(
    families.flatMap((family) => {
      const icmp = icmpFirstPackets(family);
      const icmpProto = Ranges.point(BigInt(icmp.proto));
      const fresh = Box.full(family).with('state', state(CtState.NEW));
      const icmpBox = fresh.with('proto', icmpProto);
      const invalid = Ranges.of(0n, 65535n).subtract(icmp.opening).subtract(icmp.untracked);
      return [
        fresh.with('proto', tcp).with('tcpflags', Ranges.point(BigInt(TcpFlag.SYN))),
        fresh.with('proto', Ranges.of(0n, 255n).subtract(tcp).subtract(icmpProto)),
        icmpBox.with('icmp', icmp.opening),
        ...(icmp.untracked.isEmpty() ? [] : [icmpBox.with('icmp', icmp.untracked).with('state', state(CtState.UNTRACKED))]),
        icmpBox.with('icmp', invalid).with('state', state(CtState.INVALID)),
      ];
    }),
  );
}

/** Splits addresses by the interface they are routed to: the most specific network wins. */
export function routeByInterface(interfaces: DeclaredInterface[]): { name: string; owned: AddressSet }[] {
  const entries = interfaces.flatMap((iface) =>
    FAMILIES.flatMap((family) =>
      iface.networks[family].intervals.map(([lo, hi]) => ({ iface: iface.name, family, ranges: Ranges.of(lo, hi), size: hi - lo })),
    ),
  );
  entries.sort((a, b) => (a.size < b.size ? -1 : a.size > b.size ? 1 : 0));
  const claimed: Record<Family, Ranges> = { 4: Ranges.EMPTY, 6: Ranges.EMPTY };
  const owned = new Map<string, Record<Family, Ranges>>(interfaces.map((i) => [i.name, { 4: Ranges.EMPTY, 6: Ranges.EMPTY }]));
  for (const entry of entries) {
    const fresh = entry.ranges.subtract(claimed[entry.family]);
    const mine = owned.get(entry.iface)!;
    mine[entry.family] = mine[entry.family].union(fresh);
    claimed[entry.family] = claimed[entry.family].union(entry.ranges);
  }
  return interfaces.map((i) => ({ name: i.name, owned: owned.get(i.name)! }));
}

/** The interface index set for a name (the universe gave every deployment interface its own index). */
function interfaceIndex(universe: InterfaceUniverse, name: string): Ranges {
  const index = universe.indexOf(name);
  return index === undefined ? Ranges.EMPTY : Ranges.point(BigInt(index));
}

/**
 * Splits packets (src and dst already set) by the traffic they are to the firewall. Packets from
 * the host to itself travel over loopback and are out of scope; so are packets a network firewall
 * does not route between two different interfaces.
 */
export function placePackets(packets: PacketSet, placement: Placement, universe: InterfaceUniverse): TrafficQuery[] {
  const queries: TrafficQuery[] = [];
  const none = Ranges.point(BigInt(InterfaceUniverse.NONE));
  const realInterfaces = universe.any().subtract(universe.loopback());
  const routes = routeByInterface(placement.interfaces);
  /** Which interface packets arrive on (by source) or leave by (by destination). */
  const byRoute = (set: PacketSet, dim: 'src' | 'dst', ifaceDim: 'iif' | 'oif'): PacketSet => {
    if (routes.length === 0) return set.restrict(ifaceDim, realInterfaces);
    return routes.reduce(
      (acc, route) => acc.union(addressPackets(dim, route.owned, set).restrict(ifaceDim, interfaceIndex(universe, route.name))),
      PacketSet.EMPTY,
    );
  };

  const toHost = addressPackets('dst', placement.host, packets);
  const fromHost = addressPackets('src', placement.host, packets);
  const inbound = toHost.subtract(fromHost);
  const outbound = fromHost.subtract(toHost);
  if (!inbound.isEmpty()) queries.push({ traffic: 'inbound', set: byRoute(inbound, 'src', 'iif').restrict('oif', none) });
  if (!outbound.isEmpty()) queries.push({ traffic: 'outbound', set: byRoute(outbound, 'dst', 'oif').restrict('iif', none) });

  if (placement.kind === 'network') {
    const transit = packets.subtract(toHost).subtract(fromHost);
    let forwarded = PacketSet.EMPTY;
    for (const from of routes) {
      for (const to of routes) {
        if (from.name === to.name) continue;
        const part = addressPackets('dst', to.owned, addressPackets('src', from.owned, transit));
        forwarded = forwarded.union(
          part.restrict('iif', interfaceIndex(universe, from.name)).restrict('oif', interfaceIndex(universe, to.name)),
        );
      }
    }
    if (!forwarded.isEmpty()) queries.push({ traffic: 'forwarded', set: forwarded });
  }
  return queries.filter((q) => !q.set.isEmpty());
}

/** The packets of a traffic kind a point sees: those on the interfaces it is scoped to. */
export function pointScope(point: EnforcementPoint, universe: InterfaceUniverse, set: PacketSet): PacketSet {
  const scope = point.interfaces;
  let seen = set;
  if (scope?.in) seen = seen.restrict('iif', universe.named(scope.in));
  if (scope?.out) seen = seen.restrict('oif', universe.named(scope.out));
  return seen;
}

/** Whether a point applies in a variant: it has none (always applies), or that one. */
export function appliesIn(point: EnforcementPoint, variant: string | undefined): boolean {
  return point.variant === undefined || point.variant === variant;
}

/**
 * Where packets of one traffic kind meet a program in a variant: the points that see them, each
 * with its part, and the packets no point sees (of which the configuration says nothing).
 */
export function routeToPoints(
  program: PolicyProgram,
  query: TrafficQuery,
  variant: string | undefined,
): { routed: { point: EnforcementPoint; set: PacketSet }[]; unplaced: PacketSet } {
  const routed: { point: EnforcementPoint; set: PacketSet }[] = [];
  let unplaced = query.set;
  for (const point of program.points) {
    if (point.traffic !== query.traffic || !appliesIn(point, variant)) continue;
    const set = pointScope(point, program.interfaces, unplaced);
    if (set.isEmpty()) continue;
    routed.push({ point, set });
    unplaced = unplaced.subtract(set);
  }
  return { routed, unplaced };
}

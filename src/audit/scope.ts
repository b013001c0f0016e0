/**
 * Which packets of a required flow cross a firewall, and where: the placement (a host's own
 * traffic, or traffic forwarded between the networks behind its interfaces) turns a flow between
 * two roles into packet sets per enforcement point.
 */
import { Box, CtState, FAMILIES, PacketSet, Ranges, TcpFlag, type Family } from '../packetset';
import { InterfaceUniverse } from '../model/policy';

/** Addresses per family. */
export type AddressSet = Readonly<Record<Family, Ranges>>;

export const NO_ADDRESSES: AddressSet = { 4: Ranges.EMPTY, 6: Ranges.EMPTY };

export interface InterfaceNetworks {
  name: string;
  networks: AddressSet;
}

export interface Placement {
  kind: 'host' | 'network';
  /** The firewall's own addresses (a host's; a network firewall's, if given). */
  host: AddressSet;
  /** Interfaces and the networks routed to each (longest prefix wins); may be empty for a host. */
  interfaces: InterfaceNetworks[];
}

/** Packets bound for one enforcement point. */
export interface PointQuery {
  point: 'INPUT' | 'FORWARD' | 'OUTPUT';
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

export function union(a: AddressSet, b: AddressSet): AddressSet {
  return { 4: a[4].union(b[4]), 6: a[6].union(b[6]) };
}

export function minus(a: AddressSet, b: AddressSet): AddressSet {
  return { 4: a[4].subtract(b[4]), 6: a[6].subtract(b[6]) };
}

export function intersection(a: AddressSet, b: AddressSet): AddressSet {
  return { 4: a[4].intersect(b[4]), 6: a[6].intersect(b[6]) };
}

export function isEmptyAddressSet(a: AddressSet): boolean {
  return a[4].isEmpty() && a[6].isEmpty();
}

/**
 * The first packet of a new connection: conntrack state NEW, and for TCP a SYN alone. Every
 * required flow is made of such packets, and so is what a rule "lets in".
 */
export function newConnections(families: readonly Family[] = FAMILIES): PacketSet {
  const tcp = Ranges.point(6n);
  return PacketSet.of(
    families.flatMap((family) => {
      const fresh = Box.full(family).with('state', Ranges.point(BigInt(CtState.NEW)));
      return [
        fresh.with('proto', tcp).with('tcpflags', Ranges.point(BigInt(TcpFlag.SYN))),
        fresh.with('proto', Ranges.of(0n, 255n).subtract(tcp)),
      ];
    }),
  );
}

/** Splits addresses by the interface they are routed to: the most specific network wins. */
export function routeByInterface(interfaces: InterfaceNetworks[]): { name: string; owned: AddressSet }[] {
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
 * Splits packets (src and dst already set) into what each enforcement point of the firewall sees.
 * Packets from the host to itself travel over loopback and are out of scope; so are packets a
 * network firewall does not route between two different interfaces.
 */
export function placePackets(packets: PacketSet, placement: Placement, universe: InterfaceUniverse): PointQuery[] {
  const queries: PointQuery[] = [];
  const none = Ranges.point(BigInt(InterfaceUniverse.NONE));
  const loopback = interfaceIndex(universe, 'lo');
  const realInterfaces = universe.any().subtract(loopback);
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
  if (!inbound.isEmpty()) queries.push({ point: 'INPUT', set: byRoute(inbound, 'src', 'iif').restrict('oif', none) });
  if (!outbound.isEmpty()) queries.push({ point: 'OUTPUT', set: byRoute(outbound, 'dst', 'oif').restrict('iif', none) });

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
    if (!forwarded.isEmpty()) queries.push({ point: 'FORWARD', set: forwarded });
  }
  return queries.filter((q) => !q.set.isEmpty());
}

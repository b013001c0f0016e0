/** Tracing packets: a probe (as the command line or a probes file gives it) through a configuration. */
import { CtState, TcpFlag, parseAddress, type Point } from '../packetset';
import { InputError, type Location } from '../model/errors';
import { InterfaceUniverse, programVariants, type EnforcementPoint, type PolicyProgram, type Traffic } from '../model/policy';
import { PORTED_PROTOCOLS, firstPacketState, protocolNumber } from '../model/protocols';
import { tracePacket, type Probe, type TraceOutput } from '../engine/trace';
import { appliesIn, pointScope, routeByInterface, type Placement } from '../audit/scope';
import { chosenFirewall, loadDeploymentFile, loadFirewall } from './audit';
import { PacketSet } from '../packetset';
import { loadConfig, type LoadOptions } from '../normalize/load';

/** Each probe key and the JSON type it must have. */
const PROBE_KEYS: Readonly<Record<keyof Probe, 'string' | 'number' | 'string|number'>> = {
  from: 'string',
  to: 'string',
  proto: 'string|number',
  sport: 'number',
  dport: 'number',
  in: 'string',
  out: 'string',
  chain: 'string',
  icmpType: 'number',
  icmpCode: 'number',
};

/** The client port a probe uses when it names none. */
export const DEFAULT_SOURCE_PORT = 40000;

export type { Probe, TraceOutput };

/** The variant to trace in (a Windows profile), when the configuration's points have variants. */
export interface TraceOptions {
  variant?: string;
}

/** A probe placed at a firewall whose host addresses say what the packet is to it (see placeProbe). */
export type PlacedProbe = Probe & { traffic?: Traffic };

/** The traffic a packet is to the firewall: as placed, else forwarded when it crosses two interfaces, sent when it only leaves, else received. */
function trafficOf(probe: PlacedProbe): Traffic {
  if (probe.traffic !== undefined) return probe.traffic;
  if (probe.in !== undefined && probe.out !== undefined) return 'forwarded';
  return probe.out !== undefined ? 'outbound' : 'inbound';
}

/** The packet a probe describes, the program of its family and the enforcement point it crosses. */
export function probePacket(
  programs: PolicyProgram[],
  probe: PlacedProbe,
  where: Location,
  options: TraceOptions = {},
): { program: PolicyProgram; point: EnforcementPoint; packet: Point; chain: string } {
  const bad = (message: string): InputError => new InputError([{ location: where, message }]);
  const src = parseAddress(probe.from);
  const dst = parseAddress(probe.to);
  if (!src) throw bad(`"from" must be an IPv4 or IPv6 address, got ${JSON.stringify(probe.from)}`);
  if (!dst) throw bad(`"to" must be an IPv4 or IPv6 address, got ${JSON.stringify(probe.to)}`);
  if (src.family !== dst.family) throw bad('"from" and "to" must be of the same address family');
  const program = programs.find((p) => p.family === src.family);
  if (!program) throw bad(`the configuration has no IPv${src.family} rule set`);
  const proto = protocolNumber(String(probe.proto));
  if (proto === undefined) throw bad(`"proto" must be tcp, udp, icmp or a protocol number, got ${JSON.stringify(probe.proto)}`);
  const port = (value: number | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw bad(`"${name}" must be a port number 0-65535`);
    return value;
  };
  const icmpField = (value: number | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 0 || value > 255) throw bad(`"${name}" must be a number 0-255`);
    return value;
  };
  const chosen = choosePoint(program, probe, options, bad);
  const interfaces = program.interfaces;
  const iface = (name: string | undefined, absent: boolean): number => {
    if (absent) return InterfaceUniverse.NONE;
    return name === undefined ? interfaces.size : interfaces.resolve(name);
  };
  const packet: Point = {
    family: src.family,
    src: src.value,
    dst: dst.value,
    proto,
    sport: PORTED_PROTOCOLS.has(proto) ? port(probe.sport, 'sport', DEFAULT_SOURCE_PORT) : 0,
    dport: PORTED_PROTOCOLS.has(proto) ? port(probe.dport, 'dport', 0) : 0,
    icmp:
      proto === 1 || proto === 58
        ? (icmpField(probe.icmpType, 'icmpType', src.family === 4 ? 8 : 128) << 8) | icmpField(probe.icmpCode, 'icmpCode', 0)
        : 0,
    tcpflags: proto === 6 ? TcpFlag.SYN : 0,
    iif: iface(probe.in, chosen.traffic === 'outbound'),
    oif: iface(probe.out, chosen.traffic === 'inbound'),
    state: CtState.NEW,
  };
  // An ICMP message that opens no connection (a reply, an error) is not NEW to conntrack.
  packet.state = firstPacketState(packet.family, proto, packet.icmp >> 8);
  const point = chosen.point ?? pointFor(program, chosen.traffic, packet, options.variant, bad);
  return { program, point, packet, chain: point.id };
}

/** The point `chain` names, or the traffic whose point the packet's interfaces will pick. */
function choosePoint(
  program: PolicyProgram,
  probe: PlacedProbe,
  options: TraceOptions,
  bad: (message: string) => InputError,
): { point?: EnforcementPoint; traffic: Traffic } {
  const variants = programVariants(program);
  if (options.variant !== undefined && !variants.includes(options.variant)) {
    throw bad(
      variants.length === 0
        ? `the configuration has no variants (profiles) to choose from`
        : `unknown variant "${options.variant}": expected one of ${variants.join(', ')}`,
    );
  }
  if (probe.chain === undefined) return { traffic: trafficOf(probe) };
  const wanted = probe.chain.toLowerCase();
  const point = program.points.find((p) => p.id.toLowerCase() === wanted && appliesIn(p, options.variant ?? p.variant));
  if (!point)
    throw bad(
      `"chain" must name an enforcement point of the configuration (${program.points.map((p) => p.id).join(', ')}), got ${JSON.stringify(probe.chain)}`,
    );
  return { point, traffic: point.traffic };
}

/** The one point of the traffic kind (and variant) whose interfaces the packet crosses. */
function pointFor(
  program: PolicyProgram,
  traffic: Traffic,
  packet: Point,
  variant: string | undefined,
  bad: (message: string) => InputError,
): EnforcementPoint {
  const one = PacketSet.point(packet);
  const candidates = program.points.filter(
    (p) => p.traffic === traffic && (variant === undefined || appliesIn(p, variant)) && !pointScope(p, program.interfaces, one).isEmpty(),
  );
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    throw bad(
      `no enforcement point of the configuration sees ${traffic} packets on these interfaces (its points: ${program.points.map((p) => p.label).join(', ')}); give "in"/"out" or "chain"`,
    );
  }
  throw bad(`the packet could cross any of ${candidates.map((p) => p.label).join(', ')}: choose one with "chain" or the variant (profile)`);
}

export function traceProbe(programs: PolicyProgram[], probe: PlacedProbe, where: Location, options: TraceOptions = {}): TraceOutput {
  const { program, point, packet, chain } = probePacket(programs, probe, where, options);
  const { traffic: _placed, ...written } = probe;
  return { ...tracePacket(program, point, packet), packet: { ...written, chain } };
}

/** Traces one probe through a configuration file. */
export function traceConfiguration(config: string, probe: Probe, options: TraceOptions & LoadOptions = {}): TraceOutput {
  const loaded = loadConfig([config], options);
  return traceProbe(loaded.programs, probe, { file: 'command line' }, options);
}

/** Reads a probes file: one JSON object a line; blank lines are skipped. Each line is checked on its own. */
export function parseProbe(raw: string, where: Location): Probe {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InputError([{ location: where, message: 'expected one JSON object per line' }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError([{ location: where, message: 'expected a JSON object {"from","to","proto",…}' }]);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const unknown = keys.filter((k) => !Object.hasOwn(PROBE_KEYS, k));
  if (unknown.length > 0) {
    throw new InputError([
      {
        location: where,
        message: `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}: expected ${Object.keys(PROBE_KEYS).join(', ')}`,
      },
    ]);
  }
  for (const key of keys as (keyof Probe)[]) {
    const expected = PROBE_KEYS[key];
    if (!expected.split('|').includes(typeof record[key])) {
      throw new InputError([
        { location: where, message: `"${key}" must be a ${expected.replace('|', ' or a ')}, got ${JSON.stringify(record[key])}` },
      ]);
    }
  }
  if (record.from === undefined || record.to === undefined || record.proto === undefined) {
    throw new InputError([{ location: where, message: '"from", "to" (addresses) and "proto" are required' }]);
  }
  return record as unknown as Probe;
}

/** A firewall of a deployment, loaded for tracing: its programs, and where its host and interfaces are. */
export interface TraceTarget {
  programs: PolicyProgram[];
  placement: Placement;
  name: string;
}

/** Loads the deployment's firewall (the named one, or the only one) with what the deployment knows of it. */
export function traceTarget(deploymentFile: string, firewall: string | undefined): TraceTarget {
  const { deployment } = loadDeploymentFile(deploymentFile);
  const { underAudit } = loadFirewall(deployment, chosenFirewall(deployment, firewall, 'to trace through'));
  return { programs: underAudit.programs, placement: underAudit.placement, name: underAudit.name };
}

/**
 * The probe as the firewall sees it: addressed to its host (inbound), sent by it (outbound), or
 * passing through (forwarded), with the interfaces its routes give where the probe names none.
 */
export function placeProbe(probe: Probe, target: TraceTarget, where: Location): PlacedProbe {
  if (probe.chain !== undefined) return probe;
  const src = parseAddress(probe.from);
  const dst = parseAddress(probe.to);
  if (!src || !dst) return probe;
  const { placement } = target;
  const isHost = (a: { family: 4 | 6; value: bigint }): boolean => placement.host[a.family].contains(a.value);
  const routes = routeByInterface(placement.interfaces);
  const route = (a: { family: 4 | 6; value: bigint }): string | undefined => routes.find((r) => r.owned[a.family].contains(a.value))?.name;
  const toHost = isHost(dst);
  const fromHost = isHost(src);
  // The host's addresses say which way the packet goes, even where no interface is known.
  if (toHost && !fromHost) return { ...withInterfaces(probe, probe.in ?? route(src), undefined), traffic: 'inbound' };
  if (fromHost && !toHost) return { ...withInterfaces(probe, undefined, probe.out ?? route(dst)), traffic: 'outbound' };
  if (placement.kind === 'host') {
    throw new InputError([
      {
        location: where,
        message: `the packet neither comes from nor goes to ${target.name}'s addresses: a host firewall sees no other traffic`,
      },
    ]);
  }
  const [inbound, outbound] = [probe.in ?? route(src), probe.out ?? route(dst)];
  if (inbound === undefined || outbound === undefined) {
    throw new InputError([
      {
        location: where,
        message: `no interface of ${target.name} has ${inbound === undefined ? probe.from : probe.to} behind it: give --in and --out`,
      },
    ]);
  }
  return withInterfaces(probe, inbound, outbound);
}

function withInterfaces(probe: Probe, inbound: string | undefined, outbound: string | undefined): Probe {
  const { in: _in, out: _out, ...rest } = probe;
  return { ...rest, ...(inbound !== undefined ? { in: inbound } : {}), ...(outbound !== undefined ? { out: outbound } : {}) };
}

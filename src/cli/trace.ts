/** `fwmatrix trace`: one packet, or a file of them, through a configuration. */
import { CtState, TcpFlag, parseAddress, type Point } from '../packetset';
import { InputError, type Location } from '../model/errors';
import { InterfaceUniverse, type EnforcementPoint, type PolicyProgram } from '../model/policy';
import { protocolNumber } from '../normalize/iptables/matches';
import { tracePacket, type TraceResult } from '../engine/trace';
import { PORTED_PROTOCOLS } from '../model/protocols';

/** A packet to trace, as the command line and the probes file give it. */
export interface Probe {
  from: string;
  to: string;
  proto: string | number;
  sport?: number;
  dport?: number;
  in?: string;
  out?: string;
  chain?: string;
  icmpType?: number;
  icmpCode?: number;
}

const PROBE_KEYS = new Set(['from', 'to', 'proto', 'sport', 'dport', 'in', 'out', 'chain', 'icmpType', 'icmpCode']);
/** The client port a probe uses when it names none. */
export const DEFAULT_SOURCE_PORT = 40000;

export interface TraceOutput extends TraceResult {
  packet: Probe & { chain: string };
}

/** The packet a probe describes, the program of its family and the enforcement point it crosses. */
export function probePacket(
  programs: PolicyProgram[],
  probe: Probe,
  where: Location,
): { program: PolicyProgram; point: EnforcementPoint; packet: Point; chain: string } {
  const bad = (message: string): InputError => new InputError([{ location: where, message }]);
  const src = parseAddress(probe.from);
  const dst = parseAddress(probe.to);
  if (!src) throw bad(`"from" must be an IPv4 or IPv6 address, got ${JSON.stringify(probe.from)}`);
  if (!dst) throw bad(`"to" must be an IPv4 or IPv6 address, got ${JSON.stringify(probe.to)}`);
  if (src.family !== dst.family) throw bad('"from" and "to" must be of the same address family');
  const program = programs.find((p) => p.family === src.family);
  if (!program) throw bad(`the configuration has no IPv${src.family} rule set`);

  let proto: number;
  try {
    proto = protocolNumber(String(probe.proto));
  } catch {
    throw bad(`"proto" must be tcp, udp, icmp or a protocol number, got ${JSON.stringify(probe.proto)}`);
  }
  const chain = (probe.chain ?? (probe.out && probe.in ? 'FORWARD' : probe.out ? 'OUTPUT' : 'INPUT')).toUpperCase();
  const point = program.points.find((p) => p.name === chain);
  if (!point) throw bad(`"chain" must be INPUT, FORWARD or OUTPUT, got ${JSON.stringify(probe.chain)}`);
  const port = (value: number | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw bad(`"${name}" must be a port number 0-65535`);
    return value;
  };
  const interfaces = program.interfaces;
  const iface = (name: string | undefined, absent: boolean): number => {
    if (absent) return InterfaceUniverse.NONE;
    return name === undefined ? interfaces.size : interfaces.resolve(name);
  };
  const icmpDefault = src.family === 4 ? 8 : 128;
  const packet: Point = {
    family: src.family,
    src: src.value,
    dst: dst.value,
    proto,
    sport: PORTED_PROTOCOLS.has(proto) ? port(probe.sport, 'sport', DEFAULT_SOURCE_PORT) : 0,
    dport: PORTED_PROTOCOLS.has(proto) ? port(probe.dport, 'dport', 0) : 0,
    icmp: proto === 1 || proto === 58 ? ((probe.icmpType ?? icmpDefault) << 8) | (probe.icmpCode ?? 0) : 0,
    tcpflags: proto === 6 ? TcpFlag.SYN : 0,
    iif: iface(probe.in, chain === 'OUTPUT'),
    oif: iface(probe.out, chain === 'INPUT'),
    state: CtState.NEW,
  };
  return { program, point, packet, chain };
}

export function traceProbe(programs: PolicyProgram[], probe: Probe, where: Location): TraceOutput {
  const { program, point, packet, chain } = probePacket(programs, probe, where);
  return { ...tracePacket(program, point, packet), packet: { ...probe, chain } };
}

/** Reads a probes file: one JSON object a line; blank lines are skipped. */
export function parseProbes(text: string, file: string): { probe: Probe; line: number }[] {
  const probes: { probe: Probe; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InputError([{ location: { file, line }, message: 'expected one JSON object per line' }]);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new InputError([{ location: { file, line }, message: 'expected a JSON object {"from","to","proto",…}' }]);
    const unknown = Object.keys(value).filter((k) => !PROBE_KEYS.has(k));
    if (unknown.length > 0)
      throw new InputError([
        {
          location: { file, line },
          message: `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}: expected ${[...PROBE_KEYS].join(', ')}`,
        },
      ]);
    const probe = value as Probe;
    if (
      typeof probe.from !== 'string' ||
      typeof probe.to !== 'string' ||
      (typeof probe.proto !== 'string' && typeof probe.proto !== 'number')
    ) {
      throw new InputError([{ location: { file, line }, message: '"from", "to" (addresses) and "proto" are required' }]);
    }
    probes.push({ probe, line });
  });
  return probes;
}

export function traceText(t: TraceOutput): string {
  const lines = [
    `${t.packet.chain}: ${t.packet.proto} ${t.packet.from}${t.packet.sport !== undefined ? `:${t.packet.sport}` : ''} -> ${t.packet.to}${t.packet.dport !== undefined ? `:${t.packet.dport}` : ''}`,
  ];
  for (const step of t.steps) {
    const mark = step.matched === true ? 'match' : step.matched === 'unknown' ? 'may match' : 'no';
    lines.push(
      `  ${`${step.table}/${step.chain}`.padEnd(24)} ${String(step.line).padStart(5)}  ${mark.padEnd(9)} ${step.action.padEnd(14)} ${step.text}`,
    );
  }
  const by = t.decidedBy ? `line ${t.decidedBy.line}: ${t.decidedBy.text}` : t.policy ? `policy of ${t.policy.chain}` : 'no rule';
  lines.push(`verdict: ${t.verdict} (${by})`);
  for (const r of t.reasons) lines.push(`  undetermined: ${r.why} (line ${r.rule.line})`);
  return lines.join('\n') + '\n';
}

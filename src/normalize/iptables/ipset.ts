/**
 * `ipset save` output: the members of the sets that `-m set --match-set` rules refer to. Address
 * and port set types are read; a set of another type leaves its rules undetermined.
 */
import { PacketSet, Ranges, parseNetwork, type Family } from '../../packetset';
import { InputError } from '../../model/errors';

/** One dimension of a set's members: an address, or a port (with its protocol). */
type Part = 'ip' | 'net' | 'port';

export interface IpSet {
  name: string;
  type: string;
  family: Family;
  /** What each member consists of, e.g. ['ip', 'port'] for hash:ip,port; undefined for an unmodelled type. */
  parts?: Part[];
  /** Members as tuples of values, one per part. */
  members: { values: string[]; nomatch: boolean }[];
  /** For list:set, the member sets' names. */
  lists?: string[];
}

/** A map, so that a type named like an object property (`constructor`) is an ordinary unmodelled type. */
const TYPE_PARTS: ReadonlyMap<string, Part[]> = new Map([
  ['hash:ip', ['ip']],
  ['bitmap:ip', ['ip']],
  ['hash:net', ['net']],
  ['hash:ip,port', ['ip', 'port']],
  ['hash:net,port', ['net', 'port']],
  ['bitmap:port', ['port']],
]);

export function parseIpsetSave(text: string, file: string): Map<string, IpSet> {
  const sets = new Map<string, IpSet>();
  const fail = (line: number, message: string): never => {
    throw new InputError([{ location: { file, line }, message }]);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const words = raw.trim().split(/\s+/);
    if (words[0] === '' || words[0].startsWith('#')) return;
    if (words[0] === 'create') {
      const [, name, type] = words;
      if (!name || !type) fail(line, 'expected "create NAME TYPE [options]"');
      const familyAt = words.indexOf('family');
      const family: Family = familyAt > 0 && words[familyAt + 1] === 'inet6' ? 6 : 4;
      const parts = TYPE_PARTS.get(type);
      sets.set(name, { name, type, family, ...(parts ? { parts } : {}), members: [], ...(type === 'list:set' ? { lists: [] } : {}) });
      return;
    }
    if (words[0] === 'add') {
      const [, name, member] = words;
      const set = sets.get(name);
      if (!set) return fail(line, `"add" to set ${name ?? ''}, which no "create" line above made`);
      if (!member) return fail(line, 'expected "add NAME MEMBER [options]"');
      if (set.lists) set.lists.push(member);
      else set.members.push({ values: member.split(','), nomatch: words.includes('nomatch') });
      return;
    }
    fail(line, `expected a "create" or "add" line of ipset save output, got "${words[0]}"`);
  });
  return sets;
}

/**
 * The packets a `--match-set NAME FLAGS` condition matches (FLAGS: src or dst per part of the
 * member), or the reason it cannot be told.
 */
export function matchSetPackets(
  sets: Map<string, IpSet>,
  name: string,
  flags: string,
  family: Family,
  seen: Set<string> = new Set(),
): PacketSet | string {
  const set = sets.get(name);
  if (!set) return `ipset ${name} is not in the ipset file`;
  const directions = flags.split(',');
  if (directions.some((d) => d !== 'src' && d !== 'dst')) return `--match-set flags "${flags}" are not src/dst`;
  if (set.lists) {
    if (seen.has(name)) return `ipset ${name} contains itself`;
    let union = PacketSet.EMPTY;
    for (const member of set.lists) {
      const packets = matchSetPackets(sets, member, flags, family, new Set([...seen, name]));
      if (typeof packets === 'string') return packets;
      union = union.union(packets);
    }
    return union;
  }
  if (!set.parts) return `ipset ${name} is of type ${set.type}, which fwmatrix does not model`;
  // A set of the other family never matches this rule set's packets.
  if (set.family !== family && set.parts.some((p) => p !== 'port')) return PacketSet.EMPTY;
  const full = PacketSet.full(family);
  let matched = PacketSet.EMPTY;
  let excluded = PacketSet.EMPTY;
  for (const member of set.members) {
    let packets = full;
    for (let i = 0; i < set.parts.length; i++) {
      // Fewer flags than parts: the last flag applies to the rest (ipset's rule).
      const direction = directions[Math.min(i, directions.length - 1)];
      const value = member.values[i];
      if (value === undefined) return `ipset ${name} has a member without its ${set.parts[i]} part`;
      if (set.parts[i] === 'port') {
        const port = portMember(value, set.type === 'bitmap:port');
        if (!port) return `ipset ${name} member port "${value}" is not understood`;
        packets = packets.restrict('proto', port.protocols).restrict(direction === 'src' ? 'sport' : 'dport', port.ports);
      } else {
        const network = parseNetwork(value);
        if (!network || network.family !== family) return `ipset ${name} member "${value}" is not an IPv${family} address`;
        packets = packets.restrict(direction === 'src' ? 'src' : 'dst', network.ranges);
      }
    }
    if (member.nomatch) excluded = excluded.union(packets);
    else matched = matched.union(packets);
  }
  return matched.subtract(excluded);
}

const PORT_PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['tcp', 6],
  ['udp', 17],
  ['sctp', 132],
  ['udplite', 136],
]);

/**
 * `80`, `tcp:80`, `udp:53`, `80-90`. A hash set's port without protocol is TCP; a bitmap:port
 * set stores no protocol and matches the port of any protocol that has ports.
 */
function portMember(text: string, anyProtocol: boolean): { protocols: Ranges; ports: Ranges } | undefined {
  const match = /^(?:(tcp|udp|sctp|udplite):)?(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const numbers = anyProtocol && !match[1] ? [...PORT_PROTOCOLS.values()] : [PORT_PROTOCOLS.get(match[1] ?? 'tcp') as number];
  const protocols = Ranges.fromIntervals(numbers.map((n) => [BigInt(n), BigInt(n)] as const));
  const lo = Number(match[2]);
  const hi = match[3] === undefined ? lo : Number(match[3]);
  if (lo > 65535 || hi > 65535 || lo > hi) return undefined;
  return { protocols, ports: Ranges.of(BigInt(lo), BigInt(hi)) };
}

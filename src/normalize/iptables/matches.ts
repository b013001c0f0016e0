/**
 * What an iptables rule's conditions match, as three-valued packet sets. Every condition the
 * engine models exactly becomes a decided set; anything else (an unknown module or option, a
 * rate, a user) becomes an undecided condition that names itself — never a guess.
 */
import type { ModuleOption, MatchModule, Rule, Negatable } from '../../../parsers/iptables-parser/src';
import { PacketSet, Ranges, parseNetwork, CtState, type Dimension, type Family } from '../../packetset';
import { allOf, exactly, undecided } from '../../model/match';
import type { InterfaceUniverse, Match, Metadata } from '../../model/policy';
import { PORTED_PROTOCOLS, protocolNumber as ianaProtocolNumber } from '../../model/protocols';
import { ICMPV6_TYPES, ICMP_TYPES, SERVICES } from './names';
import { matchSetPackets, type IpSet } from './ipset';

/** A problem with a value the kernel would refuse: the normalizer turns it into a located input error. */
export class BadValue extends Error {}

export interface MatchContext {
  family: Family;
  table: string;
  interfaces: InterfaceUniverse;
  /** The members of ipsets, when the deployment gives an `ipset save` file. */
  ipsets?: Map<string, IpSet>;
  /** The firewall's own addresses in this family, when the deployment gives them (all of them). */
  localAddresses?: Ranges;
}

/** A rule's match, plus the metadata its conditions read and what it matches when that is unknown. */
export interface RuleMatch {
  match: Match;
  reads?: { metadata: Metadata[]; relaxed: PacketSet };
}

interface Condition {
  match: Match;
  /** Set when the condition reads metadata a rule may have changed. */
  reads?: Metadata;
}

const CONNTRACK_STATES: Readonly<Record<string, number>> = {
  NEW: CtState.NEW,
  ESTABLISHED: CtState.ESTABLISHED,
  RELATED: CtState.RELATED,
  INVALID: CtState.INVALID,
  UNTRACKED: CtState.UNTRACKED,
};

export function ruleMatch(rule: Rule, ctx: MatchContext): RuleMatch {
  const full = PacketSet.full(ctx.family);
  const conditions: Condition[] = [];
  const on = (dim: Dimension, ranges: Ranges, negated = false): Match => {
    const set = full.restrict(dim, ranges);
    return exactly(negated ? full.subtract(set) : set);
  };

  if (rule.protocol) {
    const proto = protocolNumber(rule.protocol.value);
    if (proto !== 0) conditions.push({ match: on('proto', Ranges.point(BigInt(proto)), rule.protocol.negated) });
    else if (rule.protocol.negated) conditions.push({ match: exactly(PacketSet.EMPTY) });
  }
  if (rule.source) conditions.push({ match: on('src', addresses(rule.source, ctx.family), rule.source.negated) });
  if (rule.destination) conditions.push({ match: on('dst', addresses(rule.destination, ctx.family), rule.destination.negated) });
  if (rule.inInterface) conditions.push({ match: on('iif', ctx.interfaces.matching(rule.inInterface.value), rule.inInterface.negated) });
  if (rule.outInterface) conditions.push({ match: on('oif', ctx.interfaces.matching(rule.outInterface.value), rule.outInterface.negated) });
  // The engine's packets are connections' first packets, never later fragments.
  if (rule.fragment) conditions.push({ match: exactly(rule.fragment.negated ? full : PacketSet.EMPTY) });

  for (const module of rule.matches) conditions.push(...moduleConditions(module, ctx, full));

  const match = allOf(
    conditions.map((c) => c.match),
    full,
  );
  const metadata = [...new Set(conditions.flatMap((c) => (c.reads ? [c.reads] : [])))];
  if (metadata.length === 0) return { match };
  const others = conditions.filter((c) => c.reads === undefined).map((c) => c.match);
  return { match, reads: { metadata, relaxed: allOf(others, full).may } };
}

export function protocolNumber(text: string): number {
  if (text.toLowerCase() === 'all') return 0;
  const number = ianaProtocolNumber(text);
  if (number === undefined) throw new BadValue(`unknown protocol "${text}": expected a name such as tcp, udp, icmp, or a number 0-255`);
  return number;
}

function addresses(spec: Negatable<string>, family: Family): Ranges {
  let ranges = Ranges.EMPTY;
  for (const part of spec.value.split(',')) {
    const network = parseNetwork(part);
    if (!network) throw new BadValue(`"${part}" is not an address or network (host names are not resolved: give addresses)`);
    if (network.family !== family) throw new BadValue(`"${part}" is an IPv${network.family} address in an IPv${family} rule set`);
    ranges = ranges.union(network.ranges);
  }
  return ranges;
}

function portNumber(text: string): number {
  if (/^\d+$/.test(text) && Number(text) <= 65535) return Number(text);
  const service = SERVICES[text.toLowerCase()];
  if (service === undefined) throw new BadValue(`"${text}" is not a port number or known service name`);
  return service;
}

/** `80`, `1024:65535`, `:1023`, `1024:`, `http`; in multiport lists also `a-b` is not allowed, only `a:b`. */
function portRange(text: string): Ranges {
  const colon = text.indexOf(':');
  if (colon < 0) return Ranges.point(BigInt(portNumber(text)));
  const lo = colon === 0 ? 0 : portNumber(text.slice(0, colon));
  const hi = colon === text.length - 1 ? 65535 : portNumber(text.slice(colon + 1));
  // iptables swaps a reversed range.
  return Ranges.of(BigInt(Math.min(lo, hi)), BigInt(Math.max(lo, hi)));
}

function portList(text: string): Ranges {
  return text.split(',').reduce((acc, item) => acc.union(portRange(item)), Ranges.EMPTY);
}

const TCP_FLAGS: Readonly<Record<string, number>> = {
  FIN: 1,
  SYN: 2,
  RST: 4,
  PSH: 8,
  ACK: 16,
  URG: 32,
  ECE: 64,
  CWR: 128,
  ALL: 0x3f,
  NONE: 0,
};

function tcpFlagSet(list: string): number {
  return list.split(',').reduce((bits, name) => {
    const bit = TCP_FLAGS[name.toUpperCase()];
    if (bit === undefined) throw new BadValue(`unknown TCP flag "${name}": expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE`);
    return bits | bit;
  }, 0);
}

/** The flag values v with v & mask == compare, as ranges over the 8-bit flags field. */
function tcpFlagsMatching(mask: number, compare: number): Ranges {
  const values: [bigint, bigint][] = [];
  for (let v = 0; v < 256; v++) if ((v & mask) === compare) values.push([BigInt(v), BigInt(v)]);
  return Ranges.fromIntervals(values);
}

function icmpRange(text: string, names: Readonly<Record<string, readonly number[]>>): Ranges {
  if (text === 'any') return Ranges.of(0n, 65535n);
  let typeCode: readonly number[] | undefined = names[text];
  if (!typeCode && /^\d+(\/\d+)?$/.test(text)) typeCode = text.split('/').map(Number);
  if (!typeCode || typeCode.some((n) => n > 255)) throw new BadValue(`"${text}" is not an ICMP type name or type[/code]`);
  const [type, code] = typeCode;
  if (code === undefined) return Ranges.of(BigInt(type * 256), BigInt(type * 256 + 255));
  return Ranges.point(BigInt(type * 256 + code));
}

const ADDRESS_TYPES = [
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
];

function network(text: string): Ranges {
  return parseNetwork(text)!.ranges;
}

/**
 * The addresses surely and possibly of one of the given types, as the kernel tells them from its
 * local routing table: fixed ranges (multicast, loopback, the limited broadcast) are certain, and
 * the firewall's own addresses are LOCAL when the deployment names them. Any other address is
 * usually UNICAST, but a route in the local table (a subnet broadcast, say) can make it another type.
 */
function addressTypeMatch(types: string[], ctx: MatchContext): { surely: Ranges; may: Ranges } {
  for (const t of types)
    if (!ADDRESS_TYPES.includes(t)) throw new BadValue(`unknown address type "${t}": expected one of ${ADDRESS_TYPES.join(', ')}`);
  const wanted = new Set(types);
  const classes: { addresses: Ranges; possible: string[] }[] = [];
  const local = ctx.localAddresses ?? Ranges.EMPTY;
  if (ctx.family === 4) {
    const broadcast = network('0.0.0.0/8').union(network('255.255.255.255'));
    const multicast = network('224.0.0.0/4');
    const loopback = network('127.0.0.0/8').union(local).subtract(broadcast).subtract(multicast);
    classes.push(
      { addresses: broadcast, possible: ['BROADCAST'] },
      { addresses: multicast, possible: ['MULTICAST'] },
      { addresses: loopback, possible: ['LOCAL'] },
    );
    const rest = network('0.0.0.0/0').subtract(broadcast).subtract(multicast).subtract(loopback);
    // Routes in the local table can give an address any type but multicast (and LOCAL, once the host's addresses are known).
    classes.push({ addresses: rest, possible: ADDRESS_TYPES.filter((t) => t !== 'MULTICAST' && (t !== 'LOCAL' || !ctx.localAddresses)) });
  } else {
    const multicast = network('ff00::/8');
    const own = network('::1').union(local).subtract(multicast);
    // Link-local addresses are the host's own too, and no deployment lists them.
    const linkLocal = network('fe80::/10').subtract(own);
    classes.push({ addresses: multicast, possible: ['MULTICAST'] }, { addresses: own, possible: ['LOCAL'] });
    classes.push({ addresses: linkLocal, possible: ADDRESS_TYPES.filter((t) => t !== 'MULTICAST') });
    const rest = network('::/0').subtract(multicast).subtract(own).subtract(linkLocal);
    classes.push({ addresses: rest, possible: ADDRESS_TYPES.filter((t) => t !== 'MULTICAST' && (t !== 'LOCAL' || !ctx.localAddresses)) });
  }
  let surely = Ranges.EMPTY;
  let may = Ranges.EMPTY;
  for (const { addresses, possible } of classes) {
    if (possible.every((t) => wanted.has(t))) surely = surely.union(addresses);
    if (possible.some((t) => wanted.has(t))) may = may.union(addresses);
  }
  return { surely, may };
}

/**
 * The destination addresses whose packets are surely and possibly of a link-layer type: multicast
 * addresses travel as multicast, the limited broadcast as broadcast, the host's own addresses as
 * unicast; any other address is unicast unless (IPv4) it is a subnet's broadcast address.
 */
function packetTypeMatch(kind: string, ctx: MatchContext): { surely: Ranges; may: Ranges } {
  if (!['unicast', 'broadcast', 'multicast'].includes(kind))
    throw new BadValue(`unknown packet type "${kind}": expected unicast, broadcast or multicast`);
  const multicast = network(ctx.family === 4 ? '224.0.0.0/4' : 'ff00::/8');
  const broadcast = ctx.family === 4 ? network('255.255.255.255') : Ranges.EMPTY;
  const own = (ctx.localAddresses ?? Ranges.EMPTY).subtract(multicast).subtract(broadcast);
  const rest = network(ctx.family === 4 ? '0.0.0.0/0' : '::/0')
    .subtract(multicast)
    .subtract(broadcast)
    .subtract(own);
  switch (kind) {
    case 'multicast':
      return { surely: multicast, may: multicast };
    case 'broadcast':
      return { surely: broadcast, may: ctx.family === 4 ? broadcast.union(rest) : broadcast };
    default:
      // IPv6 has no broadcast: every other address is unicast.
      return { surely: ctx.family === 4 ? own : own.union(rest), may: own.union(rest) };
  }
}

/** Conntrack options about the connection's original tuple, which dimensions of the packet give. */
const ORIGINAL_TUPLE: Readonly<Record<string, Dimension>> = {
  ctorigsrc: 'src',
  ctorigdst: 'dst',
  ctorigsrcport: 'sport',
  ctorigdstport: 'dport',
  ctproto: 'proto',
};

/**
 * A conntrack option about the connection itself. The first packet of a new connection (state
 * NEW, original direction, not yet translated) carries the original tuple, so for it these are
 * decided; for packets of other states they are not.
 */
function connectionTupleCondition(option: ModuleOption, module: MatchModule, ctx: MatchContext, full: PacketSet): Condition {
  if (ctx.table === 'raw') return { match: undecided(`--${option.name} is matched in the raw table, before connection tracking`, full) };
  const fresh = full.restrict('state', Ranges.point(BigInt(CtState.NEW)));
  const reason = `--${option.name} of an established connection's packets depends on the connection, which fwmatrix does not track`;
  let newMatch: PacketSet;
  const dim = ORIGINAL_TUPLE[option.name];
  if (dim) {
    const text = single(option, module);
    let ranges: Ranges;
    if (dim === 'proto') ranges = Ranges.point(BigInt(protocolNumber(text)));
    else if (dim === 'sport' || dim === 'dport') ranges = portRange(text);
    else ranges = addresses({ value: text, negated: false }, ctx.family);
    newMatch = fresh.restrict(dim, ranges);
  } else if (option.name === 'ctdir') {
    const direction = single(option, module).toUpperCase();
    if (direction !== 'ORIGINAL' && direction !== 'REPLY') throw new BadValue(`--ctdir expects ORIGINAL or REPLY, got "${direction}"`);
    newMatch = direction === 'ORIGINAL' ? fresh : PacketSet.EMPTY;
  } else {
    return { match: undecided(`option --${option.name} of match module "conntrack" is not understood`, full) };
  }
  const sure = option.negated ? fresh.subtract(newMatch) : newMatch;
  return { match: { surely: sure, may: sure.union(full.subtract(fresh)), uncertain: [reason] }, reads: 'ctstate' };
}

function single(option: ModuleOption, module: MatchModule): string {
  if (option.values.length !== 1)
    throw new BadValue(`--${option.name} of -m ${module.name} expects one value, got ${option.values.length}`);
  return option.values[0];
}

function moduleConditions(module: MatchModule, ctx: MatchContext, full: PacketSet): Condition[] {
  const on = (dim: Dimension, ranges: Ranges, negated: boolean): Match => {
    const set = full.restrict(dim, ranges);
    return exactly(negated ? full.subtract(set) : set);
  };
  const protocols = (numbers: readonly number[]): Match =>
    exactly(full.restrict('proto', Ranges.fromIntervals(numbers.map((n) => [BigInt(n), BigInt(n)] as const))));
  const unknownOption = (option: ModuleOption): Condition => ({
    match: undecided(`option --${option.name} of match module "${module.name}" is not understood`, full),
  });
  const conditions: Condition[] = [];

  switch (module.name) {
    case 'tcp':
    case 'udp':
    case 'udplite':
    case 'sctp':
    case 'dccp': {
      conditions.push({ match: protocols([protocolNumber(module.name)]) });
      for (const option of module.options) {
        switch (option.name) {
          case 'sport':
          case 'source-port':
            conditions.push({ match: on('sport', portRange(single(option, module)), option.negated) });
            break;
          case 'dport':
          case 'destination-port':
            conditions.push({ match: on('dport', portRange(single(option, module)), option.negated) });
            break;
          case 'tcp-flags':
            if (module.name !== 'tcp' || option.values.length !== 2) {
              conditions.push(unknownOption(option));
              break;
            }
            conditions.push({
              match: on(
                'tcpflags',
                tcpFlagsMatching(tcpFlagSet(option.values[0]), tcpFlagSet(option.values[1]) & tcpFlagSet(option.values[0])),
                option.negated,
              ),
            });
            break;
          case 'syn':
            if (module.name !== 'tcp') conditions.push(unknownOption(option));
            else
              conditions.push({
                match: on(
                  'tcpflags',
                  tcpFlagsMatching(TCP_FLAGS.FIN | TCP_FLAGS.SYN | TCP_FLAGS.RST | TCP_FLAGS.ACK, TCP_FLAGS.SYN),
                  option.negated,
                ),
              });
            break;
          default:
            conditions.push(unknownOption(option));
        }
      }
      return conditions;
    }
    case 'multiport': {
      conditions.push({ match: protocols([...PORTED_PROTOCOLS]) });
      for (const option of module.options) {
        const list = (): Ranges => portList(single(option, module));
        switch (option.name) {
          case 'sports':
          case 'source-ports':
            conditions.push({ match: on('sport', list(), option.negated) });
            break;
          case 'dports':
          case 'destination-ports':
            conditions.push({ match: on('dport', list(), option.negated) });
            break;
          case 'ports': {
            const ports = list();
            const either = full.restrict('sport', ports).union(full.restrict('dport', ports));
            conditions.push({ match: exactly(option.negated ? full.subtract(either) : either) });
            break;
          }
          default:
            conditions.push(unknownOption(option));
        }
      }
      return conditions;
    }
    case 'icmp':
    case 'icmp6': {
      const v6 = module.name === 'icmp6';
      conditions.push({ match: protocols([v6 ? 58 : 1]) });
      for (const option of module.options) {
        if (option.name === (v6 ? 'icmpv6-type' : 'icmp-type'))
          conditions.push({ match: on('icmp', icmpRange(single(option, module), v6 ? ICMPV6_TYPES : ICMP_TYPES), option.negated) });
        else conditions.push(unknownOption(option));
      }
      return conditions;
    }
    case 'iprange': {
      for (const option of module.options) {
        const dim: Dimension | undefined = option.name === 'src-range' ? 'src' : option.name === 'dst-range' ? 'dst' : undefined;
        if (!dim) {
          conditions.push(unknownOption(option));
          continue;
        }
        const text = single(option, module);
        const range = parseNetwork(text);
        if (!range || !text.includes('-')) throw new BadValue(`"${text}" is not an address range a-b`);
        if (range.family !== ctx.family) throw new BadValue(`"${text}" is an IPv${range.family} range in an IPv${ctx.family} rule set`);
        conditions.push({ match: on(dim, range.ranges, option.negated) });
      }
      return conditions;
    }
    case 'state':
    case 'conntrack': {
      for (const option of module.options) {
        if (option.name !== 'state' && option.name !== 'ctstate') {
          conditions.push(module.name === 'conntrack' ? connectionTupleCondition(option, module, ctx, full) : unknownOption(option));
          continue;
        }
        const names = single(option, module)
          .split(',')
          .map((s) => s.toUpperCase());
        const virtual = names.filter((n) => n === 'SNAT' || n === 'DNAT');
        if (virtual.length > 0) {
          conditions.push({ match: undecided(`conntrack state ${virtual.join(',')} (address translation) is not modelled`, full) });
          continue;
        }
        const states = names.map((n) => {
          const state = CONNTRACK_STATES[n];
          if (state === undefined)
            throw new BadValue(`unknown connection state "${n}": expected NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED`);
          return [BigInt(state), BigInt(state)] as const;
        });
        if (ctx.table === 'raw') {
          conditions.push({ match: undecided('connection state is matched in the raw table, before connection tracking', full) });
          continue;
        }
        conditions.push({ match: on('state', Ranges.fromIntervals(states), option.negated), reads: 'ctstate' });
      }
      return conditions;
    }
    case 'comment':
      return conditions;
    case 'addrtype': {
      for (const option of module.options) {
        const dim = option.name === 'src-type' ? 'src' : option.name === 'dst-type' ? 'dst' : undefined;
        if (!dim) {
          conditions.push(unknownOption(option));
          continue;
        }
        const { surely, may } = addressTypeMatch(
          single(option, module)
            .split(',')
            .map((t) => t.toUpperCase()),
          ctx,
        );
        const sure = full.restrict(dim, surely);
        const maybe = full.restrict(dim, may);
        const reason = `whether an address is of type ${single(option, module)} depends on the routing table${ctx.localAddresses ? '' : ' and on the firewall\'s own addresses (give the deployment its "host:")'}`;
        const match = { surely: sure, may: maybe, uncertain: sure.equals(maybe) ? [] : [reason] };
        conditions.push({
          match: option.negated ? { surely: full.subtract(maybe), may: full.subtract(sure), uncertain: match.uncertain } : match,
        });
      }
      return conditions;
    }
    case 'pkttype': {
      for (const option of module.options) {
        if (option.name !== 'pkt-type') {
          conditions.push(unknownOption(option));
          continue;
        }
        const kind = single(option, module).toLowerCase();
        const { surely, may } = packetTypeMatch(kind, ctx);
        const reason = `whether a packet to an address is link-layer ${kind} depends on the networks the firewall is on`;
        const match = {
          surely: full.restrict('dst', surely),
          may: full.restrict('dst', may),
          uncertain: surely.equals(may) ? [] : [reason],
        };
        conditions.push({
          match: option.negated
            ? { surely: full.subtract(match.may), may: full.subtract(match.surely), uncertain: match.uncertain }
            : match,
        });
      }
      return conditions;
    }
    case 'set': {
      for (const option of module.options) {
        if (option.name !== 'match-set' || option.values.length !== 2) {
          conditions.push(unknownOption(option));
          continue;
        }
        const [name, flags] = option.values;
        const packets = ctx.ipsets
          ? matchSetPackets(ctx.ipsets, name, flags, ctx.family)
          : `the members of ipset ${name} are not known (give the firewall an "ipsets:" file from ipset save)`;
        if (typeof packets === 'string') conditions.push({ match: undecided(packets, full) });
        else conditions.push({ match: exactly(option.negated ? full.subtract(packets) : packets) });
      }
      return conditions;
    }
    case 'mark':
    case 'connmark': {
      for (const option of module.options) {
        if (option.name !== 'mark') {
          conditions.push(unknownOption(option));
          continue;
        }
        const text = single(option, module);
        if (!/^(0x[0-9a-f]+|\d+)(\/(0x[0-9a-f]+|\d+))?$/i.test(text)) throw new BadValue(`"${text}" is not a mark value[/mask]`);
        const value = BigInt(text.split('/')[0]);
        // A packet no rule has marked has mark 0, and (0 & mask) == value holds only for value 0.
        const zeroMatches = value === 0n;
        conditions.push({
          match: exactly(zeroMatches !== option.negated ? full : PacketSet.EMPTY),
          reads: module.name === 'mark' ? 'mark' : 'connmark',
        });
      }
      return conditions;
    }
    default:
      return [{ match: undecided(`match module "${module.name}" is not modelled`, full) }];
  }
}

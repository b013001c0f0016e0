/**
 * What an iptables rule's conditions match, as three-valued packet sets. Every condition the
 * engine models exactly becomes a decided set; anything else (an unknown module or option, a
 * rate, a user) becomes an undecided condition that names itself — never a guess.
 */
import type { ModuleOption, MatchModule, Rule, Negatable } from '../../../parsers/iptables-parser/src';
import { PacketSet, Ranges, parseNetwork, CtState, TcpFlag, type Dimension, type Family } from '../../packetset';
import { allOf, exactly, undecided } from '../../model/match';
import type { InterfaceUniverse, Match, Metadata, RuleReads, ValueTest } from '../../model/policy';
import { PORTED_PROTOCOLS, protocolNumber as ianaProtocolNumber } from '../../model/protocols';
import { ICMPV6_TYPES, ICMP_TYPES, SERVICES } from './names';
import { matchSetPackets, type IpSet } from './ipset';
import { ADDRESS_TYPES, addressTypeDecision, decisionMatch, packetTypeDecision, packetTypeName } from './address-types';
import { BadValue } from './bad-value';
import { markTest } from './marks';

export { BadValue };

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
  reads?: RuleReads;
}

interface Condition {
  match: Match;
  /** Set when the condition reads metadata a rule may have changed. */
  reads?: Metadata | readonly Metadata[];
  /** Set when the condition is this test of a value (`match` is then what it matches while the value is 0). */
  test?: ValueTest;
}

/** Names from the file are looked up in maps, where `constructor` or `__proto__` are ordinary unknown names. */
const CONNTRACK_STATES: ReadonlyMap<string, number> = new Map(Object.entries(CtState));

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
  const metadata = [
    ...new Set(conditions.flatMap((c) => (c.reads === undefined ? [] : typeof c.reads === 'string' ? [c.reads] : c.reads))),
  ];
  if (metadata.length === 0) return { match };
  const unread = conditions.filter((c) => c.reads === undefined).map((c) => c.match);
  const tests = conditions.flatMap((c) => (c.test ? [c.test] : []));
  const others = (): Match =>
    allOf(
      conditions.filter((c) => !c.test).map((c) => c.match),
      full,
    );
  return {
    match,
    reads: { metadata, relaxed: allOf(unread, full).may, ...(tests.length > 0 ? { values: { tests, others: others() } } : {}) },
  };
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
  const service = SERVICES.get(text.toLowerCase());
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

/** The flag names iptables knows (ECE and CWR it does not name: `--tcp-flags ECE ECE` is refused). */
const TCP_FLAG_NAMES: ReadonlyMap<string, number> = new Map([
  ['FIN', TcpFlag.FIN],
  ['SYN', TcpFlag.SYN],
  ['RST', TcpFlag.RST],
  ['PSH', TcpFlag.PSH],
  ['ACK', TcpFlag.ACK],
  ['URG', TcpFlag.URG],
  ['ALL', 0x3f],
  ['NONE', 0],
]);

function tcpFlagSet(list: string): number {
  return list.split(',').reduce((bits, name) => {
    const bit = TCP_FLAG_NAMES.get(name.toUpperCase());
    if (bit === undefined) throw new BadValue(`unknown TCP flag "${name}": expected FIN, SYN, RST, PSH, ACK, URG, ALL or NONE`);
    return bits | bit;
  }, 0);
}

/**
 * The flag values v with (v & mask) == compare, as ranges over the 8-bit flags field. As in the
 * kernel, `compare` is not masked: a compare with a flag outside the mask matches no packet.
 */
function tcpFlagsMatching(mask: number, compare: number): Ranges {
  const values: [bigint, bigint][] = [];
  for (let v = 0; v < 256; v++) if ((v & mask) === compare) values.push([BigInt(v), BigInt(v)]);
  return Ranges.fromIntervals(values);
}

function icmpRange(text: string, names: ReadonlyMap<string, readonly number[]>): Ranges {
  if (text === 'any') return Ranges.of(0n, 65535n);
  let typeCode: readonly number[] | undefined = names.get(text);
  if (!typeCode && /^\d+(\/\d+)?$/.test(text)) typeCode = text.split('/').map(Number);
  if (!typeCode || typeCode.some((n) => n > 255)) throw new BadValue(`"${text}" is not an ICMP type name or type[/code]`);
  const [type, code] = typeCode;
  if (code === undefined) return Ranges.of(BigInt(type * 256), BigInt(type * 256 + 255));
  return Ranges.point(BigInt(type * 256 + code));
}

/** Conntrack options about the connection's original tuple, which dimensions of the packet give. */
const ORIGINAL_TUPLE: ReadonlyMap<string, Dimension> = new Map([
  ['ctorigsrc', 'src'],
  ['ctorigdst', 'dst'],
  ['ctorigsrcport', 'sport'],
  ['ctorigdstport', 'dport'],
  ['ctproto', 'proto'],
]);

/**
 * A conntrack option about the connection itself. The first packet of a new connection (state
 * NEW, original direction, not yet translated) carries the original tuple, so for it these are
 * decided; for packets of other states they are not.
 */
function connectionTupleCondition(option: ModuleOption, module: MatchModule, ctx: MatchContext, full: PacketSet): Condition {
  const fresh = full.restrict('state', Ranges.point(BigInt(CtState.NEW)));
  const reason = `--${option.name} of an established connection's packets depends on the connection, which fwmatrix does not track`;
  let newMatch: PacketSet;
  const dim = ORIGINAL_TUPLE.get(option.name);
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

/**
 * The packets with no conntrack entry where the rule is: all of them in raw (which runs before
 * connection tracking), elsewhere the INVALID and UNTRACKED ones.
 */
export function withoutConntrack(ctx: Pick<MatchContext, 'table'>, full: PacketSet): PacketSet {
  if (ctx.table === 'raw') return full;
  return full.restrict('state', Ranges.fromIntervals([CtState.INVALID, CtState.UNTRACKED].map((s) => [BigInt(s), BigInt(s)] as const)));
}

/** `--state`/`--ctstate S`: a packet without a conntrack entry is INVALID in raw (UNTRACKED once NOTRACK ran), else its own state. */
function stateCondition(option: ModuleOption, module: MatchModule, ctx: MatchContext, full: PacketSet): Condition {
  const names = single(option, module)
    .split(',')
    .map((s) => s.toUpperCase());
  const virtual = names.filter((n) => n === 'SNAT' || n === 'DNAT');
  if (virtual.length > 0) return { match: undecided(`conntrack state ${virtual.join(',')} (address translation) is not modelled`, full) };
  const states = names.map((n) => {
    const state = CONNTRACK_STATES.get(n);
    if (state === undefined)
      throw new BadValue(`unknown connection state "${n}": expected NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED`);
    return state;
  });
  if (ctx.table === 'raw') {
    // No packet has a conntrack entry yet: INVALID, or UNTRACKED once a NOTRACK before this rule untracked it.
    const untracked = full.restrict('state', Ranges.point(BigInt(CtState.UNTRACKED)));
    const holds = (state: number): boolean => states.includes(state) !== option.negated;
    const set = (holds(CtState.INVALID) ? full.subtract(untracked) : PacketSet.EMPTY).union(
      holds(CtState.UNTRACKED) ? untracked : PacketSet.EMPTY,
    );
    return { match: exactly(set), reads: 'ctstate' };
  }
  const set = full.restrict('state', Ranges.fromIntervals(states.map((s) => [BigInt(s), BigInt(s)] as const)));
  return { match: exactly(option.negated ? full.subtract(set) : set), reads: 'ctstate' };
}

/**
 * The conditions of `-m state` or `-m conntrack`. For a packet without a conntrack entry the
 * kernel's conntrack match tests the state option alone: it holds when the module has one and it
 * holds, and is false when the module has none, whatever the other options (or their `!`) say.
 */
function conntrackConditions(module: MatchModule, ctx: MatchContext, full: PacketSet): Condition[] {
  const untracked = withoutConntrack(ctx, full);
  const tracked = full.subtract(untracked);
  const hasState = module.options.some((o) => o.name === 'state' || o.name === 'ctstate');
  return module.options.map((option): Condition => {
    if (option.name === 'state' || option.name === 'ctstate') return stateCondition(option, module, ctx, full);
    if (module.name !== 'conntrack') {
      return { match: undecided(`option --${option.name} of match module "${module.name}" is not understood`, full) };
    }
    const { match } = connectionTupleCondition(option, module, ctx, full);
    const alone = hasState ? untracked : PacketSet.EMPTY;
    return {
      match: {
        surely: match.surely.intersect(tracked).union(alone),
        may: match.may.intersect(tracked).union(alone),
        uncertain: match.uncertain,
      },
      reads: 'ctstate',
    };
  });
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
              match: on('tcpflags', tcpFlagsMatching(tcpFlagSet(option.values[0]), tcpFlagSet(option.values[1])), option.negated),
            });
            break;
          case 'syn':
            if (module.name !== 'tcp') conditions.push(unknownOption(option));
            else
              conditions.push({
                match: on('tcpflags', tcpFlagsMatching(TcpFlag.FIN | TcpFlag.SYN | TcpFlag.RST | TcpFlag.ACK, TcpFlag.SYN), option.negated),
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
    case 'conntrack':
      return conntrackConditions(module, ctx, full);
    case 'comment':
      return conditions;
    case 'addrtype': {
      for (const option of module.options) {
        const dim = option.name === 'src-type' ? 'src' : option.name === 'dst-type' ? 'dst' : undefined;
        if (!dim) {
          conditions.push(unknownOption(option));
          continue;
        }
        const text = single(option, module);
        const types = text.split(',').map((t) => t.toUpperCase());
        for (const t of types) {
          if (!(ADDRESS_TYPES as readonly string[]).includes(t))
            throw new BadValue(`unknown address type "${t}": expected one of ${ADDRESS_TYPES.join(', ')}`);
        }
        const reason = `whether the ${dim === 'src' ? 'source' : 'destination'} is of type ${text} depends on the firewall's routes${ctx.localAddresses ? '' : ' and its own addresses (give the deployment its "host:")'}`;
        conditions.push({ match: decisionMatch(addressTypeDecision(dim, types, ctx), option.negated, reason, full) });
      }
      return conditions;
    }
    case 'pkttype': {
      for (const option of module.options) {
        if (option.name !== 'pkt-type') {
          conditions.push(unknownOption(option));
          continue;
        }
        const text = single(option, module);
        const kind = packetTypeName(text);
        if (!kind) throw new BadValue(`unknown packet type "${text}": expected unicast, broadcast, multicast or otherhost`);
        const reason = `whether the packet came as a link-layer ${kind} frame is not in the rule set (only forwarded packets are surely unicast)`;
        conditions.push({ match: decisionMatch(packetTypeDecision(kind, ctx), option.negated, reason, full) });
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
        const test = markTest(module.name, single(option, module), option.negated);
        // A connection mark needs a connection: without a conntrack entry -m connmark never matches, even negated.
        // Whether the packet has one is a condition of its own (NOTRACK takes it away).
        if (module.name === 'connmark') conditions.push({ match: exactly(full.subtract(withoutConntrack(ctx, full))), reads: 'ctstate' });
        // A packet no rule has marked has mark 0, and (0 & mask) == value holds only for value 0.
        const zeroMatches = test.expected === 0;
        conditions.push({ match: exactly(zeroMatches !== option.negated ? full : PacketSet.EMPTY), reads: test.metadata, test });
      }
      return conditions;
    }
    default:
      return [{ match: undecided(`match module "${module.name}" is not modelled`, full) }];
  }
}

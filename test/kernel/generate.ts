/**
 * Seeded random iptables-save rule sets built only from features fwmatrix models exactly, and
 * probes aimed at the edges of what a rule set names (first and last addresses and ports of each
 * prefix, range and port list, and the ones just outside).
 */
import { type Family, type Probe, type ProbeChain, RoundPlan } from './netns';
import { interleave, markFilterRules, markRuleset, markTableRules } from './generate-marks';

/** mulberry32: small, fast and good enough to vary test inputs reproducibly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Picker {
  constructor(readonly random: () => number) {}
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  one<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  /** A non-empty subset in the items' order. */
  some<T>(items: readonly T[]): T[] {
    const chosen = items.filter(() => this.chance(0.4));
    return chosen.length > 0 ? chosen : [this.one(items)];
  }
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min + 1n;
    let value = 0n;
    for (let i = 0; i < 5; i++) value = (value << 32n) | BigInt(Math.floor(this.random() * 4294967296));
    return min + (value % span);
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses as bigints, so that IPv4 and IPv6 share the arithmetic.

function addressBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

function parseAddress(text: string): { family: Family; value: bigint } {
  if (!text.includes(':')) {
    const parts = text.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${text}`);
    return { family: 4, value: parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n) };
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw new Error(`not an IPv6 address: ${text}`);
  return { family: 6, value: all.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

/** Dotted quad, or RFC 5952 text for IPv6 (as iptables-save writes it). */
export function formatAddress(value: bigint, family: Family): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

export interface AddressRange {
  first: bigint;
  last: bigint;
}

export function prefixRange(cidr: string): AddressRange & { family: Family } {
  const [address, length] = cidr.split('/');
  const { family, value } = parseAddress(address);
  const bits = addressBits(family);
  const hostBits = BigInt(bits - (length === undefined ? bits : Number(length)));
  const first = (value >> hostBits) << hostBits;
  return { family, first, last: first + (1n << hostBits) - 1n };
}

export function inRange(value: bigint, range: AddressRange): boolean {
  return range.first <= value && value <= range.last;
}

/** Documentation prefixes (RFC 5737, RFC 3849): the generated rule sets and their probes stay inside them. */
export const DOCUMENTATION_PREFIXES: Record<Family, string[]> = {
  4: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'],
  6: ['2001:db8:0:1::/64', '2001:db8:0:2::/64', '2001:db8:a::/64'],
};

// ---------------------------------------------------------------------------------------------
// Rule sets

const RULE_INTERFACES = ['eth0', 'eth1', 'eth+', 'lo'];
/** wlan0 is there so that `eth+` has something not to match. */
export const PROBE_INTERFACES = ['eth0', 'eth1', 'wlan0'];
const OTHER_PROTOCOLS = [89, 253];
const CONNTRACK_STATES = ['NEW', 'RELATED', 'ESTABLISHED', 'INVALID', 'UNTRACKED'];
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];
const PORTS = [22, 53, 80, 443, 1024, 3389, 8080, 40000, 65535];
const COMMENTS = ['allow web', 'ssh', 'legacy rule', 'ticket 4711: temporary', '!', 'quote "x"'];
const USER_CHAIN_NAMES = ['svc', 'web_in', 'LOGDROP', 'fw-net', 'ssh.limits', 'Chain_5', 'mgmt', 'ALLOW-ICMP'];

function negation(pick: Picker, probability = 0.2): string {
  return pick.chance(probability) ? '! ' : '';
}

function randomPrefix(pick: Picker, family: Family): string {
  const poolPrefix = pick.one(DOCUMENTATION_PREFIXES[family]);
  const pool = prefixRange(poolPrefix);
  const length = Number(poolPrefix.split('/')[1]) + pick.one(family === 4 ? [0, 1, 2, 4, 5, 6, 8] : [0, 32, 48, 56, 60, 63, 64]);
  const hostBits = BigInt(addressBits(family) - length);
  const network = (pick.bigint(pool.first, pool.last) >> hostBits) << hostBits;
  return `${formatAddress(network, family)}/${length}`;
}

function randomAddressRange(pick: Picker, family: Family): string {
  const pool = prefixRange(pick.one(DOCUMENTATION_PREFIXES[family]));
  const a = pick.bigint(pool.first, pool.last);
  const b = pick.chance(0.3) ? a : pick.bigint(pool.first, pool.last);
  const [first, last] = a <= b ? [a, b] : [b, a];
  return `${formatAddress(first, family)}-${formatAddress(last, family)}`;
}

/** A port or a range `first:last`. */
function randomPortSpec(pick: Picker): string {
  const port = pick.chance(0.6) ? pick.one(PORTS) : pick.integer(1, 65535);
  if (pick.chance(0.5)) return String(port);
  const other = pick.chance(0.5) ? pick.one(PORTS) : pick.integer(1, 65535);
  // multiport refuses a range whose ends are equal
  return port === other ? String(port) : `${Math.min(port, other)}:${Math.max(port, other)}`;
}

function protocolMatches(pick: Picker, protocol: string): string[] {
  const parts: string[] = [];
  if (protocol === 'tcp' || protocol === 'udp') {
    if (pick.chance(0.5)) {
      const options: string[] = [];
      if (pick.chance(0.4)) options.push(`${negation(pick)}--sport ${randomPortSpec(pick)}`);
      if (options.length === 0 || pick.chance(0.5)) options.push(`${negation(pick)}--dport ${randomPortSpec(pick)}`);
      if (protocol === 'tcp' && pick.chance(0.45)) {
        if (pick.chance(0.35)) options.push(`${negation(pick)}--syn`);
        else {
          options.push(`${negation(pick)}--tcp-flags ${randomTcpFlags(pick)}`);
        }
      }
      parts.push(`-m ${protocol} ${options.join(' ')}`);
      // eslint-disable-next-line no-dupe-else-if -- every pick.chance() is a new draw
    } else if (pick.chance(0.5)) {
      const option = pick.one(['dports', 'sports', 'ports']);
      const list = Array.from({ length: pick.integer(1, 4) }, () => randomPortSpec(pick));
      parts.push(`-m multiport ${negation(pick)}--${option} ${list.join(',')}`);
    }
  } else if (protocol === 'icmp' && pick.chance(0.6)) {
    const types = ['8', '0', '3', '3/4', '11', '8/0', '8/1', 'any', 'echo-request', '13', '17/0', 'timestamp-request', '14'];
    parts.push(`-m icmp ${negation(pick)}--icmp-type ${pick.one(types)}`);
  } else if (protocol === 'ipv6-icmp' && pick.chance(0.6)) {
    const types = ['128', '129', '1/4', '135', '128/0', '128/1', 'echo-request', '139', '139/1', 'echo-reply'];
    parts.push(`-m icmp6 ${negation(pick)}--icmpv6-type ${pick.one(types)}`);
  }
  return parts;
}

/** `MASK COMP`, COMP sometimes with a flag outside MASK (then the kernel's (flags & MASK) == COMP never holds). */
function randomTcpFlags(pick: Picker): string {
  const mask = pick.some(TCP_FLAGS);
  const outside = TCP_FLAGS.filter((flag) => !mask.includes(flag));
  const set = [...mask.filter(() => pick.chance(0.5)), ...(outside.length > 0 && pick.chance(0.5) ? [pick.one(outside)] : [])];
  return `${mask.join(',')} ${set.length > 0 ? set.join(',') : 'NONE'}`;
}

interface RuleContext {
  family: Family;
  /**
   * For raw and mangle: a source or destination prefix and few other matches, so that most probes
   * still reach filter.
   */
  narrow: boolean;
  /** A built-in INPUT or PREROUTING chain: no `-o` there. */
  noOutput: boolean;
  /** The chain the rule is in: FORWARD's packets are decided for pkttype, INPUT's for more address types. */
  chain: string;
}

interface Matches {
  text: string;
  /** The protocol the rule requires (`-p` without `!`), if any. */
  protocol?: string;
}

function randomMatches(pick: Picker, context: RuleContext): Matches {
  const { family, narrow } = context;
  const parts: string[] = [];
  let required: string | undefined;
  const source = pick.chance(narrow ? 0.5 : 0.3);
  if (source) parts.push(`${narrow ? '' : negation(pick)}-s ${randomPrefix(pick, family)}`);
  if ((narrow && !source) || pick.chance(0.3)) parts.push(`${narrow ? '' : negation(pick)}-d ${randomPrefix(pick, family)}`);
  if (!narrow && pick.chance(0.25)) parts.push(`${negation(pick, 0.25)}-i ${pick.one(RULE_INTERFACES)}`);
  if (!context.noOutput && pick.chance(0.2)) parts.push(`${negation(pick, 0.25)}-o ${pick.one(RULE_INTERFACES)}`);
  if (pick.chance(narrow ? 0.4 : 0.55)) {
    const icmp = family === 4 ? 'icmp' : 'ipv6-icmp';
    const protocol = pick.one(['tcp', 'tcp', 'tcp', 'udp', 'udp', icmp, String(pick.one(OTHER_PROTOCOLS))]);
    if (pick.chance(0.1)) parts.push(`! -p ${protocol}`);
    else {
      required = protocol;
      parts.push(`-p ${protocol}`, ...protocolMatches(pick, protocol));
    }
  }
  if (!narrow && pick.chance(0.12)) {
    const ranges: string[] = [];
    if (pick.chance(0.6)) ranges.push(`${negation(pick)}--src-range ${randomAddressRange(pick, family)}`);
    if (ranges.length === 0 || pick.chance(0.4)) ranges.push(`${negation(pick)}--dst-range ${randomAddressRange(pick, family)}`);
    parts.push(`-m iprange ${ranges.join(' ')}`);
  }
  if (pick.chance(narrow ? 0.25 : 0.18)) parts.push(conntrackMatch(pick, family));
  if (pick.chance(narrow ? 0.15 : 0.12)) parts.push(addressTypeMatch(pick, context));
  if (context.chain === 'FORWARD' && pick.chance(0.15)) {
    parts.push(`-m pkttype ${negation(pick, 0.3)}--pkt-type ${pick.one(['unicast', 'broadcast', 'multicast', 'host', 'otherhost'])}`);
  }
  if (!narrow && pick.chance(0.08)) {
    const mark = pick.one(['0', '0x0/0xff', '0x1', '0x10/0x10', '0x0/0x0']);
    parts.push(`-m ${pick.one(['mark', 'connmark'])} ${negation(pick, 0.4)}--mark ${mark}`);
  }
  if (pick.chance(0.1)) parts.push(`-m comment --comment ${JSON.stringify(pick.one(COMMENTS))}`);
  return { text: parts.join(' '), protocol: required };
}

/**
 * `-m state`, or `-m conntrack` with a state and (or only) options of the original tuple, which
 * the kernel tests only for packets with a conntrack entry (in raw: none yet).
 */
function conntrackMatch(pick: Picker, family: Family): string {
  const states = pick.some(CONNTRACK_STATES).join(',');
  if (pick.chance(0.4)) return `-m state ${negation(pick)}--state ${states}`;
  const options: string[] = [];
  if (pick.chance(0.7)) options.push(`${negation(pick)}--ctstate ${states}`);
  if (options.length === 0 || pick.chance(0.35)) {
    const tuple = pick.one([
      `--ctorigsrc ${randomPrefix(pick, family)}`,
      `--ctorigdst ${randomPrefix(pick, family)}`,
      `--ctproto ${pick.one(['tcp', 'udp', '6'])}`,
      `--ctorigdstport ${pick.one(PORTS)}`,
      `--ctdir ${pick.one(['ORIGINAL', 'REPLY'])}`,
    ]);
    // iptables refuses a negated --ctdir.
    options.push(`${tuple.startsWith('--ctdir') ? '' : negation(pick)}${tuple}`);
  }
  return `-m conntrack ${options.join(' ')}`;
}

/**
 * Address types the kernel decides for the probes from what fwmatrix knows: IPv4's all; IPv6's
 * route types ANYCAST and UNREACHABLE only for destinations in INPUT (elsewhere they depend on
 * the routes, which the rule set does not give).
 */
function addressTypeMatch(pick: Picker, context: RuleContext): string {
  const v4 = ['UNICAST', 'LOCAL', 'BROADCAST', 'MULTICAST', 'ANYCAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT'];
  const v6 = ['UNSPEC', 'UNICAST', 'LOCAL', 'MULTICAST'];
  const types = (dim: 'src' | 'dst'): string =>
    pick.some(context.family === 4 ? v4 : dim === 'dst' && context.chain === 'INPUT' ? [...v6, 'ANYCAST', 'UNREACHABLE'] : v6).join(',');
  const options: string[] = [];
  if (pick.chance(0.5)) options.push(`${negation(pick, 0.3)}--src-type ${types('src')}`);
  if (options.length === 0 || pick.chance(0.4)) options.push(`${negation(pick, 0.3)}--dst-type ${types('dst')}`);
  return `-m addrtype ${options.join(' ')}`;
}

function rejectTarget(pick: Picker, family: Family, matches: Matches): string {
  if (matches.protocol === 'tcp' && pick.chance(0.4)) return 'REJECT --reject-with tcp-reset';
  return `REJECT --reject-with ${family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`;
}

/** One rule of a filter chain; `callable` are the user chains it may jump or go to (later ones only: no loops). */
function filterRule(pick: Picker, family: Family, chain: string, callable: string[]): string {
  const builtin = chain === 'INPUT' || chain === 'FORWARD';
  const matches = randomMatches(pick, { family, narrow: false, noOutput: chain === 'INPUT', chain });
  const weights: [string, number][] = [
    ['ACCEPT', 25],
    ['DROP', 18],
    ['REJECT', 9],
    ['LOG', 7],
    ['none', 5],
    ['RETURN', builtin ? 2 : 9],
    ['jump', callable.length > 0 ? 16 : 0],
    ['goto', callable.length > 0 ? 7 : 0],
  ];
  let roll = pick.random() * weights.reduce((sum, [, w]) => sum + w, 0);
  const kind = weights.find(([, w]) => (roll -= w) < 0)![0];
  let target: string;
  switch (kind) {
    case 'REJECT':
      target = `-j ${rejectTarget(pick, family, matches)}`;
      break;
    case 'LOG':
      target = `-j LOG --log-prefix "${chain}: "${pick.chance(0.5) ? ' --log-level 6' : ''}`;
      break;
    case 'none':
      target = '';
      break;
    case 'jump':
      target = `-j ${pick.one(callable)}`;
      break;
    case 'goto':
      target = `-g ${pick.one(callable)}`;
      break;
    default:
      target = `-j ${kind}`;
  }
  return ['-A', chain, matches.text, target].filter((part) => part !== '').join(' ');
}

const TABLE_BUILTINS: Record<'raw' | 'mangle', string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
};

function preroutingRules(pick: Picker, family: Family, table: 'raw' | 'mangle'): string[] {
  // mangle also filters in INPUT and FORWARD, after routing.
  const chains = table === 'raw' ? ['PREROUTING'] : ['PREROUTING', 'PREROUTING', 'INPUT', 'FORWARD'];
  return Array.from({ length: pick.integer(1, 3) }, () => {
    const chain = pick.one(chains);
    const matches = randomMatches(pick, { family, narrow: true, noOutput: chain !== 'FORWARD', chain }).text;
    // raw can take packets out of connection tracking: later state and connmark matches see it.
    const target = table === 'raw' && pick.chance(0.4) ? pick.one(['NOTRACK', 'CT --notrack']) : pick.chance(0.5) ? 'DROP' : 'ACCEPT';
    return `-A ${chain} ${matches} -j ${target}`;
  });
}

function tableText(table: 'raw' | 'mangle', rules: string[]): string {
  return [`*${table}`, ...TABLE_BUILTINS[table].map((c) => `:${c} ACCEPT [0:0]`), ...rules, 'COMMIT'].join('\n');
}

/**
 * A rule set in iptables-save (ip6tables-save for family 6) form. Marks are drawn from a random
 * source of their own, so that the rest of a seed's rule set is as it was before marks came.
 */
export function generateRuleset(seed: number, family: Family): string {
  const pick = new Picker(seededRandom(seed));
  const marks = new Picker(seededRandom(seed ^ 0x6d61726b));
  const withMarks = marks.chance(0.5);
  const userChains = USER_CHAIN_NAMES.filter(() => pick.chance(0.5)).slice(0, pick.integer(1, 5));
  const lines = [`# Generated by fwmatrix's kernel oracle test, seed ${seed}`];
  for (const table of ['raw', 'mangle'] as const) {
    const rules = pick.chance(0.3) ? preroutingRules(pick, family, table) : [];
    const markRules = withMarks && marks.chance(table === 'raw' ? 0.4 : 0.9) ? markTableRules(marks, table, family) : [];
    if (rules.length + markRules.length > 0) lines.push(tableText(table, interleave(marks, rules, markRules)));
  }
  lines.push('*filter');
  for (const chain of ['INPUT', 'FORWARD']) lines.push(`:${chain} ${pick.chance(0.5) ? 'DROP' : 'ACCEPT'} [0:0]`);
  lines.push(':OUTPUT ACCEPT [0:0]', ...userChains.map((chain) => `:${chain} - [0:0]`));
  for (const chain of ['INPUT', 'FORWARD']) {
    const rules: string[] = [];
    // Often a flags rule first, so that most TCP probes are tested against one.
    if (pick.chance(0.4))
      rules.push(
        `-A ${chain} -p tcp -m tcp ${negation(pick, 0.3)}--tcp-flags ${randomTcpFlags(pick)} -j ${pick.one(['ACCEPT', 'DROP', 'LOG'])}`,
      );
    for (let i = pick.integer(3, 9); i > 0; i--) rules.push(filterRule(pick, family, chain, userChains));
    lines.push(...(withMarks ? interleave(marks, rules, markFilterRules(marks, chain, family)) : rules));
  }
  userChains.forEach((chain, index) => {
    for (let i = pick.integer(1, 6); i > 0; i--) lines.push(filterRule(pick, family, chain, userChains.slice(index + 1)));
  });
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** A rule set of marks alone (see `markRuleset`), in iptables-save (ip6tables-save for family 6) form. */
export function generateMarkRuleset(seed: number, family: Family): string {
  return markRuleset(new Picker(seededRandom(seed)), family, seed);
}

/**
 * The classes of features the generated rule sets must keep covering, each told by the text of a
 * rule a probe was tested against.
 */
export const FEATURE_CLASSES: Readonly<Record<string, RegExp>> = {
  'tcp flags': /--tcp-flags|--syn/,
  'tcp flags compared outside the mask': /--tcp-flags (\S+) (\S+)/,
  addrtype: /-m addrtype/,
  pkttype: /-m pkttype/,
  'mark or connmark': /-m (?:conn)?mark /,
  'MARK writer': /-j MARK /,
  'CONNMARK writer': /-j CONNMARK --(?:set|and|or|xor)/,
  'CONNMARK save or restore': /-j CONNMARK --(?:save|restore)-mark/,
  'ICMP or ICMPv6 type': /--icmp(?:v6)?-type/,
  'conntrack state': /--(?:ct)?state /,
  'conntrack tuple options': /--ctorig|--ctproto|--ctdir/,
  'NOTRACK or CT --notrack': /-j NOTRACK|--notrack/,
};

/** Whether a rule's text has the feature: a regular expression, and for compared flags outside the mask a check of the flags. */
export function hasFeature(feature: string, text: string): boolean {
  const found = FEATURE_CLASSES[feature].exec(text);
  if (!found) return false;
  if (feature !== 'tcp flags compared outside the mask') return true;
  const mask = found[1].split(',');
  return found[2].split(',').some((flag) => flag !== 'NONE' && !mask.includes(flag) && !mask.includes('ALL'));
}

// ---------------------------------------------------------------------------------------------
// Probes

export interface ProbeOptions {
  family: Family;
  seed: number;
  count: number;
  /** Interfaces probes come in on and go out of. */
  interfaces: string[];
  /** Whether an address may be a probe's source or destination in the given chain. */
  usable: (value: bigint, role: 'from' | 'to', chain: ProbeChain) => boolean;
  /** Addresses to fall back on, so that probes also exercise what no rule names. */
  extraAddresses: string[];
}

/**
 * ICMP types of probes: mostly ones that open a connection (echo, timestamp and address mask
 * requests; IPv6 echo requests and node information queries), and replies, errors and (IPv6)
 * neighbour discovery, which conntrack sees INVALID or UNTRACKED with no connection before them.
 */
const PROBE_ICMP_TYPES: Record<Family, number[]> = { 4: [8, 8, 8, 13, 17, 0, 3, 11, 14], 6: [128, 128, 128, 139, 129, 1, 135, 136] };

const PORT_OPTION = /--(?:dport|sport|dports|sports|ports|destination-ports?|source-ports?)\s+(\S+)/g;
const ADDRESS_OPTION = /(?:^|\s)-[sd]\s+(?:!\s+)?([0-9a-fA-F.:]+(?:\/\d+)?)(?=\s|$)/g;
const RANGE_OPTION = /--(?:src|dst)-range\s+([0-9a-fA-F.:]+)-([0-9a-fA-F.:]+)/g;

/** Ports at and just beside each port and range edge the rules name, plus common ones. */
function candidatePorts(text: string): number[] {
  const ports = new Set<number>(PORTS);
  for (const [, list] of text.matchAll(PORT_OPTION)) {
    for (const item of list.split(',')) {
      for (const edge of item.split(':').map(Number)) {
        for (const port of [edge - 1, edge, edge + 1]) if (Number.isInteger(port) && port >= 0 && port <= 65535) ports.add(port);
      }
    }
  }
  return [...ports];
}

/** Addresses at, inside and just outside each prefix and range the rules name. */
function candidateAddresses(text: string, family: Family, pick: Picker): bigint[] {
  const ranges: AddressRange[] = [];
  for (const [, cidr] of text.matchAll(ADDRESS_OPTION)) {
    if (cidr.includes(':') === (family === 6)) ranges.push(prefixRange(cidr));
  }
  for (const [, first, last] of text.matchAll(RANGE_OPTION)) {
    if (first.includes(':') === (family === 6)) ranges.push({ first: parseAddress(first).value, last: parseAddress(last).value });
  }
  const values = new Set<bigint>();
  for (const { first, last } of ranges) {
    for (const value of [first - 1n, first, last, last + 1n, pick.bigint(first, last)]) values.add(value);
  }
  return [...values].filter((value) => value >= 0n && value < 1n << BigInt(addressBits(family)));
}

/**
 * Probes for a rule set, aimed at the edges of what it names, all fitting one round of the kernel
 * harness (no repeated connection tuple, one disposition per destination).
 */
export function boundaryProbes(text: string, options: ProbeOptions): Probe[] {
  const { family, interfaces } = options;
  const pick = new Picker(seededRandom(options.seed));
  const addresses = [...candidateAddresses(text, family, pick), ...options.extraAddresses.map((a) => parseAddress(a).value)];
  const ports = candidatePorts(text);
  const otherProtocols = [...text.matchAll(/-p\s+(\d+)\b/g)].map(([, n]) => Number(n));
  const plan = new RoundPlan(family);
  const seen = new Set<string>();
  const probes: Probe[] = [];

  const address = (role: 'from' | 'to', chain: ProbeChain): string | null => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const value = pick.one(addresses);
      if (options.usable(value, role, chain)) return formatAddress(value, family);
    }
    return null;
  };

  for (let attempt = 0; probes.length < options.count && attempt < options.count * 20; attempt++) {
    const chain: ProbeChain = pick.chance(0.5) ? 'INPUT' : 'FORWARD';
    const input = pick.one(interfaces);
    const from = address('from', chain);
    const to = address('to', chain);
    if (from === null || to === null || from === to) continue;
    const roll = pick.random();
    const proto: Probe['proto'] =
      roll < 0.45
        ? 'tcp'
        : roll < 0.75
          ? 'udp'
          : roll < 0.9
            ? family === 4
              ? 'icmp'
              : 58
            : pick.one([...OTHER_PROTOCOLS, ...otherProtocols]);
    const hasPorts = proto === 'tcp' || proto === 'udp';
    const icmp = proto === 'icmp' || proto === 58;
    const probe: Probe = {
      from,
      to,
      proto,
      ...(hasPorts ? { sport: pick.chance(0.5) ? pick.one(ports) : pick.integer(32768, 60999), dport: pick.one(ports) } : {}),
      ...(icmp ? { icmpType: pick.one(PROBE_ICMP_TYPES[family]), icmpCode: pick.one([0, 0, 1]) } : {}),
      in: input,
      ...(chain === 'FORWARD' ? { out: pick.one(interfaces.filter((name) => name !== input)) } : {}),
      chain,
    };
    const key = JSON.stringify(probe);
    if (seen.has(key) || !plan.fits(probe)) continue;
    seen.add(key);
    plan.add(probe, probes.length);
    probes.push(probe);
  }
  return probes;
}

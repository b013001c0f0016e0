/**
 * Rules that read well but that iptables or the kernel refuses when they are loaded: a match
 * that needs its protocol, an option the match does not have, a REJECT the protocol cannot send.
 * iptables-restore stops at such a rule, so the parser does too (iptables-restore --test misses
 * the kernel's own checks; loading the rules finds them).
 */
import { type MatchModule, type ModuleOption, type Rule } from './ast';
import { protocolMatchName, protocolMatchOptions } from './catalog';
import { type RuleBody } from './command-line';

/** The kernel loads these matches only for rules whose `-p` (not negated) is their protocol. */
const PROTOCOL_OF_MATCH: ReadonlyMap<string, string> = new Map([
  ['tcp', 'tcp'],
  ['udp', 'udp'],
  ['sctp', 'sctp'],
  ['dccp', 'dccp'],
  ['icmp', 'icmp'],
  ['icmp6', 'icmp6'],
  ['esp', 'esp'],
  ['ah', 'ah'],
  ['mh', 'mh'],
  ['tcpmss', 'tcp'],
]);

/** The protocols multiport works with (by the name of the match `-p` loads). */
const MULTIPORT_PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp']);
const MULTIPORT_OPTIONS: ReadonlySet<string> = new Set(['sports', 'source-ports', 'dports', 'destination-ports', 'ports']);
/** xt_multiport holds 15 ports; a range takes two of them. */
const MULTIPORT_CAPACITY = 15;

/** Address types ip6tables' addrtype refuses (IPv6 has no broadcast, and no such routes). */
const IPV4_ONLY_ADDRESS_TYPES: ReadonlySet<string> = new Set(['BROADCAST', 'BLACKHOLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE']);

/** The name of the protocol match `-p` loads, when it is given and not negated. */
function requiredProtocol(body: RuleBody): string | undefined {
  return body.protocol && !body.protocol.negated ? protocolMatchName(body.protocol.value) : undefined;
}

/** An option of the protocol match, or (getopt_long takes one) an unambiguous prefix of one: `--dp 22`. */
function isOptionOrPrefix(module: MatchModule, option: ModuleOption): boolean {
  const options = protocolMatchOptions(module.name);
  return options.has(option.name) || [...options].some((name) => name.startsWith(option.name));
}

function multiportRefusal(module: MatchModule, protocol: string | undefined): string | undefined {
  if (protocol === undefined) return 'expected -p tcp, udp, udplite, sctp or dccp (not negated) before -m multiport';
  if (!MULTIPORT_PROTOCOLS.has(protocol)) return `expected -m multiport only with TCP, UDP, UDPLITE, SCTP or DCCP, found -p ${protocol}`;
  const portOptions = module.options.filter((option) => MULTIPORT_OPTIONS.has(option.name));
  if (portOptions.length === 0) return 'expected one of --sports, --dports or --ports after -m multiport';
  if (portOptions.length > 1)
    return `expected one port option in -m multiport, found ${portOptions.map((o) => `--${o.name}`).join(' and ')}`;
  const list = portOptions[0].values[0] ?? '';
  const slots = list.split(',').reduce((sum, item) => sum + (item.includes(':') ? 2 : 1), 0);
  if (slots > MULTIPORT_CAPACITY) {
    return `expected at most ${MULTIPORT_CAPACITY} ports in -m multiport (a range counts as two), found ${slots} in "${list}"`;
  }
  return undefined;
}

function rejectRefusal(body: RuleBody, protocol: string | undefined): string | undefined {
  const target = body.target;
  if (target?.name !== 'REJECT') return undefined;
  const withOption = target.options.find((option) => option.name === 'reject-with');
  const kind = withOption?.values[0];
  if ((kind === 'tcp-reset' || kind === 'tcp-rst') && protocol !== 'tcp') {
    return `expected -p tcp (not negated) for REJECT --reject-with ${kind}: the kernel sends a TCP reset only in reply to TCP`;
  }
  return undefined;
}

/**
 * Why iptables or the kernel refuses this rule whatever the family, or undefined when it does not.
 */
export function ruleRefusal(body: RuleBody): string | undefined {
  const protocol = requiredProtocol(body);
  for (const module of body.matches) {
    const needs = PROTOCOL_OF_MATCH.get(module.name);
    if (needs !== undefined && needs !== protocol) {
      const flag = needs === 'icmp6' ? 'ipv6-icmp' : needs;
      return `expected -p ${flag} (not negated) for -m ${module.name}: the kernel loads the ${module.name} match only for ${flag} rules`;
    }
    if (needs !== undefined && module.name !== 'tcpmss') {
      const unknown = module.options.find((option) => !isOptionOrPrefix(module, option));
      if (unknown) return `expected an option of the ${module.name} match, found --${unknown.name} (iptables knows no such option there)`;
    }
    const inverted = module.name === 'conntrack' && module.options.find((option) => option.name === 'ctdir' && option.negated);
    if (inverted) return 'expected --ctdir without "!": iptables cannot invert it (use the other direction)';
    if (module.name === 'multiport') {
      const refusal = multiportRefusal(module, protocol);
      if (refusal) return refusal;
    }
  }
  return rejectRefusal(body, protocol);
}

/** Why the kernel refuses this rule in a rule set of `family`, or undefined when it does not. */
export function familyRefusal(rule: Rule, family: 4 | 6): string | undefined {
  if (family === 4) return undefined;
  for (const module of rule.matches) {
    if (module.name !== 'addrtype') continue;
    for (const option of module.options) {
      const refused = (option.values[0] ?? '').split(',').find((type) => IPV4_ONLY_ADDRESS_TYPES.has(type.toUpperCase()));
      if (refused) {
        return `expected an IPv6 address type after --${option.name} (UNSPEC, UNICAST, LOCAL, ANYCAST, MULTICAST or UNREACHABLE): ip6tables refuses ${refused}`;
      }
    }
  }
  return undefined;
}

/**
 * What iptables knows without reading the file: its tables and their built-in
 * chains, its target names, and the protocol matches that `-p` loads by itself.
 */

/** Built-in chains of each table, in the order iptables-save prints them. */
export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export const TABLE_NAMES = Object.keys(BUILTIN_CHAINS);

/** The only policies a built-in chain accepts. */
export const POLICIES: ReadonlySet<string> = new Set(['ACCEPT', 'DROP']);

/** iptables limits chain (and target) names to 28 characters. */
export const MAX_CHAIN_NAME_LENGTH = 28;

/** Interface names must be shorter than IFNAMSIZ (16). */
export const MAX_INTERFACE_NAME_LENGTH = 15;

/**
 * Targets of iptables and the kernel (past and present) and of xtables-addons.
 * A `-j` name that is neither a chain of the table nor one of these is refused,
 * as iptables-restore refuses it (it finds no extension to load); iptables also
 * refuses `-N` of a chain named like one of them.
 */
const KNOWN_TARGETS: ReadonlySet<string> = new Set([
  'ACCEPT',
  'DROP',
  'RETURN',
  'QUEUE',
  'AUDIT',
  'CHECKSUM',
  'CLASSIFY',
  'CLUSTERIP',
  'CONNMARK',
  'CONNSECMARK',
  'CT',
  'DNAT',
  'DNPT',
  'DSCP',
  'ECN',
  'HL',
  'HMARK',
  'IDLETIMER',
  'LED',
  'LOG',
  'MARK',
  'MASQUERADE',
  'MIRROR',
  'NETMAP',
  'NFLOG',
  'NFQUEUE',
  'NOTRACK',
  'RATEEST',
  'REDIRECT',
  'REJECT',
  'SAME',
  'SECMARK',
  'SET',
  'SNAT',
  'SNPT',
  'SYNPROXY',
  'TCPMSS',
  'TCPOPTSTRIP',
  'TEE',
  'TOS',
  'TPROXY',
  'TRACE',
  'TTL',
  'ULOG',
  'ACCOUNT',
  'CHAOS',
  'DELUDE',
  'DHCPADDR',
  'DHCPMAC',
  'DNETMAP',
  'ECHO',
  'IPMARK',
  'LOGMARK',
  'PROTO',
  'RAWDNAT',
  'RAWSNAT',
  'STEAL',
  'SYSRQ',
  'TARPIT',
]);

export function isKnownTarget(name: string): boolean {
  return KNOWN_TARGETS.has(name);
}

/**
 * The match extension `-p NAME` loads implicitly, by protocol name or number. Names from the
 * file are looked up in maps only, so that `constructor` or `__proto__` are ordinary names.
 */
const PROTOCOL_MATCH: ReadonlyMap<string, string> = new Map([
  ['tcp', 'tcp'],
  ['6', 'tcp'],
  ['udp', 'udp'],
  ['17', 'udp'],
  ['icmp', 'icmp'],
  ['1', 'icmp'],
  ['icmpv6', 'icmp6'],
  ['ipv6-icmp', 'icmp6'],
  ['58', 'icmp6'],
  ['sctp', 'sctp'],
  ['132', 'sctp'],
  ['dccp', 'dccp'],
  ['33', 'dccp'],
  ['esp', 'esp'],
  ['50', 'esp'],
  ['ah', 'ah'],
  ['51', 'ah'],
  ['mh', 'mh'],
  ['ipv6-mh', 'mh'],
  ['135', 'mh'],
  ['udplite', 'udplite'],
  ['136', 'udplite'],
]);

/** Name of the match module a protocol loads: the mapped name, else the protocol itself in lower case. */
export function protocolMatchName(protocol: string): string {
  const lower = protocol.toLowerCase();
  return PROTOCOL_MATCH.get(lower) ?? lower;
}

const PORT_OPTIONS = ['sport', 'source-port', 'dport', 'destination-port'];

/**
 * Options of the protocol matches. iptables hands an option that no loaded
 * module knows to the protocol match, wherever it stands on the line
 * (`-p tcp -m state --state NEW --dport 22` saves as `... -m tcp --dport 22`).
 */
const PROTOCOL_MATCH_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['tcp', new Set([...PORT_OPTIONS, 'tcp-flags', 'syn', 'tcp-option'])],
  ['udp', new Set(PORT_OPTIONS)],
  ['icmp', new Set(['icmp-type'])],
  ['icmp6', new Set(['icmpv6-type'])],
  ['sctp', new Set([...PORT_OPTIONS, 'chunk-types'])],
  ['dccp', new Set([...PORT_OPTIONS, 'dccp-types', 'dccp-option'])],
  ['esp', new Set(['espspi'])],
  ['ah', new Set(['ahspi', 'ahlen', 'ahres'])],
  ['mh', new Set(['mh-type'])],
]);

/** The options of the protocol match `matchName` (empty for any other match). */
export function protocolMatchOptions(matchName: string): ReadonlySet<string> {
  return PROTOCOL_MATCH_OPTIONS.get(matchName) ?? NO_OPTIONS;
}

const NO_OPTIONS: ReadonlySet<string> = new Set();

/** Whether `option` (without dashes) is one of the protocol match `matchName`'s own options. */
export function isProtocolMatchOption(matchName: string, option: string): boolean {
  return PROTOCOL_MATCH_OPTIONS.get(matchName)?.has(option) ?? false;
}

/**
 * The normalized policy model: what every vendor's configuration compiles to.
 *
 * A firewall is a set of enforcement points (iptables: INPUT, FORWARD, OUTPUT; pfSense: an
 * interface's inbound list; Windows: a profile's inbound list). A point runs its stages in order
 * (iptables: raw, mangle, nat, filter, security), each stage a chain of first-match rules that may
 * jump to other chains. A packet that a stage accepts goes on to the next stage; the point accepts
 * what the last stage accepts.
 */
import { Ranges, type Family, type PacketSet } from '../packetset';

/** Where a rule (or a policy) was written. */
export interface SourceRef {
  file: string;
  /** 1-based line in the file. */
  line: number;
  /** The rule as written. */
  text: string;
  /** For XML inputs: an XPath-like locator. */
  path?: string;
}

/**
 * A three-valued match: `surely` are the packets the rule certainly matches, `may` those it may
 * match (surely ⊆ may). They differ only where the configuration does not decide (an unmodelled
 * match module, a schedule, an FQDN alias); `uncertain` names why.
 */
export interface Match {
  surely: PacketSet;
  may: PacketSet;
  uncertain: string[];
}

/**
 * Packet metadata a rule can change and a later rule can read. The engine does not track the new
 * value: a packet that went through a changing rule is undetermined for every later rule that reads it.
 */
export type Metadata = 'mark' | 'connmark' | 'ctstate';

/** How reports name each kind of metadata. */
export const METADATA_NAMES: Readonly<Record<Metadata, string>> = {
  mark: 'packet mark',
  connmark: 'connection mark',
  ctstate: 'connection tracking state',
};

export type Action =
  | { kind: 'accept' }
  | { kind: 'drop' }
  | { kind: 'reject' }
  /** Continue in another chain; packets that fall off its end (or RETURN) come back. */
  | { kind: 'jump'; chain: string }
  /** Continue in another chain; packets that fall off its end return from the current chain. */
  | { kind: 'goto'; chain: string }
  | { kind: 'return' }
  /** A non-terminating target (LOG, counters only, …): the packet goes on to the next rule. */
  | { kind: 'continue'; writes?: Metadata }
  /** A target whose outcome the configuration does not decide (NFQUEUE, DNAT, an unknown target). */
  | { kind: 'undetermined'; reason: string };

export interface DecisionRule {
  /** Stable identity inside the program: `table/chain#index`. */
  id: string;
  /** `filter/INPUT`, `mangle/PREROUTING`, `pfsense/lan`, … */
  chain: string;
  match: Match;
  action: Action;
  source: SourceRef;
  /**
   * Metadata the match reads, and `relaxed`: the packets it may match once that metadata is
   * unknown (the rule's other conditions alone).
   */
  reads?: { metadata: Metadata[]; relaxed: PacketSet };
}

export interface DecisionChain {
  /** `table/CHAIN`. */
  name: string;
  rules: DecisionRule[];
  /** A base chain's policy; user chains return to their caller instead. */
  policy?: { verdict: 'accept' | 'drop'; source?: SourceRef };
}

export interface Stage {
  /** `table/CHAIN` of the stage's base chain. */
  chain: string;
  /** The stage sees only a connection's first packet (iptables' nat table). */
  firstPacketOnly?: boolean;
  /** The stage whose rules users think of as "the firewall" (iptables' filter table): it names the accepting rule. */
  primary?: boolean;
}

export interface EnforcementPoint {
  /** INPUT, FORWARD, OUTPUT, or a vendor's name for it. */
  name: string;
  stages: Stage[];
}

/** One address family's compiled policy. */
export interface PolicyProgram {
  family: Family;
  file: string;
  chains: Map<string, DecisionChain>;
  points: EnforcementPoint[];
  interfaces: InterfaceUniverse;
  /** Number of rules written in the configuration. */
  ruleCount: number;
}

/**
 * Interfaces are a packet dimension whose values are indices: 0 means "no interface" (the out
 * interface of a packet that is delivered locally), then every name the configuration or the
 * deployment mentions, then one stand-in per wildcard prefix (`eth+`: an eth interface not named
 * anywhere). Indices past the last name stand for an interface that nothing names.
 */
export class InterfaceUniverse {
  static readonly NONE = 0;
  private readonly entries: { name: string; wildcard: boolean }[] = [{ name: '', wildcard: false }];
  private readonly index = new Map<string, number>();

  constructor(names: Iterable<string>) {
    const exact = new Set<string>(['lo']);
    const prefixes = new Set<string>();
    for (const name of names) {
      if (name.endsWith('+')) prefixes.add(name.slice(0, -1));
      else exact.add(name);
    }
    for (const name of [...exact].sort()) this.add(name, false);
    for (const prefix of [...prefixes].sort()) this.add(prefix, true);
  }

  private add(name: string, wildcard: boolean): void {
    this.index.set(wildcard ? `${name}+` : name, this.entries.length);
    this.entries.push({ name, wildcard });
  }

  /** Number of named entries (indices from this one on are unnamed interfaces). */
  get size(): number {
    return this.entries.length;
  }

  /** Index of an exact interface name, if the universe has it. */
  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }

  /**
   * The indices an iptables-style pattern matches: `eth0` exactly, `eth+` every name starting with
   * `eth` and the stand-ins of prefixes that start with `eth`; `+` every interface.
   */
  matching(pattern: string): Ranges {
    const wildcard = pattern.endsWith('+');
    const prefix = wildcard ? pattern.slice(0, -1) : pattern;
    const hits: [bigint, bigint][] = [];
    this.entries.forEach((entry, i) => {
      if (i === InterfaceUniverse.NONE) return;
      const matches = wildcard ? entry.name.startsWith(prefix) : !entry.wildcard && entry.name === prefix;
      if (matches) hits.push([BigInt(i), BigInt(i)]);
    });
    // Unnamed interfaces match only the pattern that matches every name.
    if (wildcard && prefix === '') hits.push([BigInt(this.entries.length), 65535n]);
    return Ranges.fromIntervals(hits);
  }

  /** Every real interface (all indices but "no interface"). */
  any(): Ranges {
    return Ranges.of(1n, 65535n);
  }

  /**
   * The index a concrete interface name falls on: its own, else the stand-in of the longest
   * wildcard prefix it starts with, else the first unnamed index.
   */
  resolve(name: string): number {
    const exact = this.index.get(name);
    if (exact !== undefined) return exact;
    let best: number | undefined;
    let bestLength = -1;
    this.entries.forEach((entry, i) => {
      if (entry.wildcard && name.startsWith(entry.name) && entry.name.length > bestLength) {
        best = i;
        bestLength = entry.name.length;
      }
    });
    return best ?? this.entries.length;
  }

  /** A readable name for an index: `eth0`, `eth+` (an eth interface not named in the configuration), or `*`. */
  nameOf(index: number): string {
    if (index === InterfaceUniverse.NONE) return '';
    const entry = this.entries[index];
    if (!entry) return '*';
    return entry.wildcard ? `${entry.name}+` : entry.name;
  }
}

/**
 * The normalized policy model: what every vendor's configuration compiles to, in words no vendor
 * owns.
 *
 * A firewall is a set of enforcement points, each seeing one kind of traffic (addressed to the
 * firewall itself, sent by it, or passing through it), possibly only on some interfaces or in one
 * variant (a Windows network profile). A point runs its stages in order, each stage a chain of
 * first-match rules that may jump to other chains; a packet that a stage accepts goes on to the
 * next stage, and the point accepts what the last stage accepts. Every vendor's evaluation order
 * (iptables' chains, pf's last match with quick, Windows' block-before-allow) compiles to this.
 * The normalizer also supplies the words reports use for its chains, policies and points.
 */
import { Ranges, type AddressSet, type Family, type PacketSet } from '../packetset';

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
 * Packet metadata a rule can change and a later rule can read: the packet's and its connection's
 * 32-bit marks, and whether the packet is tracked as part of a connection.
 */
export type Metadata = 'mark' | 'connmark' | 'ctstate';

/**
 * Metadata holding a 32-bit value that rules set and test bit by bit. A connection's first packet
 * starts with 0 in each (nothing marked it yet, and its connection is new); the engine follows the
 * values rules give it where they are exact.
 */
export type ValueMetadata = 'mark' | 'connmark';

/**
 * How a rule changes a value, in unsigned 32-bit arithmetic:
 * `shift((old & ~clear) ^ flip) ^ shift'(source & mask)` — the source part only with `copy`.
 */
export interface BitWrite {
  clear: number;
  flip: number;
  /** Shifts the changed old value: left by this many bits when positive, right when negative. */
  shift?: number;
  /** Mixes in (xor) another value's bits: `(source & mask)`, shifted likewise. */
  copy?: { from: ValueMetadata; mask: number; shift?: number };
}

/** What a rule's action writes into a packet's metadata. */
export type MetadataWrite =
  /** Takes the packet out of connection tracking: its state is untracked from then on. */
  | { metadata: 'ctstate' }
  | {
      metadata: ValueMetadata;
      /** How the value changes; absent when the configuration does not decide the new value (a hash, an option not understood). */
      bits?: BitWrite;
      /**
       * The write takes effect only on these packets (a connection mark needs a connection), all
       * when absent. Their connection tracking state is read as it is then (untracked after a NOTRACK-like rule).
       */
      where?: PacketSet;
    };

/** A test of a value: it holds when `((value & mask) === expected) !== negated`. */
export interface ValueTest {
  metadata: ValueMetadata;
  mask: number;
  expected: number;
  negated: boolean;
}

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
  | { kind: 'continue'; writes?: MetadataWrite }
  /** A target whose outcome the configuration does not decide (NFQUEUE, DNAT, an unknown target). */
  | { kind: 'undetermined'; reason: string };

export interface DecisionRule {
  /** Unique in the program (iptables: `table/chain#index`). */
  id: string;
  /** The name of the chain that holds it. */
  chain: string;
  match: Match;
  action: Action;
  source: SourceRef;
  /**
   * What identifies the rule across edits of the file (its text without what changes on its own,
   * such as iptables' packet counters): fingerprints are made from it, never from the line.
   */
  identity: string;
  /**
   * Metadata the match reads, and `relaxed`: the packets it may match once that metadata is
   * unknown (the rule's other conditions alone).
   */
  reads?: RuleReads;
  /**
   * A rule the firewall adds by itself rather than one the configuration writes (pf's default
   * deny, pfSense's anti-lockout rule): it decides like any other, but findings about rules
   * (shadowed, extraneous, overly broad) leave it out, since no one can edit it.
   */
  implicit?: boolean;
  /** The class of rules it is evaluated in, where the vendor's order is by class (Windows: bypass, block, allow), for traces. */
  group?: string;
}

export interface RuleReads {
  metadata: Metadata[];
  relaxed: PacketSet;
  /**
   * When the rule tests values exactly: the tests, and `others`, the match of its other conditions.
   * It matches a packet when `others` does and every test holds for the packet's values; `match`
   * is what it matches while the values are still 0.
   */
  values?: { tests: ValueTest[]; others: Match };
}

/**
 * How a chain's rules were ordered by the vendor: `sequence` when the written order decides
 * (iptables, pf's quick rules), `precedence` when classes of rules decide (Windows: any block
 * before any allow) and the order within a class does not matter.
 */
export type RuleOrder = 'sequence' | 'precedence';

export interface DecisionChain {
  /** Unique in the program (iptables: `table/CHAIN`); fingerprints use it. */
  name: string;
  /** The chain as the configuration names it (`INPUT`, `LYNC-IN`), for traces. */
  title: string;
  /** The group the configuration puts it in (iptables: its table), for traces. */
  table?: string;
  /** How a sentence names the chain: `chain LYNC-IN`, `the Domain profile's inbound rules`. */
  phrase: string;
  order: RuleOrder;
  rules: DecisionRule[];
  /** A base chain's policy; user chains return to their caller instead. */
  policy?: ChainPolicy;
}

export interface ChainPolicy {
  verdict: 'accept' | 'drop';
  /** What identifies it across edits, as a rule's `identity` does (fingerprints use it); its source's text when absent. */
  identity?: string;
  /** Its class, where the chain's rules have classes (Windows: default), for traces. */
  group?: string;
  source?: SourceRef;
  /** How a sentence names it: `the INPUT chain's default policy`. */
  phrase: string;
}

export interface Stage {
  /** The name of the stage's base chain. */
  chain: string;
  /** The stage sees only a connection's first packet (iptables' nat table). */
  firstPacketOnly?: boolean;
  /** The stage whose rules users think of as "the firewall" (iptables' filter table): it names the accepting rule. */
  primary?: boolean;
}

/**
 * What traffic a point sees: `inbound` is addressed to the firewall (the host) itself,
 * `outbound` is sent by it, `forwarded` passes through it from one interface to another.
 */
export type Traffic = 'inbound' | 'outbound' | 'forwarded';
export const TRAFFIC_KINDS: readonly Traffic[] = ['inbound', 'forwarded', 'outbound'];

export interface EnforcementPoint {
  /** Unique in the program: `INPUT`, `lan-in`, `domain-inbound`. */
  id: string;
  /** How reports name it: `INPUT`, `inbound on LAN`, `Domain profile, inbound`. */
  label: string;
  traffic: Traffic;
  /**
   * The point sees only packets arriving on (`in`) or leaving by (`out`) these interfaces; all
   * packets of its traffic when absent. Points of one traffic kind and variant do not overlap.
   */
  interfaces?: { in?: readonly string[]; out?: readonly string[] };
  /**
   * The firewall is in one variant at a time (Windows: the network profile of the host's
   * interface): a point with a variant applies only then; points without one always apply.
   */
  variant?: string;
  /**
   * Set when the configuration turns filtering off for this point (a Windows profile with its
   * firewall disabled, pf with all filtering disabled): why, and where it says so. The point then
   * has no stages and lets every packet through.
   */
  unfiltered?: { reason: string; source?: SourceRef };
  stages: Stage[];
}

/**
 * A rule the configuration writes that the firewall does not load (it names an alias that is not
 * defined, an interface that is off): why, and the new connections it would let through if it
 * were loaded (what it cannot resolve taken as everything).
 */
export interface UnloadedRule {
  source: SourceRef;
  identity: string;
  reason: string;
  wouldAccept: PacketSet;
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
  /** Accepting rules the firewall does not load: a required flow they would serve is a finding. */
  unloaded?: UnloadedRule[];
}

/** An interface and the networks behind it (longest prefix wins), as a deployment or a configuration declares them. */
export interface DeclaredInterface {
  name: string;
  networks: AddressSet;
}

/** The variants a program's points distinguish (Windows profiles), in the order first seen. */
export function programVariants(program: PolicyProgram): string[] {
  return [...new Set(program.points.flatMap((p) => (p.variant === undefined ? [] : [p.variant])))];
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

  /** The names of loopback interfaces (iptables: `lo`), which packets from other hosts never arrive on. */
  readonly loopbackNames: readonly string[];

  constructor(names: Iterable<string>, loopback: readonly string[] = []) {
    this.loopbackNames = loopback;
    const exact = new Set<string>(loopback);
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
   * The indices a name pattern matches: `eth0` exactly; with a trailing `+` (`eth+`), every name
   * starting with `eth` and the stand-ins of prefixes that start with `eth`; `+` every interface.
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

  /** The loopback interfaces' indices. */
  loopback(): Ranges {
    return Ranges.fromIntervals(this.loopbackNames.map((name) => [BigInt(this.index.get(name)!), BigInt(this.index.get(name)!)] as const));
  }

  /** The indices of these exact names (names the universe lacks match nothing). */
  named(names: readonly string[]): Ranges {
    return Ranges.fromIntervals(
      names.flatMap((name) => {
        const i = this.index.get(name);
        return i === undefined ? [] : [[BigInt(i), BigInt(i)] as const];
      }),
    );
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

/**
 * One pf rule as pfSense or OPNsense generates it, for one address family: the common form both
 * vendors' rules (written and implicit) take before they are ordered and compiled. Addresses may
 * be undecided (Fuzzy); conditions the engine cannot decide (a schedule, a tag, an OS
 * fingerprint) make the whole rule undecided, with the reason.
 */
import type { Family, Ranges } from '../../packetset';
import type { Fuzzy } from './fuzzy';

export type PfAction = 'pass' | 'block' | 'reject' | 'match';

/** Which way the rule filters: packets entering (`in`) or leaving (`out`) an interface, or both. */
export type Direction = 'in' | 'out' | 'both';

/** The interfaces a rule is on: every interface, these, or (OPNsense `interfacenot`) every one but these. */
export type InterfaceScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'only'; readonly keys: readonly string[] }
  | { readonly kind: 'except'; readonly keys: readonly string[] };

/** Where a rule stands in the firewall's ruleset, before its position inside its own section. */
export type Section = 'system' | 'floating' | 'group' | 'interface' | 'late';

export interface RuleOrigin {
  readonly file: string;
  readonly line: number;
  readonly path: string;
  /** The rule in pf's words, as reports show it. */
  readonly text: string;
  /** What identifies it across edits of the file (its meaning, not its place). */
  readonly identity: string;
}

export interface PfRule {
  readonly origin: RuleOrigin;
  /** A rule the firewall adds by itself (default deny, anti-lockout, …) rather than one written as a rule. */
  readonly implicit: boolean;
  readonly section: Section;
  /** Orders rules of one section: OPNsense's group sequence, then the rule's own order. */
  readonly order: readonly number[];
  readonly action: PfAction;
  readonly quick: boolean;
  readonly direction: Direction;
  readonly interfaces: InterfaceScope;
  readonly family: Family;
  /** IP protocol numbers. */
  readonly protocols: Ranges;
  /** ICMP type * 256 + code, when the rule names ICMP types. */
  readonly icmp: Ranges | undefined;
  /** TCP flags: the packet's flags masked by `mask` must equal `set` (pf's `flags S/SA`). */
  readonly tcpFlags: { readonly set: number; readonly mask: number } | undefined;
  readonly source: Fuzzy;
  readonly destination: Fuzzy;
  readonly sourcePorts: Ranges | undefined;
  readonly destinationPorts: Ranges | undefined;
  /** Conditions the engine cannot decide: the rule may or may not match any packet it otherwise would. */
  readonly undecided: readonly string[];
}
